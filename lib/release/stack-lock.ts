/**
 * A stack left locked by a killed update. `pulumi up` locks the stack for as long as it runs and
 * unlocks it when it ends; a `pulumi` process killed outright (SIGKILL, a CI runner killing the
 * job's process group, a machine lost) never unlocks it, and every later update of the stack
 * fails until someone frees it.
 *
 * What the backends keep (read from pulumi/pulumi v3.248.0, the CLI the end-to-end suite builds):
 * - a self-managed (DIY) backend writes `.pulumi/locks/organization/<project>/<stack>/<uuid>.json`
 *   holding `{"pid", "username", "hostname", "timestamp"}` of the `pulumi` process
 *   (pkg/backend/diy/lock.go), and refuses an update while any other lock file of the stack
 *   exists ("the stack is currently locked by 1 lock(s) … delete the lock file with `pulumi
 *   cancel`"); `pulumi cancel` on a DIY backend deletes every lock file of the stack, whoever wrote
 *   it (`CancelCurrentUpdate`, pkg/backend/diy/backend.go);
 * - Pulumi Cloud marks the update in progress and answers "[409] Conflict: Another update is
 *   currently in progress" until `pulumi cancel` cancels it; it says nothing about the process.
 *
 * A release frees a lock only when it can prove the update that took it is dead: a DIY lock
 * written on this very host by a process that no longer exists. Anything else — a lock from
 * another host (another CI runner, a colleague's laptop), a live process, a Pulumi Cloud update —
 * may be an update that is running right now, and cancelling it could leave the cluster half
 * changed under someone else's feet: the release stops and says how to free it by hand.
 *
 * The proof rests on one assumption, the one Pulumi's own lock message makes (`created by
 * user@host (pid N)`): processes that report the same host name share one process table. Containers
 * that are given the host's name but run in their own PID namespace (Docker's `--network host`,
 * Kubernetes' `hostNetwork`) break it; docs/release.md says so.
 */
import * as fs from 'node:fs';

/** One lock on a stack, as the backend holds it. */
export interface UpdateLock {
  /** Where it is: the lock file, or the backend and update for Pulumi Cloud. */
  readonly where: string;
  /** The process that took it (DIY locks), when known. */
  readonly pid?: number;
  /** The host that process ran on (DIY locks), when known. */
  readonly hostname?: string;
  /** The user who ran it (DIY locks), when known. */
  readonly username?: string;
  /** When it was taken (RFC 3339), when known. */
  readonly timestamp?: string;
}

/** What a backend says about the stack's locks. */
export type LockReading =
  /** The locks of the stack (none: the stack is free). */
  | { readonly kind: 'locks'; readonly locks: readonly UpdateLock[]; readonly removable: boolean }
  /** The backend's locks cannot be read without its own SDK (a DIY bucket backend): an update finds out. */
  | { readonly kind: 'unreadable'; readonly backend: string };

/** The host a release runs on: its name and whether a process of it is alive. */
export interface ThisHost {
  readonly hostname: string;
  /** True when a process with this id exists (or may exist: another user's process). */
  isAlive(pid: number): boolean;
}

/** What the release does about the stack's locks. */
export type LockDecision =
  | { readonly action: 'none' }
  /** Every lock provably belongs to a dead process: free them. */
  | { readonly action: 'remove'; readonly locks: readonly UpdateLock[] }
  /** A lock may belong to a running update: stop, and say how to free it. */
  | { readonly action: 'refuse'; readonly reason: string };

/**
 * The pure decision: remove the locks only when each names this host and a process id that is
 * not alive; refuse on any other lock, with a message naming `pulumi cancel` and why the release
 * does not run it itself.
 */
export function lockDecision(stackName: string, locks: readonly UpdateLock[], here: ThisHost): LockDecision {
  if (locks.length === 0) return { action: 'none' };
  const live = locks.filter((lock) => !provablyDead(lock, here));
  if (live.length === 0) return { action: 'remove', locks };
  const lock = live[0];
  const why =
    lock.pid === undefined || lock.hostname === undefined
      ? 'the backend does not say which process holds it'
      : lock.hostname !== here.hostname
        ? `it was taken on another host (${lock.hostname}), where stepwise cannot tell whether that process still runs`
        : `a process with id ${lock.pid} runs on this host (that update, or a process that got its id since)`;
  return { action: 'refuse', reason: refusal(stackName, lock, why) };
}

function refusal(stackName: string, lock: UpdateLock, why: string): string {
  return (
    `the stack is locked by an update (${describeLock(lock)}) and ${why}. ` +
    'stepwise does not cancel an update it cannot prove dead: it may be another release or a `pulumi up` that is ' +
    'changing the cluster right now. Once you are sure no update of this stack runs, free it with ' +
    `\`pulumi cancel --stack ${stackName} --yes\` and run the release again`
  );
}

/** `file:///…/x.json: pulumi (pid 42) on runner-7 at 2026-11-30T16:00:00Z`. */
export function describeLock(lock: UpdateLock): string {
  const who = [
    lock.username !== undefined ? `${lock.username}` : undefined,
    lock.pid !== undefined ? `pid ${lock.pid}` : undefined,
    lock.hostname !== undefined ? `on ${lock.hostname}` : undefined,
    lock.timestamp !== undefined ? `at ${lock.timestamp}` : undefined,
  ].filter((part) => part !== undefined);
  return who.length > 0 ? `${lock.where}: ${who.join(' ')}` : lock.where;
}

function provablyDead(lock: UpdateLock, here: ThisHost): boolean {
  return lock.pid !== undefined && lock.pid > 0 && lock.hostname === here.hostname && !here.isAlive(lock.pid);
}

/**
 * A DIY lock file's content (`{"pid":…,"username":…,"hostname":…,"timestamp":…}`); a file that is
 * not such JSON is a lock whose owner is unknown (never removed).
 */
export function parseLockFile(where: string, text: string): UpdateLock {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch {
    return { where };
  }
  const c = (content ?? {}) as Record<string, unknown>;
  return {
    where,
    ...(typeof c.pid === 'number' && Number.isInteger(c.pid) ? { pid: c.pid } : {}),
    ...(typeof c.hostname === 'string' && c.hostname !== '' ? { hostname: c.hostname } : {}),
    ...(typeof c.username === 'string' && c.username !== '' ? { username: c.username } : {}),
    ...(typeof c.timestamp === 'string' ? { timestamp: c.timestamp } : {}),
  };
}

/**
 * Whether a process runs on this host: `kill(pid, 0)` succeeds, or fails with EPERM (it exists
 * but belongs to another user), and it has not exited. Only ESRCH, or a process that has exited
 * and waits to be reaped (a zombie: its parent was killed with it, and the container's first
 * process may take its time or never reap it), proves it gone.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return !hasExited(pid);
}

/** True when Linux's /proc says `pid` has exited (state Z or X); false where there is no /proc to ask. */
function hasExited(pid: number): boolean {
  try {
    // The command may hold spaces and parentheses: the state is the first field after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/** Reads a stack's locks and removes one: the backend side of {@link freeStaleLocks}. */
export interface LockAccess {
  read(): Promise<LockReading>;
  remove(lock: UpdateLock): Promise<void>;
}

/** What a release found and did about the stack's locks before it started. */
export type LockOutcome =
  /** No lock: nothing to do. */
  | { readonly kind: 'free' }
  /** Locks of dead processes on this host, now removed: an update of this stack was killed. */
  | { readonly kind: 'removed'; readonly locks: readonly UpdateLock[] }
  /** A lock that may be a running update: the release must not go on. */
  | { readonly kind: 'held'; readonly reason: string }
  /** The backend's locks cannot be read here; an update will say if the stack is locked. */
  | { readonly kind: 'unknown'; readonly backend: string };

/** Reads the stack's locks, decides with {@link lockDecision}, and removes the dead ones. */
export async function freeStaleLocks(stackName: string, access: LockAccess, here: ThisHost): Promise<LockOutcome> {
  const reading = await access.read();
  if (reading.kind === 'unreadable') return { kind: 'unknown', backend: reading.backend };
  const decision = lockDecision(stackName, reading.locks, here);
  switch (decision.action) {
    case 'none':
      return { kind: 'free' };
    case 'refuse':
      return { kind: 'held', reason: decision.reason };
    case 'remove':
      if (!reading.removable) {
        return { kind: 'held', reason: refusal(stackName, decision.locks[0], "this backend's locks are not removed by stepwise") };
      }
      for (const lock of decision.locks) await access.remove(lock);
      return { kind: 'removed', locks: decision.locks };
  }
}
