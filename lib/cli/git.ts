/**
 * Reading a file as it is at a git ref (`stepwise diff --base <ref>`): the stack file before the
 * pull request, to compare with the working tree. Runs the `git` executable without a shell.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../command-line/run-main';

/** A file's text at a ref, and the names that identify it in messages. */
export interface FileAtRef {
  /** The file's text at the ref. */
  readonly text: string;
  /** The ref as given, e.g. `origin/main`. */
  readonly ref: string;
  /** The commit the ref names (full hash). */
  readonly commit: string;
  /** The file's path inside the repository, with `/` separators. */
  readonly pathInRepo: string;
}

/**
 * The text of `file` (a path on disk, absolute or relative to `cwd`) at git `ref`, read with
 * `git show <ref>:<path>` in the repository that contains the file. Every problem — git missing,
 * the file outside a repository, an unknown ref, a file that did not exist at the ref — is a
 * UsageError saying what to do.
 */
export function readFileAtRef(file: string, ref: string, cwd: string): FileAtRef {
  const absolute = path.resolve(cwd, file);
  const dir = path.dirname(absolute);
  if (!fs.existsSync(dir)) throw new UsageError(`cannot read ${file} at ${ref}: the directory ${path.dirname(file)} does not exist`);
  if (ref.startsWith('-')) throw new UsageError(`--base '${ref}' is not a git ref (it starts with '-')`);

  const top = git(['rev-parse', '--show-toplevel'], dir);
  if (top.status !== 0) {
    throw new UsageError(
      `cannot use --base ${ref}: ${file} is not in a git repository (${firstLine(top.stderr) || 'git rev-parse failed'})`,
    );
  }
  const root = fs.realpathSync(top.stdout.trim());
  const commit = git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], root);
  if (commit.status !== 0) {
    throw new UsageError(
      `unknown git ref '${ref}' in ${root}: name a branch, tag or commit (e.g. HEAD, origin/main); run 'git fetch' if it is a remote branch`,
    );
  }
  const pathInRepo = path
    .relative(root, path.join(fs.realpathSync(dir), path.basename(absolute)))
    .split(path.sep)
    .join('/');
  const shown = git(['show', `${commit.stdout.trim()}:${pathInRepo}`], root);
  if (shown.status !== 0) {
    throw new UsageError(
      `${pathInRepo} does not exist at ${ref} (${commit.stdout.trim().slice(0, 12)}): the stack is new in the working tree, or was renamed; compare stages with --from/--to instead`,
    );
  }
  return { text: shown.stdout, ref, commit: commit.stdout.trim(), pathInRepo };
}

function git(args: readonly string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? '--base needs git, but the git executable was not found on PATH' : `git failed: ${result.error.message}`,
    );
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
