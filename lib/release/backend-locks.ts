/**
 * Reading a stack's locks from the backend it lives in (the backend URL `pulumi whoami --json`
 * reports), and removing one. Only what can be read without the backend's own SDK is read:
 *
 * - a local file backend (`file://<dir>`): the lock files under
 *   `<dir>/.pulumi/locks/organization/<project>/<stack>/` (project-scoped stacks) or
 *   `<dir>/.pulumi/locks/<stack>/` (a backend from before project scoping), as pulumi v3.248.0's
 *   `stackLockDir` names them; a dead one is removed by deleting that file alone (what
 *   `pulumi cancel` does to every lock file of the stack);
 * - Pulumi Cloud (`https://…`): an update the stack's history still shows `in-progress` is a lock
 *   whose process the service does not name — never removed by a release;
 * - a bucket backend (`s3://`, `gs://`, `azblob://`, `postgres://`): unreadable here; an update
 *   finds the lock and Pulumi's error names it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseLockFile, type LockReading, type UpdateLock } from './stack-lock';

/** The stack a lock reading is for. */
export interface LockedStack {
  /** The backend URL (`pulumi whoami --json`'s `url`). */
  readonly backendUrl: string;
  /** The project's name (Pulumi.yaml `name`). */
  readonly project: string;
  /** The stack's name. */
  readonly stack: string;
}

/**
 * The locks of `stack`. `lastUpdate` is the result of the newest entry of the stack's history
 * (Pulumi Cloud lists a running update there; a DIY backend writes history only when an update ends).
 */
export function readBackendLocks(stack: LockedStack, lastUpdate: { result: string; version?: number } | undefined): LockReading {
  const dir = fileBackendDir(stack.backendUrl);
  if (dir !== undefined) {
    const locks = [
      path.join(dir, '.pulumi', 'locks', 'organization', stack.project, stack.stack),
      path.join(dir, '.pulumi', 'locks', stack.stack),
    ].flatMap(lockFilesIn);
    return { kind: 'locks', locks, removable: true };
  }
  if (/^https?:\/\//.test(stack.backendUrl)) {
    const locks: UpdateLock[] =
      lastUpdate?.result === 'in-progress'
        ? [{ where: `update ${lastUpdate.version ?? '?'} of ${stack.stack} on ${stack.backendUrl}, still marked in progress` }]
        : [];
    return { kind: 'locks', locks, removable: false };
  }
  return { kind: 'unreadable', backend: stack.backendUrl.replace(/\/\/[^@/]*@/, '//****@') };
}

/** Deletes one lock file of a file backend (its `where` is the file's path). */
export function removeFileLock(lock: UpdateLock): void {
  fs.rmSync(lock.where, { force: true });
}

/** The directory of a `file://` backend URL (`file://~` is the home directory; a query string is the backend's options). */
export function fileBackendDir(url: string): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  const dir = decodeURIComponent(url.slice('file://'.length).split('?')[0]);
  if (dir === '~' || dir.startsWith('~/')) return path.join(os.homedir(), dir.slice(1));
  return dir;
}

function lockFilesIn(dir: string): UpdateLock[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      try {
        return [parseLockFile(file, fs.readFileSync(file, 'utf8'))];
      } catch {
        return []; // removed since the listing: that update ended
      }
    });
}
