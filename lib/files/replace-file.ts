import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces (or creates) `file` with `text` atomically: the text goes to a temporary file in the
 * same directory, is flushed, and is renamed over `file`, so a crash, a full disk or a refused
 * write never leaves half a file. An existing file keeps its permission bits exactly (set with
 * fchmod: the umask would clear e.g. the group-write bit of a 0664 file); a new one gets the usual
 * 0666 less the umask. The temporary file is created exclusively, so a stale one (or a concurrent
 * run) makes the write fail instead of mixing two. Throws the file-system error as it is; callers
 * turn it into the StepwiseError their users read.
 */
export function replaceFileAtomically(file: string, text: string): void {
  const existing = fs.statSync(file, { throwIfNoEntry: false });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(temp, 'wx', existing ? existing.mode & 0o777 : 0o666);
  try {
    try {
      if (existing) fs.fchmodSync(fd, existing.mode & 0o777);
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
