import * as fs from 'node:fs';
import * as path from 'node:path';

/** How many symbolic links in a row a path may go through (Linux's MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

/**
 * Replaces (or creates) `file` with `text` atomically: the text goes to a temporary file in the
 * same directory, is flushed, and is renamed over `file`, so a crash, a full disk or a refused
 * write never leaves half a file. When `file` is a symbolic link, the file it leads to is replaced
 * (the temporary file goes beside that one) and the link stays, as editors do: a stack file kept
 * elsewhere and linked into `stacks/` gets the change, not a copy that hides it. An existing file
 * keeps its permission bits exactly (set with fchmod: the umask would clear e.g. the group-write
 * bit of a 0664 file); a new one gets the usual 0666 less the umask. The temporary file is created
 * exclusively, so a stale one (or a concurrent run) makes the write fail instead of mixing two.
 * Throws the file-system error as it is; callers turn it into the StepwiseError their users read.
 */
export function replaceFileAtomically(file: string, text: string): void {
  const target = linkTarget(file);
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  const fd = fs.openSync(temp, 'wx', existing ? existing.mode & 0o777 : 0o666);
  try {
    try {
      if (existing) fs.fchmodSync(fd, existing.mode & 0o777);
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * The path `file` finally names: itself, or the end of its chain of symbolic links (which need not
 * exist yet: a link to a file still to be created leads there). A loop is an `ELOOP` error.
 */
export function linkTarget(file: string): string {
  let current = file;
  for (let hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
    const stats = fs.lstatSync(current, { throwIfNoEntry: false });
    if (!stats?.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), fs.readlinkSync(current));
  }
  throw Object.assign(new Error(`too many levels of symbolic links: ${file}`), { code: 'ELOOP' });
}
