import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GateReportJson } from '../lib/gate/report';
import { parsePlan, type Plan } from '../lib/model';
import { readApprovals } from '../lib/release/approvals';
import type { PendingOperation, ReleaseEvent } from '../lib/release/release-event';
import type { LockOutcome } from '../lib/release/stack-lock';
import { runRelease, type ReleasePieces, type StageGateResult } from '../lib/release/release-run';
import { examplePlanData } from './support/example-stacks';

/**
 * The release loop's decisions, with fake pieces: a cluster that is at the stage its last update
 * applied, a stack file, a clock and a gate whose verdict per stage each test sets.
 */

/** fop-gate (baseline, canary, canary-widened, stable; soak 5m on the last three), with `edit` applied to its plan data. */
function fopGate(edit: (data: Record<string, any>) => void = () => undefined): Plan {
  const data = examplePlanData('fop-gate');
  edit(data);
  return parsePlan(data);
}

function stageOf(data: Record<string, any>, name: string): Record<string, unknown> {
  return data.stages.find((s: any) => s.name === name);
}

const report = (verdict: 'pass' | 'fail' | 'inconclusive'): GateReportJson => ({
  verdict,
  exitCode: verdict === 'pass' ? 0 : verdict === 'fail' ? 1 : 2,
  namespace: 'dora-apps',
  canary: 'fop-gate-canary',
  stable: 'fop-gate',
  prometheus: 'http://prometheus:9090',
  interval: '5m',
  metrics: [],
});

/** The fake world the loop acts on, and a log of what it did, in order. */
class FakeWorld implements ReleasePieces {
  /** Effects in order: `write canary (from baseline)`, `apply canary`, `soak 300`, `gate canary`, … */
  readonly log: string[] = [];
  fileStage: string;
  fromStage: string | undefined;
  recorded: string | undefined;
  /** The gate's verdict per stage; a stage not listed passes. */
  gates: Record<string, StageGateResult['verdict']> = {};
  /** Stages whose update fails. */
  failingUpdates = new Set<string>();
  /** Stages the cluster never settles at. */
  unsettled = new Set<string>();
  /** Called at each soak tick: a test aborts the run from here. */
  onSoak: () => void = () => undefined;

  constructor(
    private readonly plan: Plan,
    stage: string,
    recorded: string | undefined = stage,
  ) {
    this.fileStage = stage;
    this.recorded = recorded;
  }

  /** What the stack's lock check finds (a killed update's lock, a live one, …). */
  lock: LockOutcome = { kind: 'free' };
  /** Operations a killed update left pending in the state. */
  pending: PendingOperation[] = [];

  async freeStaleLocks() {
    if (this.lock.kind !== 'free') this.log.push(`locks: ${this.lock.kind}`);
    return this.lock;
  }
  async clearPendingOperations() {
    if (this.pending.length > 0) this.log.push(`refresh --clear-pending-creates (${this.pending.length})`);
    const cleared = this.pending;
    this.pending = [];
    return cleared;
  }
  async recordedStage() {
    return this.recorded;
  }
  async apply(stage: string, options: { refresh: boolean }) {
    assert.equal(stage, this.fileStage, 'the stack file names the stage before it is applied');
    this.log.push(`apply ${stage}${options.refresh ? ' --refresh' : ''}`);
    if (this.failingUpdates.has(stage)) throw new Error(`Deployment ${stage} failed to roll out`);
    this.recorded = stage;
  }
  async preview(stage: string) {
    this.log.push(`preview ${stage}`);
    return { update: 1 };
  }
  async settle(stage: string) {
    assert.equal(stage, this.recorded, 'settle waits for the stage the cluster was brought to');
    this.log.push(`settle ${stage}`);
    return this.unsettled.has(stage)
      ? { settled: false as const, reason: 'fop-gate-canary has 0 of 1 pods ready' }
      : { settled: true as const };
  }
  async soak(seconds: number, tick: (left: number) => void) {
    this.log.push(`soak ${seconds}`);
    tick(seconds);
    this.onSoak();
    tick(0);
  }
  async gate(stageIndex: number): Promise<StageGateResult> {
    const stage = this.plan.stages[stageIndex].name;
    this.log.push(`gate ${stage}`);
    const verdict = this.gates[stage] ?? 'pass';
    return verdict === 'none' ? { verdict, reason: 'no analysis section' } : { verdict, report: report(verdict) };
  }
  writeStage(stage: string, fromStage: string) {
    this.log.push(`write ${stage} (from ${fromStage})`);
    this.fileStage = stage;
    this.fromStage = fromStage;
  }
}

interface Run {
  plan: Plan;
  world: FakeWorld;
  to?: string;
  approve?: string[];
  dryRun?: boolean;
  signal?: AbortSignal;
}

async function release({ plan, world, to, approve = [], dryRun = false, signal }: Run) {
  const events: ReleaseEvent[] = [];
  const stageIndex = plan.stages.findIndex((s) => s.name === world.fileStage);
  const toIndex = to === undefined ? plan.stages.length - 1 : plan.stages.findIndex((s) => s.name === to);
  const approvals = readApprovals(
    { flags: approve },
    plan.stages.map((s) => s.name),
  );
  const result = await runRelease(
    { stack: 'fop-gate', file: 'stacks/Pulumi.fop-gate.yaml', plan, stageIndex, toIndex, approvals, dryRun, signal },
    world,
    (e) => events.push(e),
  );
  return { result, events, log: world.log };
}

describe('release: a healthy canary', () => {
  test('goes from the first stage to the last: each stage written to the stack file before its update, then settled, soaked and gated', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    const { result, log } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'released', stage: 'stable', exitCode: 0 });
    assert.deepEqual(log, [
      'settle baseline',
      'gate baseline',
      'write canary (from baseline)',
      'apply canary',
      'settle canary',
      'soak 300',
      'gate canary',
      'write canary-widened (from canary)',
      'apply canary-widened',
      'settle canary-widened',
      'soak 300',
      'gate canary-widened',
      'write stable (from canary-widened)',
      'apply stable',
      'settle stable',
      'soak 300',
      'gate stable',
    ]);
    assert.equal(world.fileStage, 'stable');
    assert.equal(world.recorded, 'stable');
  });

  test('--to stops after the named stage', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    const { result } = await release({ plan, world, to: 'canary' });
    assert.deepEqual(result, { outcome: 'released', stage: 'canary', exitCode: 0 });
    assert.equal(world.recorded, 'canary');
  });

  test('the soak reports the time left, and the gate its report, as events', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    const { events } = await release({ plan, world, to: 'canary' });
    const soaks = events.filter((e) => e.event === 'soak');
    assert.deepEqual(soaks, [
      { event: 'soak', stack: 'fop-gate', stage: 'canary', secondsLeft: 300, seconds: 300 },
      { event: 'soak', stack: 'fop-gate', stage: 'canary', secondsLeft: 0, seconds: 300 },
    ]);
    const gate = events.find((e) => e.event === 'gate' && e.stage === 'canary');
    assert.equal(gate?.event === 'gate' && gate.report?.verdict, 'pass');
    assert.deepEqual(events.at(-1), {
      event: 'done',
      stack: 'fop-gate',
      outcome: 'released',
      stage: 'canary',
      exitCode: 0,
      reason: 'canary reached (--to)',
    });
  });
});

describe('release: a failing canary', () => {
  test('a failed gate rolls back to the last good stage, applied and settled, and exits 1 with the reason', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    world.gates['canary-widened'] = 'fail';
    const { result, log, events } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'rolled-back', stage: 'canary', exitCode: 1 });
    assert.deepEqual(log.slice(log.indexOf('gate canary-widened')), [
      'gate canary-widened',
      'write canary (from canary-widened)',
      'apply canary',
      'settle canary',
    ]);
    assert.equal(world.recorded, 'canary');
    assert.match((events.at(-1) as { reason: string }).reason, /canary-widened failed \(the metric gate is fail\); rolled back to canary/);
  });

  test('an inconclusive gate is never a pass', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    world.gates.canary = 'inconclusive';
    const { result } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'rolled-back', stage: 'baseline', exitCode: 1 });
  });

  test('a failed update rolls back with a refresh first (Pulumi state after a failed update may not match the cluster)', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    world.failingUpdates.add('canary');
    const { result, log } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'rolled-back', stage: 'baseline', exitCode: 1 });
    assert.deepEqual(log.slice(-3), ['write baseline (from canary)', 'apply baseline --refresh', 'settle baseline']);
  });

  test('a cluster that never reaches the stage fails it', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    world.unsettled.add('canary');
    const { result, events } = await release({ plan, world });
    assert.equal(result.outcome, 'rolled-back');
    assert.ok(events.some((e) => e.event === 'failed' && e.phase === 'settle' && /0 of 1 pods ready/.test(e.reason)));
  });

  test('onFailure: pause stops at the failed stage without rolling back', async () => {
    const plan = fopGate((d) => (stageOf(d, 'canary-widened').onFailure = 'pause'));
    const world = new FakeWorld(plan, 'baseline');
    world.gates['canary-widened'] = 'fail';
    const { result, log } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'paused', stage: 'canary-widened', exitCode: 1 });
    assert.equal(log.at(-1), 'gate canary-widened');
    assert.equal(world.recorded, 'canary-widened');
  });

  test('a plan with a check error applies nothing', async () => {
    const plan = fopGate(
      (d) => (stageOf(d, 'canary-widened').workloads = { 'fop-gate': { replicas: 0, image: 'registry.example.com/dora/fop-gate:1.4.0' } }),
    );
    const world = new FakeWorld(plan, 'baseline');
    const { result, log, events } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'failed', stage: 'baseline', exitCode: 1 });
    assert.deepEqual(log, []);
    assert.ok(events.some((e) => e.event === 'failed' && e.phase === 'check'));
  });
});

describe('release: approval', () => {
  test('a stage with approval: required is not written or applied without an approval; exit 3', async () => {
    const plan = fopGate((d) => (stageOf(d, 'stable').approval = 'required'));
    const world = new FakeWorld(plan, 'baseline');
    const { result, log, events } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'awaiting-approval', stage: 'canary-widened', exitCode: 3 });
    assert.ok(!log.some((l) => l.includes('stable')));
    const needed = events.find((e) => e.event === 'approval-needed');
    assert.match(needed?.event === 'approval-needed' ? needed.how : '', /--approve stable/);
  });

  test('--approve lets it go on', async () => {
    const plan = fopGate((d) => (stageOf(d, 'stable').approval = 'required'));
    const world = new FakeWorld(plan, 'canary-widened');
    const { result } = await release({ plan, world, approve: ['stable'] });
    assert.deepEqual(result, { outcome: 'released', stage: 'stable', exitCode: 0 });
  });

  test('approving a stage the plan does not have is an error, not a silent no-op', () => {
    assert.throws(
      () => readApprovals({ flags: [], env: 'stabel' }, ['baseline', 'stable']),
      /approves 'stabel' \(from STEPWISE_APPROVE\).*not a stage/,
    );
  });
});

describe('release: resuming', () => {
  test('an update that did not finish (the file names a stage Pulumi did not record) is applied again with a refresh, then watched and continued', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary-widened', 'canary');
    const { result, log, events } = await release({ plan, world });
    assert.equal(result.outcome, 'released');
    assert.deepEqual(log.slice(0, 4), ['apply canary-widened --refresh', 'settle canary-widened', 'soak 300', 'gate canary-widened']);
    assert.ok(events.some((e) => e.event === 'reconcile' && e.recorded === 'canary'));
  });

  test('a stage the cluster is in is watched again before the release leaves it (a killed run may have left it unwatched)', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary');
    world.gates.canary = 'fail';
    const { result, log } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'rolled-back', stage: 'baseline', exitCode: 1 });
    assert.deepEqual(log, [
      'settle canary',
      'soak 300',
      'gate canary',
      'write baseline (from canary)',
      'apply baseline',
      'settle baseline',
    ]);
  });

  test('a signal during the soak stops the run with the stack file naming the applied stage; exit 130', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    const controller = new AbortController();
    world.onSoak = () => controller.abort();
    const { result } = await release({ plan, world, signal: controller.signal });
    assert.deepEqual(result, { outcome: 'interrupted', stage: 'canary', exitCode: 130 });
    assert.equal(world.recorded, 'canary');
  });
});

describe('release: --dry-run', () => {
  test('previews the next update with Pulumi, shows the later moves from the plan, and changes nothing', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary');
    const { result, log, events } = await release({ plan, world, dryRun: true });
    assert.deepEqual(result, { outcome: 'dry-run', stage: 'canary', exitCode: 0 });
    // Only the next update is previewed: a preview of stable against a cluster at canary would show the wrong move.
    assert.deepEqual(log, ['preview canary-widened']);
    const previews = events.filter((e) => e.event === 'preview');
    assert.deepEqual(
      previews.map((e) => [e.stage, e.from, e.source]),
      [
        ['canary-widened', 'canary', 'pulumi'],
        ['stable', 'canary-widened', 'plan'],
      ],
    );
    assert.match(previews[0].then, /soak 5m, ask the gate; on failure roll back/);
  });

  test("a later stage's move is the one stepwise diff shows from the stage before it, not from the cluster's stage", async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'baseline');
    const { events } = await release({ plan, world, dryRun: true });
    const stable = events.find((e) => e.event === 'preview' && e.stage === 'stable');
    assert.ok(stable?.event === 'preview');
    assert.deepEqual(stable.moves, [
      'fop-gate: image registry.example.com/dora/fop-gate:1.4.0 → registry.example.com/dora/fop-gate:1.5.0; replicas 7 → 9; traffic 70% → 90%',
      'fop-gate-canary: replicas 3 → 1; traffic 30% → 10%',
      'fop-gate: at least 10 ready endpoints (fewest during make), floor 10: ok',
    ]);
  });

  test('an update that did not finish is the one previewed with Pulumi, from no recorded stage', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary-widened');
    world.recorded = undefined; // the last update failed
    const { log, events } = await release({ plan, world, dryRun: true });
    assert.deepEqual(log, ['preview canary-widened']);
    const first = events.find((e) => e.event === 'preview');
    assert.deepEqual(first?.event === 'preview' ? [first.stage, first.from, first.source] : [], ['canary-widened', null, 'pulumi']);
  });
});

describe('release: a rollback that fails', () => {
  test('stops with the stack file naming the stage it was going back to, and says a re-run applies it', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary');
    world.gates['canary-widened'] = 'fail';
    world.failingUpdates.add('canary');
    const { result, events } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'failed', stage: 'canary', exitCode: 1 });
    assert.equal(world.fileStage, 'canary');
    const done = events.at(-1);
    assert.match(
      done?.event === 'done' ? done.reason : '',
      /canary-widened failed \(the metric gate is fail\), and the rollback to canary failed too .*run the release again/,
    );
  });
});

describe('release: a killed update (SIGKILL during pulumi up)', () => {
  const deadLock = { where: '/state/.pulumi/locks/organization/stepwise/fop-gate/1.json', pid: 4242, hostname: 'runner-1' };

  test("a lock of a dead process is removed and said; Pulumi's stage output is not trusted, so the file's stage is applied again and the release goes on", async () => {
    const plan = fopGate();
    // The killed update registered canary-widened as its stage output before any object changed.
    const world = new FakeWorld(plan, 'canary-widened', 'canary-widened');
    world.lock = { kind: 'removed', locks: [deadLock] };
    const { result, log, events } = await release({ plan, world });
    assert.equal(result.outcome, 'released');
    assert.deepEqual(log.slice(0, 3), ['locks: removed', 'apply canary-widened --refresh', 'settle canary-widened']);
    const start = events.find((e) => e.event === 'start');
    assert.ok(start?.event === 'start' && start.recorded === null);
    const removed = events.find((e) => e.event === 'lock-removed');
    assert.ok(removed?.event === 'lock-removed');
    assert.equal(removed.lock, deadLock.where);
    assert.equal(removed.pid, 4242);
    assert.match(removed.reason, /process 4242 no longer runs on this host/);
    assert.ok(events.some((e) => e.event === 'reconcile' && e.stage === 'canary-widened' && e.recorded === null));
  });

  test('operations the killed update left pending are cleared by a refresh before the stage is applied again, and said', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary-widened', 'canary-widened');
    world.lock = { kind: 'removed', locks: [deadLock] };
    const left = [{ urn: 'urn:pulumi:fop-gate::stepwise::kubernetes:apps/v1:Deployment::fop-gate-canary', operation: 'updating' }];
    world.pending = [...left];
    const { log, events } = await release({ plan, world });
    assert.deepEqual(log.slice(0, 3), ['locks: removed', 'refresh --clear-pending-creates (1)', 'apply canary-widened --refresh']);
    const pending = events.find((e) => e.event === 'pending-operations');
    assert.ok(pending?.event === 'pending-operations');
    assert.deepEqual(pending.operations, left);
  });

  test('a lock that may be a running update stops the release before anything is written or applied; exit 1 naming pulumi cancel', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary');
    world.lock = { kind: 'held', reason: 'the stack is locked by an update (…); free it with `pulumi cancel --stack fop-gate --yes`' };
    const { result, log, events } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'failed', stage: 'canary', exitCode: 1 });
    assert.deepEqual(log, ['locks: held']);
    const locked = events.find((e) => e.event === 'locked');
    assert.ok(locked?.event === 'locked');
    assert.match(locked.reason, /pulumi cancel --stack fop-gate/);
  });

  test('--dry-run never touches a lock', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary');
    world.lock = { kind: 'removed', locks: [deadLock] };
    const { log } = await release({ plan, world, dryRun: true });
    assert.ok(!log.includes('locks: removed'));
  });
});

describe('release: a resumed release whose first stage fails', () => {
  test('rolls back to the stage before, and says this run did not see that stage pass (no gate of this run vouches for it)', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary-widened');
    world.gates['canary-widened'] = 'fail';
    const { result, events } = await release({ plan, world });
    assert.deepEqual(result, { outcome: 'rolled-back', stage: 'canary', exitCode: 1 });
    const rollback = events.find((e) => e.event === 'rollback');
    assert.deepEqual(rollback, { event: 'rollback', stack: 'fop-gate', from: 'canary-widened', to: 'canary', vouched: false });
    const done = events[events.length - 1];
    assert.ok(done.event === 'done');
    assert.match(
      done.reason,
      /rolled back to canary, the stage before it, which this run did not see pass \(it resumed at canary-widened\)/,
    );
    assert.match(done.reason, /stepwise gate fop-gate/);
  });

  test('a stage that fails after one this run saw pass rolls back to it, vouched', async () => {
    const plan = fopGate();
    const world = new FakeWorld(plan, 'canary');
    world.gates['canary-widened'] = 'fail';
    const { events } = await release({ plan, world });
    const rollback = events.find((e) => e.event === 'rollback');
    assert.deepEqual(rollback, { event: 'rollback', stack: 'fop-gate', from: 'canary-widened', to: 'canary', vouched: true });
  });
});
