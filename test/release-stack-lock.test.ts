import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileBackendDir, readBackendLocks, removeFileLock } from '../lib/release/backend-locks';
import { freeStaleLocks, lockDecision, parseLockFile, processIsAlive, type LockReading, type UpdateLock } from '../lib/release/stack-lock';

/**
 * The decision a release makes about a locked stack, in process: a fake host (its name and which
 * process ids are alive) and a fake backend (its locks, and what was removed).
 */

const here = (alive: number[] = []) => ({ hostname: 'runner-1', isAlive: (pid: number) => alive.includes(pid) });
const lock = (pid: number, hostname = 'runner-1'): UpdateLock => ({
  where: `/state/.pulumi/locks/organization/stepwise/fop-gate/${pid}.json`,
  pid,
  hostname,
  username: 'ci',
  timestamp: '2026-11-30T16:00:00Z',
});

function fakeBackend(reading: LockReading) {
  const removed: string[] = [];
  return { removed, access: { read: async () => reading, remove: async (l: UpdateLock) => void removed.push(l.where) } };
}

describe('the lock decision', () => {
  test('no lock: nothing to do', () => {
    assert.deepEqual(lockDecision('fop-gate', [], here()), { action: 'none' });
  });

  test('a lock taken on this host by a process that is gone is removed', () => {
    assert.deepEqual(lockDecision('fop-gate', [lock(4242)], here([1])), { action: 'remove', locks: [lock(4242)] });
  });

  test('a lock whose process still runs on this host is refused, naming the process and pulumi cancel', () => {
    const decision = lockDecision('fop-gate', [lock(4242)], here([4242]));
    assert.equal(decision.action, 'refuse');
    assert.match(decision.action === 'refuse' ? decision.reason : '', /a process with id 4242 runs on this host/);
    assert.match(decision.action === 'refuse' ? decision.reason : '', /`pulumi cancel --stack fop-gate --yes`/);
  });

  test('a lock from another host is refused: stepwise cannot tell whether that process runs', () => {
    const decision = lockDecision('fop-gate', [lock(4242, 'runner-2')], here());
    assert.equal(decision.action, 'refuse');
    assert.match(decision.action === 'refuse' ? decision.reason : '', /taken on another host \(runner-2\)/);
    assert.match(decision.action === 'refuse' ? decision.reason : '', /does not cancel an update it cannot prove dead/);
  });

  test('one live lock among dead ones refuses them all', () => {
    assert.equal(lockDecision('fop-gate', [lock(1000), lock(4242)], here([4242])).action, 'refuse');
  });

  test('a lock that names no process (Pulumi Cloud, an unreadable lock file) is refused', () => {
    const decision = lockDecision('fop-gate', [{ where: 'update 7 of fop-gate on https://api.pulumi.com' }], here());
    assert.match(decision.action === 'refuse' ? decision.reason : '', /does not say which process holds it/);
  });
});

describe('freeing stale locks', () => {
  test('removes exactly the dead locks the backend holds', async () => {
    const backend = fakeBackend({ kind: 'locks', locks: [lock(4242)], removable: true });
    assert.deepEqual(await freeStaleLocks('fop-gate', backend.access, here()), { kind: 'removed', locks: [lock(4242)] });
    assert.deepEqual(backend.removed, [lock(4242).where]);
  });

  test('removes nothing when a lock may be live', async () => {
    const backend = fakeBackend({ kind: 'locks', locks: [lock(4242, 'runner-2')], removable: true });
    assert.equal((await freeStaleLocks('fop-gate', backend.access, here())).kind, 'held');
    assert.deepEqual(backend.removed, []);
  });

  test('a backend whose locks are not for stepwise to remove is held even when they look dead', async () => {
    const backend = fakeBackend({ kind: 'locks', locks: [lock(4242)], removable: false });
    assert.equal((await freeStaleLocks('fop-gate', backend.access, here())).kind, 'held');
    assert.deepEqual(backend.removed, []);
  });

  test('a backend whose locks cannot be read is unknown (the update finds out)', async () => {
    const backend = fakeBackend({ kind: 'unreadable', backend: 's3://bucket' });
    assert.deepEqual(await freeStaleLocks('fop-gate', backend.access, here()), { kind: 'unknown', backend: 's3://bucket' });
  });
});

describe('reading the locks of a backend', () => {
  test("a file backend's lock files under .pulumi/locks/organization/<project>/<stack>, as pulumi writes them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-locks-'));
    try {
      const lockDir = path.join(dir, '.pulumi', 'locks', 'organization', 'stepwise', 'fop-gate');
      fs.mkdirSync(lockDir, { recursive: true });
      const file = path.join(lockDir, '0b6f.json');
      fs.writeFileSync(file, '{"pid":42,"username":"ci","hostname":"runner-1","timestamp":"2026-11-30T16:00:00.1Z"}');
      const reading = readBackendLocks({ backendUrl: `file://${dir}?no_tmp_dir=true`, project: 'stepwise', stack: 'fop-gate' }, undefined);
      assert.deepEqual(reading, {
        kind: 'locks',
        removable: true,
        locks: [{ where: file, pid: 42, username: 'ci', hostname: 'runner-1', timestamp: '2026-11-30T16:00:00.1Z' }],
      });
      removeFileLock(reading.kind === 'locks' ? reading.locks[0] : { where: '' });
      assert.equal(fs.existsSync(file), false);
      assert.deepEqual(readBackendLocks({ backendUrl: `file://${dir}`, project: 'stepwise', stack: 'fop-gate' }, undefined), {
        kind: 'locks',
        removable: true,
        locks: [],
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Pulumi Cloud: an update its history shows in progress is a lock naming no process, not removable', () => {
    const reading = readBackendLocks(
      { backendUrl: 'https://api.pulumi.com', project: 'stepwise', stack: 'fop-gate' },
      { result: 'in-progress', version: 7 },
    );
    assert.equal(reading.kind === 'locks' && reading.removable, false);
    assert.deepEqual(reading.kind === 'locks' ? reading.locks.map((l) => [l.pid, l.hostname]) : [], [[undefined, undefined]]);
  });

  test('a bucket backend is unreadable, its credentials hidden', () => {
    assert.deepEqual(readBackendLocks({ backendUrl: 'postgres://user:secret@db/state', project: 'p', stack: 's' }, undefined), {
      kind: 'unreadable',
      backend: 'postgres://****@db/state',
    });
  });

  test('file://~ is the home directory', () => {
    assert.equal(fileBackendDir('file://~'), os.homedir());
    assert.equal(fileBackendDir('https://api.pulumi.com'), undefined);
  });

  test('a lock file that is not JSON names no process, so it is never removed', () => {
    assert.deepEqual(parseLockFile('/x.json', 'garbage'), { where: '/x.json' });
  });

  test('this process is alive; a pid that no process has is not', () => {
    assert.equal(processIsAlive(process.pid), true);
    assert.equal(processIsAlive(2 ** 22 + 12345), false);
  });

  test(
    'a process that has exited but is not reaped yet (a killed pulumi whose parent died too) is not alive',
    { skip: !fs.existsSync('/proc/self/stat') },
    async () => {
      // The child waits for a line on the shell's stdin; the shell then becomes `sleep 30`, which
      // never reaps a child. Only once it has, the line is sent: the child exits and stays a zombie.
      // (A child that exits at once may be reaped by the shell before its exec.)
      const parent = spawn('sh', ['-c', 'exec 3<&0; (read line <&3) & echo $!; exec sleep 30'], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      const until = async (done: () => boolean) => {
        for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      };
      const read = (file: string) => {
        try {
          return fs.readFileSync(file, 'utf8');
        } catch {
          return '';
        }
      };
      try {
        const pid = Number((await once(parent.stdout, 'data'))[0].toString().trim());
        await until(() => read(`/proc/${parent.pid}/comm`).trim() === 'sleep');
        parent.stdin.write('exit\n');
        const state = () => {
          const stat = read(`/proc/${pid}/stat`);
          return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
        };
        await until(() => state() === 'Z');
        assert.equal(state(), 'Z', 'the child is a zombie');
        assert.equal(processIsAlive(pid), false);
      } finally {
        parent.kill('SIGKILL');
      }
    },
  );
});
