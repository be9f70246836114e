/**
 * `stepwise release` end to end: the built CLI run as a pipeline runs it, against the local
 * control plane, the real Pulumi engine (the Automation API with the project's own program, as
 * the product does) and a real Prometheus scraping the canary's request metrics. The suite
 * watches the namespace the whole time and holds the release to what the plan promises.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { stageState, transition, type Plan } from '../lib/model';
import { namespaceObject } from '../lib/constructs/release-namespace';
import { loadStack, stackFromText } from '../lib/stacks';
import { GitOpsSync } from './support/gitops-sync';
import type { KubeObject } from './support/kube-api';
import { prometheusScraping, type TrafficProfile } from '../test/support/prometheus';
import { ReleaseProject } from './support/pulumi-engine';
import { processIsAlive } from '../lib/release/stack-lock';
import { killJob, lastEvent, startRelease, type SeenEvent } from './support/release-run';
import { useSuite, withMinReadySeconds } from './support/suite';
import { describeNamespace, TransitionObserver } from './support/transition-observer';

const suite = useSuite();

const example = loadStack(path.resolve(__dirname, '..', 'stacks'), 'fop-gate').plan;
const labelsOf = (workload: string) => example.workloads.find((w) => w.name === workload)!.labels;

/** The canary's traffic: healthy until a test makes it fail (the metrics app reads it at every scrape). */
const canaryTraffic: { -readonly [K in keyof TrafficProfile]: TrafficProfile[K] } = {
  labels: labelsOf('fop-gate-canary'),
  requestsPerScrape: 100,
  errorShare: 0,
  slowShare: 0,
};
const prometheusUrl = prometheusScraping([
  canaryTraffic,
  { labels: labelsOf('fop-gate'), requestsPerScrape: 100, errorShare: 0, slowShare: 0 },
]);

/** The soak of every stage that has one, in the copies the tests release (5m in the example). */
const SOAK_SECONDS = 3;

/**
 * fop-gate made quick on the test cluster (1 s minReadySeconds, soaks of SOAK_SECONDS or as
 * given per stage), with a metric gate on `prometheus` over a 10 s window when given, and `edit`
 * applied to the plan's stages.
 */
function releasable(options: { prometheus?: string; soak?: Record<string, string>; approval?: string[] } = {}): (yaml: string) => string {
  return (yaml) => {
    const document = parseDocument(withMinReadySeconds(1)(yaml));
    const plan = ['config', 'stepwise:plan'];
    if (options.prometheus) document.setIn([...plan, 'analysis'], { prometheus: { url: options.prometheus }, interval: '10s' });
    example.stages.forEach((stage, i) => {
      if (document.hasIn([...plan, 'stages', i, 'soak'])) document.setIn([...plan, 'stages', i, 'soak'], `${SOAK_SECONDS}s`);
      const soak = options.soak?.[stage.name];
      if (soak) document.setIn([...plan, 'stages', i, 'soak'], soak);
      if (options.approval?.includes(stage.name)) document.setIn([...plan, 'stages', i, 'approval'], 'required');
    });
    return document.toString();
  };
}

/** The fewest ready endpoints the plan allows the Service during any move (its capacity floor). */
function capacityFloor(plan: Plan): number {
  return transition(plan, stageState(plan, 0), 1).services[0].capacityFloor;
}

/** Since the release saw its baseline pass, the Service never fell below the plan's capacity floor. */
async function assertFloorHeldSinceBaseline(observer: TransitionObserver, events: readonly SeenEvent[], plan: Plan): Promise<void> {
  const baselineReady = eventsOf(events, 'passed').find((e) => e.stage === 'baseline')!.seenAt;
  const min = observer.minReadyEndpoints('fop-gate', baselineReady, 10);
  assert.ok(
    min >= capacityFloor(plan),
    `the Service fell to ${min} ready endpoints\n${await describeNamespace(suite.cluster.api, plan.namespace)}`,
  );
}

/** The stage the last completed update recorded. */
async function recordedStage(project: ReleaseProject): Promise<unknown> {
  return (await project.stack.outputs()).stage?.value;
}

function eventsOf<E extends SeenEvent['event']>(events: readonly SeenEvent[], kind: E): Extract<SeenEvent, { event: E }>[] {
  return events.filter((e): e is Extract<SeenEvent, { event: E }> => e.event === kind);
}

async function deployment(namespace: string, name: string): Promise<{ replicas: number; image: string }> {
  const d = (await suite.cluster.api.get(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`)) as any;
  return { replicas: d.spec.replicas, image: d.spec.template.spec.containers[0].image };
}

/**
 * What `kubectl rollout history deployment/<name>` lists: each revision (a ReplicaSet of the
 * Deployment) and its CHANGE-CAUSE, which the Deployment controller copies from the Deployment
 * to the ReplicaSet of the current revision.
 */
async function rolloutHistory(namespace: string, name: string): Promise<[number, string | undefined][]> {
  const list = (await suite.cluster.api.get(`/apis/apps/v1/namespaces/${namespace}/replicasets`)) as any;
  return list.items
    .filter((rs: any) => rs.metadata.ownerReferences?.some((o: any) => o.kind === 'Deployment' && o.name === name))
    .map((rs: any): [number, string | undefined] => [
      Number(rs.metadata.annotations['deployment.kubernetes.io/revision']),
      rs.metadata.annotations['kubernetes.io/change-cause'],
    ])
    .sort((a: [number, unknown], b: [number, unknown]) => a[0] - b[0]);
}

test('a healthy canary is released from the first stage to the last, each stage soaked and gated, ready endpoints never below the floor', async () => {
  canaryTraffic.errorShare = 0;
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', releasable({ prometheus: prometheusUrl() }));
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  try {
    const release = startRelease(project, suite.engine.binDir, []);
    const { code, stderr } = await release.exited;
    const { events } = release;
    assert.equal(code, 0, `the release failed:\n${stderr}\n${JSON.stringify(events, null, 1)}`);
    assert.deepEqual(
      { ...lastEvent(events), seenAt: 0 },
      {
        event: 'done',
        stack: 'fop-gate',
        outcome: 'released',
        stage: 'stable',
        exitCode: 0,
        reason: 'stable is the last stage of the plan',
        seenAt: 0,
      },
    );
    // It started from nothing: the first stage applied, then every later one in order.
    assert.deepEqual(
      eventsOf(events, 'stack-file').map((e) => e.stage),
      ['canary', 'canary-widened', 'stable'],
    );
    for (const stage of ['canary', 'canary-widened', 'stable']) {
      const soakStarted = events.find((e) => e.event === 'phase' && e.stage === stage && e.phase === 'soak');
      const gate = events.find((e) => e.event === 'gate' && e.stage === stage);
      assert.ok(soakStarted && gate?.event === 'gate', `${stage} was soaked and gated`);
      assert.ok(gate.seenAt - soakStarted.seenAt >= SOAK_SECONDS * 1000, `${stage}: the gate was asked before the soak ended`);
      assert.equal(gate.verdict, 'pass');
      const successRate = gate.report?.metrics.find((m) => m.name === 'success-rate');
      assert.equal(successRate?.value, 1, `${stage}: the gate measured the canary's success rate in Prometheus`);
    }
    assert.equal(project.read().stage, 'stable');
    assert.equal(await recordedStage(project), 'stable');
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate'), { replicas: 9, image: 'registry.example.com/dora/fop-gate:1.5.0' });
    // kubectl rollout history deployment/fop-gate: each revision names the stage that made it.
    assert.deepEqual(await rolloutHistory(plan.namespace, 'fop-gate'), [
      [1, 'stepwise: stage baseline'],
      [2, 'stepwise: stage stable'],
    ]);
    assert.deepEqual(await rolloutHistory(plan.namespace, 'fop-gate-canary'), [
      [1, 'stepwise: stage baseline'],
      [2, 'stepwise: stage canary'],
    ]);

    await assertFloorHeldSinceBaseline(observer, events, plan);
  } finally {
    observer.stop();
    await project.destroy();
  }
});

test('a canary that fails the gate is rolled back to the last good stage automatically, ready endpoints never below the floor; exit 1 with the reason', async () => {
  canaryTraffic.errorShare = 0;
  // The widened stage soaks long enough for the gate's 10 s window to hold mostly failing requests.
  const project = await ReleaseProject.create(
    suite.engine,
    'fop-gate',
    releasable({ prometheus: prometheusUrl(), soak: { 'canary-widened': '8s' } }),
  );
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  try {
    // The canary starts answering 30% of its requests with 500 once it is widened.
    const release = startRelease(project, suite.engine.binDir, [], {
      onEvent: (event) => {
        if (event.event === 'stack-file' && event.stage === 'canary-widened') canaryTraffic.errorShare = 0.3;
      },
    });
    const { code, stderr } = await release.exited;
    const { events } = release;
    assert.equal(code, 1, stderr);
    const done = lastEvent(events);
    assert.ok(done?.event === 'done');
    assert.equal(done.outcome, 'rolled-back');
    assert.equal(done.stage, 'canary');
    assert.match(done.reason, /canary-widened failed \(the metric gate is fail\); rolled back to canary, the last good stage/);
    const gate = eventsOf(events, 'gate').find((e) => e.stage === 'canary-widened');
    assert.equal(gate?.verdict, 'fail');
    assert.ok((gate?.report?.metrics.find((m) => m.name === 'success-rate')?.value ?? 1) < 0.99);
    assert.deepEqual(
      eventsOf(events, 'rollback').map((e) => [e.from, e.to]),
      [['canary-widened', 'canary']],
    );

    // The stack file, Pulumi's record and the cluster agree on the last good stage.
    assert.equal(project.read().stage, 'canary');
    assert.equal(await recordedStage(project), 'canary');
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate'), { replicas: 9, image: 'registry.example.com/dora/fop-gate:1.4.0' });
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate-canary'), {
      replicas: 1,
      image: 'registry.example.com/dora/fop-gate:1.5.0',
    });
    assert.equal(await observer.settledReadyEndpoints('fop-gate', 10), 10);

    await assertFloorHeldSinceBaseline(observer, events, plan);
  } finally {
    canaryTraffic.errorShare = 0;
    observer.stop();
    await project.destroy();
  }
});

test('a release killed during a soak leaves the stack file and the cluster at the same stage, and a re-run resumes there', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', releasable({ soak: { canary: '30s' } }));
  const { plan } = project.read();
  try {
    // A killed CI job: SIGKILL, nothing runs after it.
    const killed = startRelease(project, suite.engine.binDir, [], {
      onEvent: (event, child) => {
        if (event.event === 'soak' && event.stage === 'canary') child.kill('SIGKILL');
      },
    });
    const first = await killed.exited;
    assert.equal(first.code, 137, first.stderr);
    assert.equal(project.read().stage, 'canary');
    assert.equal(await recordedStage(project), 'canary');
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate-canary'), {
      replicas: 1,
      image: 'registry.example.com/dora/fop-gate:1.5.0',
    });

    const resumed = startRelease(project, suite.engine.binDir, [], { env: {} });
    const second = await resumed.exited;
    assert.equal(second.code, 0, second.stderr);
    const { events } = resumed;
    assert.deepEqual(
      { ...events[0], seenAt: 0 },
      { event: 'start', stack: 'fop-gate', stage: 'canary', recorded: 'canary', to: 'stable', seenAt: 0 },
    );
    assert.equal(eventsOf(events, 'reconcile').length, 0, 'the cluster was where the file said: nothing to re-apply');
    // The canary's soak was cut short by the kill, so it is watched again before the release goes on.
    assert.ok(eventsOf(events, 'soak').some((e) => e.stage === 'canary'));
    assert.deepEqual(
      eventsOf(events, 'stack-file').map((e) => e.stage),
      ['canary-widened', 'stable'],
    );
    assert.equal(project.read().stage, 'stable');
    assert.equal(await recordedStage(project), 'stable');
  } finally {
    await project.destroy();
  }
});

test('Ctrl-C during an update cancels it and exits 130; the re-run applies the interrupted stage again (with a refresh), then goes on', async () => {
  // Rollouts of about 8 s, so the update of canary-widened is still waiting for its pods when Ctrl-C comes.
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', (yaml) => withMinReadySeconds(8)(releasable()(yaml)));
  try {
    const interrupted = startRelease(project, suite.engine.binDir, [], {
      onEvent: (event, child) => {
        if (event.event === 'phase' && event.stage === 'canary-widened' && event.phase === 'apply')
          setTimeout(() => child.kill('SIGINT'), 3000);
      },
    });
    const first = await interrupted.exited;
    assert.equal(first.code, 130, first.stderr);
    const done = lastEvent(interrupted.events);
    assert.ok(done?.event === 'done' && done.outcome === 'interrupted' && done.stage === 'canary-widened');
    // The file names the stage whose update was cut short. Pulumi's stage output says
    // canary-widened too (a cancelled update keeps the outputs its program registered), but the
    // update is recorded as failed, so the release does not trust it.
    assert.equal(project.read().stage, 'canary-widened');
    const [last] = await project.stack.history(1);
    assert.equal(last.result, 'failed');

    const resumed = startRelease(project, suite.engine.binDir, []);
    const second = await resumed.exited;
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      eventsOf(resumed.events, 'reconcile').map((e) => [e.stage, e.recorded]),
      [['canary-widened', null]],
    );
    assert.equal(project.read().stage, 'stable');
    assert.equal(await recordedStage(project), 'stable');
  } finally {
    await project.destroy();
  }
});

test('a job killed (SIGKILL, its whole process tree) while pulumi up runs leaves the stack locked; the re-run removes the dead lock, applies the interrupted stage again and finishes; never below the floor', async (t) => {
  // Rollouts of about 8 s, so the update of canary-widened is still running when the job is killed.
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', (yaml) => withMinReadySeconds(8)(releasable()(yaml)));
  const { plan } = project.read();
  const lockDir = path.join(
    new URL(suite.engine.env.PULUMI_BACKEND_URL).pathname,
    '.pulumi',
    'locks',
    'organization',
    'stepwise',
    'fop-gate',
  );
  const lockFiles = () => (fs.existsSync(lockDir) ? fs.readdirSync(lockDir).filter((f) => f.endsWith('.json')) : []);
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  try {
    let killedCommands: string[] = [];
    let killedWhileLocked = false;
    const killed = startRelease(project, suite.engine.binDir, [], {
      processGroup: true,
      onEvent: (event, child) => {
        if (event.event !== 'phase' || event.stage !== 'canary-widened' || event.phase !== 'apply') return;
        // The update has started once pulumi holds the stack's lock; kill the job a few seconds into it.
        const started = Date.now();
        const poll = setInterval(() => {
          if (lockFiles().length > 0 || Date.now() - started > 30_000) {
            clearInterval(poll);
            setTimeout(() => {
              killedWhileLocked = lockFiles().length > 0;
              killedCommands = killJob(child.pid!);
            }, 3000);
          }
        }, 100);
      },
    });
    const first = await killed.exited;
    assert.equal(first.code, 137, first.stderr);
    assert.ok(killedWhileLocked, 'the job was killed while pulumi up held the lock');
    assert.ok(
      killedCommands.some((c) => path.basename(c) === 'pulumi'),
      `the pulumi CLI was among the killed processes: ${killedCommands.join(', ')}`,
    );
    // What a killed `pulumi up` leaves: the stack file names the stage, the lock is still there.
    assert.equal(project.read().stage, 'canary-widened');
    const [lockFile] = lockFiles();
    assert.ok(lockFile, 'the killed update left its lock');
    const lock = JSON.parse(fs.readFileSync(path.join(lockDir, lockFile), 'utf8')) as { pid: number; hostname: string };
    assert.equal(lock.hostname, os.hostname());
    // The re-run comes once the job is gone: SIGKILL is delivered at once, but the kernel may take a
    // moment to end the process (a zombie left unreaped counts as gone; see processIsAlive).
    for (let i = 0; i < 100 && processIsAlive(lock.pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(processIsAlive(lock.pid), false, `the killed pulumi (pid ${lock.pid}) has ended`);
    const pendingLeft = ((await project.stack.exportStack()).deployment as { pending_operations?: unknown[] }).pending_operations ?? [];
    t.diagnostic(
      `killed: ${killedCommands.map((c) => path.basename(c)).join(', ')}; pending operations left: ${JSON.stringify(pendingLeft.map((op: any) => [op.type, op.resource?.urn?.split('::').pop()]))}`,
    );

    const resumed = startRelease(project, suite.engine.binDir, []);
    const second = await resumed.exited;
    const { events } = resumed;
    assert.equal(second.code, 0, `${second.stderr}\n${JSON.stringify(events, null, 1)}`);
    assert.deepEqual(
      eventsOf(events, 'lock-removed').map((e) => [e.lock, e.pid, e.hostname]),
      [[path.join(lockDir, lockFile), lock.pid, os.hostname()]],
    );
    assert.deepEqual(lockFiles(), [], 'no lock is left');
    // The killed update's stage output is not trusted: the file's stage is applied again.
    assert.deepEqual(
      eventsOf(events, 'reconcile').map((e) => [e.stage, e.recorded]),
      [['canary-widened', null]],
    );
    assert.equal(
      eventsOf(events, 'pending-operations').reduce((n, e) => n + e.operations.length, 0),
      pendingLeft.length,
      'every operation the killed update left pending was cleared (and said)',
    );
    assert.deepEqual(
      (((await project.stack.exportStack()).deployment as { pending_operations?: unknown[] }).pending_operations ?? []).length,
      0,
    );
    // The interrupted stage is watched before the release goes on, then the last stage.
    assert.ok(eventsOf(events, 'passed').some((e) => e.stage === 'canary-widened'));
    assert.deepEqual(
      eventsOf(events, 'stack-file').map((e) => e.stage),
      ['stable'],
    );
    const done = lastEvent(events);
    assert.ok(done?.event === 'done' && done.outcome === 'released' && done.stage === 'stable');
    // The stack file, Pulumi's record and the cluster agree.
    assert.equal(project.read().stage, 'stable');
    assert.equal(await recordedStage(project), 'stable');
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate'), { replicas: 9, image: 'registry.example.com/dora/fop-gate:1.5.0' });
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate-canary'), {
      replicas: 1,
      image: 'registry.example.com/dora/fop-gate:1.5.0',
    });
    assert.equal(await observer.settledReadyEndpoints('fop-gate', 10), 10);
    // Across the kill and the re-run, the Service never fell below its floor.
    await assertFloorHeldSinceBaseline(observer, killed.events, plan);
  } finally {
    observer.stop();
    // A failed assertion may leave the killed update's lock: free it, so the failure shows rather
    // than the clean-up's "the stack is currently locked".
    await project.stack.cancel().catch(() => undefined);
    await project.destroy();
  }
});

test('a lock another host holds stops the release before anything changes, naming pulumi cancel; pulumi cancel frees it and the release goes on', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', releasable());
  const lockDir = path.join(
    new URL(suite.engine.env.PULUMI_BACKEND_URL).pathname,
    '.pulumi',
    'locks',
    'organization',
    'stepwise',
    'fop-gate',
  );
  // What `pulumi up` on another CI runner writes while it runs (pkg/backend/diy/lock.go).
  fs.mkdirSync(lockDir, { recursive: true });
  const lockFile = path.join(lockDir, '3f1c2a9e-0000-4000-8000-000000000000.json');
  fs.writeFileSync(
    lockFile,
    JSON.stringify({ pid: 4242, username: 'runner', hostname: 'another-runner', timestamp: '2026-11-30T16:00:00Z' }),
  );
  const before = project.read();
  try {
    const refused = startRelease(project, suite.engine.binDir, []);
    const first = await refused.exited;
    assert.equal(first.code, 1, first.stderr);
    const locked = eventsOf(refused.events, 'locked');
    assert.equal(locked.length, 1);
    assert.match(locked[0].reason, /another host \(another-runner\)/);
    assert.match(locked[0].reason, /pulumi cancel --stack fop-gate --yes/);
    assert.deepEqual(eventsOf(refused.events, 'stack-file'), [], 'nothing written');
    assert.equal(eventsOf(refused.events, 'phase').length, 0, 'nothing checked, applied or watched');
    // The stage keys are as they were. (Pulumi itself writes `encryptionsalt` into a stack file that
    // lacks it when the stack already exists in the backend, as it does here after earlier tests.)
    assert.deepEqual([project.read().stage, project.read().fromStage], [before.stage, before.fromStage]);
    assert.ok(fs.existsSync(lockFile), 'the lock is left to its owner');

    // `pulumi cancel` (the Automation API's stack.cancel()) deletes a DIY backend's lock files.
    await project.stack.cancel();
    assert.equal(fs.existsSync(lockFile), false);
    const released = startRelease(project, suite.engine.binDir, ['--to', 'canary']);
    const second = await released.exited;
    assert.equal(second.code, 0, second.stderr);
    assert.equal(project.read().stage, 'canary');
  } finally {
    fs.rmSync(lockFile, { force: true });
    await project.destroy();
  }
});

test('a stage that needs an approval is not applied without one (exit 3), and is with STEPWISE_APPROVE', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', releasable({ approval: ['stable'] }));
  const { plan } = project.read();
  try {
    const unapproved = startRelease(project, suite.engine.binDir, []);
    const first = await unapproved.exited;
    assert.equal(first.code, 3, first.stderr);
    const needed = eventsOf(unapproved.events, 'approval-needed');
    assert.deepEqual(
      needed.map((e) => e.stage),
      ['stable'],
    );
    assert.match(needed[0].how, /--approve stable/);
    assert.equal(project.read().stage, 'canary-widened');
    assert.equal(await recordedStage(project), 'canary-widened');
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate'), { replicas: 7, image: 'registry.example.com/dora/fop-gate:1.4.0' });

    const approved = startRelease(project, suite.engine.binDir, [], { env: { STEPWISE_APPROVE: 'stable' } });
    const second = await approved.exited;
    assert.equal(second.code, 0, second.stderr);
    assert.equal(project.read().stage, 'stable');
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate'), { replicas: 9, image: 'registry.example.com/dora/fop-gate:1.5.0' });
  } finally {
    await project.destroy();
  }
});

test('--gitops: each stage rendered and committed, synced by the GitOps controller, waited for, soaked and gated; never below the floor', async () => {
  canaryTraffic.errorShare = 0;
  // A GitOps repository: the stack file (sync waves on, as a GitOps plan has them) and the rendered folder.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-release-gitops-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', 'stepwise e2e');
  git('config', 'user.email', 'e2e@example.com');
  fs.mkdirSync(path.join(dir, 'stacks'));
  const file = path.join(dir, 'stacks', 'Pulumi.fop-gate.yaml');
  const source = fs.readFileSync(path.resolve(__dirname, '..', 'stacks', 'Pulumi.fop-gate.yaml'), 'utf8');
  const document = parseDocument(releasable({ prometheus: prometheusUrl() })(source));
  document.setIn(['config', 'stepwise:plan', 'gitops', 'syncWaves'], true);
  fs.writeFileSync(file, document.toString());
  git('add', '.');
  git('commit', '--quiet', '-m', 'fop-gate');
  const { plan } = stackFromText('fop-gate', file, fs.readFileSync(file, 'utf8'));
  await suite.cluster.api.apply('/api/v1/namespaces', namespaceObject(plan) as KubeObject);
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);

  // The GitOps controller: syncs every new commit in waves (Argo CD polls; this polls every 0.5 s).
  // Asynchronous git while the observer watches: a blocked event loop stamps its events late.
  const gitAsync = async (...args: string[]) => (await promisify(execFile)('git', args, { cwd: dir, encoding: 'utf8' })).stdout.trim();
  const controller = new GitOpsSync(suite, dir, 'fop-gate', plan.namespace);
  let synced = git('rev-parse', 'HEAD');
  const syncedCommits: string[] = [];
  let stopped = false;
  const controllerLoop = (async () => {
    while (!stopped) {
      const head = await gitAsync('rev-parse', 'HEAD');
      if (head !== synced) {
        await controller.syncRendered();
        synced = head;
        syncedCommits.push(await gitAsync('log', '-1', '--format=%s', head));
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  try {
    const release = startRelease({ dir, stackName: 'fop-gate', env: suite.engine.env }, undefined, [
      '--gitops',
      '--commit',
      '--settle-timeout',
      '180',
    ]);
    const { code, stderr } = await release.exited;
    const { events } = release;
    assert.equal(code, 0, `the release failed:\n${stderr}\n${JSON.stringify(events, null, 1)}`);
    const done = lastEvent(events);
    assert.ok(done?.event === 'done' && done.stage === 'stable');
    assert.deepEqual(
      syncedCommits,
      ['baseline', 'canary', 'canary-widened', 'stable'].map((s) => `stepwise release fop-gate: stage ${s}`),
    );
    assert.deepEqual(
      eventsOf(events, 'gate').map((e) => [e.stage, e.verdict]),
      [
        ['baseline', 'none'],
        ['canary', 'pass'],
        ['canary-widened', 'pass'],
        ['stable', 'pass'],
      ],
    );
    assert.equal(git('status', '--porcelain'), '', 'the stack file and the render are committed');
    assert.deepEqual(await deployment(plan.namespace, 'fop-gate'), { replicas: 9, image: 'registry.example.com/dora/fop-gate:1.5.0' });
    await assertFloorHeldSinceBaseline(observer, events, plan);
  } finally {
    stopped = true;
    await controllerLoop;
    observer.stop();
    await suite.cluster.api.delete(`/api/v1/namespaces/${plan.namespace}`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
