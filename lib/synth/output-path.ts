import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFileAtomically } from '../files/replace-file';
import { StepwiseError } from '../model/errors';

/**
 * What the user asked to write: a directory of manifests (`render --out DIR`, `npm run synth --out
 * DIR`) or one file (`export --out FILE`). The fix in an error depends on which they meant.
 */
export type OutputKind = 'directory' | 'file';

/**
 * The error a user reads when `outPath` (the `--out` they gave) cannot be written: the path, the
 * problem in words ("is a file, not a directory", "permission denied") and the fix. A file-system
 * error is otherwise an "internal error" with a bare errno code, which tells the user nothing.
 * A `StepwiseError` passes through unchanged, so callers can map whatever a write throws.
 */
export function outputPathError(error: unknown, outPath: string, kind: OutputKind): StepwiseError {
  if (error instanceof StepwiseError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const other = kind === 'directory' ? 'pass --out another directory' : 'pass --out another file';
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR': {
      // mkdir on a file (EEXIST), or a file where a directory of the path should be (ENOTDIR).
      const file = firstFileOnPath(outPath) ?? outPath;
      return new StepwiseError({
        file: outPath,
        problem: file === outPath ? 'is a file, not a directory' : `cannot be written: ${file} is a file, not a directory`,
        fix: `move ${file} away, or ${other}`,
      });
    }
    case 'EISDIR':
      return new StepwiseError({
        file: outPath,
        problem: 'is a directory, not a file',
        fix: `pass --out a file name, e.g. ${path.join(outPath, 'release.yaml')}`,
      });
    case 'ENOENT':
      return new StepwiseError({
        file: outPath,
        problem: `cannot be written: the directory ${path.dirname(outPath)} does not exist`,
        fix: `create it first (mkdir -p ${path.dirname(outPath)}), or ${other}`,
      });
    case 'EACCES':
    case 'EPERM': {
      const refused = refusedPath(error as NodeJS.ErrnoException, outPath);
      return new StepwiseError({
        file: outPath,
        problem: `cannot be written: permission denied${refused ? ` on ${refused}` : ''}`,
        fix: `check the permissions of ${refused ?? (kind === 'directory' ? nearestExisting(outPath) : path.dirname(outPath))}, or ${other}`,
      });
    }
    case 'EROFS':
      return new StepwiseError({ file: outPath, problem: 'cannot be written: the file system is read-only', fix: other });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StepwiseError({
        file: outPath,
        problem: 'cannot be written: no space left on the device',
        fix: `free some space, or ${other}`,
      });
    case 'ENAMETOOLONG':
      return new StepwiseError({ file: outPath, problem: 'cannot be written: the path is too long', fix: `${other} with a shorter path` });
    default:
      return new StepwiseError({
        file: outPath,
        problem: `cannot be written: ${error instanceof Error ? error.message : String(error)}`,
        fix: `check the path and its permissions, or ${other}`,
      });
  }
}

/**
 * Makes sure the output directory exists (creating it and its parents if need be, as `--out DIR`
 * promises), failing with an {@link outputPathError} when a file is in the way or it cannot be made.
 */
export function prepareOutputDir(outDir: string): void {
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw outputPathError(error, outDir, 'directory');
  }
}

/**
 * Writes one output file atomically: the text goes to a temporary file beside it, is flushed, and
 * is renamed over `file`, so a failed run never leaves half a file. The directory must already
 * exist: `--out FILE` names a file, and creating directories the user did not ask for (possibly
 * far outside the project, after a typo) would be a surprise. Errors name the file as `shownAs`
 * (the `--out` the user typed, when `file` is that resolved against the working directory).
 */
export function writeOutputFile(file: string, text: string, shownAs = file): void {
  const dir = path.dirname(file);
  let stats: fs.Stats | undefined;
  try {
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    stats = fs.statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    throw outputPathError(error, shownAs, 'file');
  }
  if (stats?.isDirectory()) throw outputPathError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), shownAs, 'file');
  try {
    replaceFileAtomically(file, text);
  } catch (error) {
    throw outputPathError(error, shownAs, 'file');
  }
}

/**
 * Refuses a stack or stage name that is not one plain file-name segment before it becomes part of
 * an output path: `path.join(outDir, 'x/../../evil')` would write, and replace, a directory outside
 * `outDir`. Names come from stack file names and plans, so this is a second line of defence.
 */
export function assertPlainSegment(name: string, what: 'stack' | 'stage', outDir: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.startsWith('.')) {
    throw new StepwiseError({
      file: outDir,
      problem: `cannot hold ${what} '${name}': a ${what} name must be a plain file name (no '/', '\\', or leading '.')`,
      fix: `use the ${what} names of the stack files and plans, e.g. fop-gate`,
    });
  }
}

/** The first path on the way from the root to `target` that exists and is not a directory, if any. */
function firstFileOnPath(target: string): string | undefined {
  const absolute = path.resolve(target);
  const parts: string[] = [];
  for (let p = absolute; ; p = path.dirname(p)) {
    parts.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of parts) {
    let stats: fs.Stats | undefined;
    try {
      stats = fs.statSync(p, { throwIfNoEntry: false });
    } catch {
      return undefined; // a directory on the way cannot be searched: not a file in the way
    }
    if (stats === undefined) return undefined;
    if (!stats.isDirectory()) return p === absolute ? target : path.isAbsolute(target) ? p : path.relative(process.cwd(), p);
  }
  return undefined;
}

/** `dir` if it exists, else its nearest ancestor that does: the directory a mkdir was refused in. */
function nearestExisting(dir: string): string {
  for (let p = dir; ; p = path.dirname(p)) {
    if (fs.existsSync(p) || path.dirname(p) === p) return p;
  }
}

/**
 * The path the operating system refused, when it is not `outPath` itself (e.g. an old
 * `<out>/<stack>/` another user owns). Our own hidden staging folders are named by their directory.
 */
function refusedPath(error: NodeJS.ErrnoException, outPath: string): string | undefined {
  if (error.path === undefined) return undefined;
  const refused = path.basename(error.path).startsWith('.') ? path.dirname(error.path) : error.path;
  if (path.resolve(refused) === path.resolve(outPath)) return undefined;
  // Spelled as the user spelled --out (a write may use the path resolved against the cwd).
  return path.resolve(refused) === path.resolve(path.dirname(outPath)) ? path.dirname(outPath) : refused;
}
