/**
 * `stepwise status` against a real control plane: stages applied with kubectl (the manifests of
 * `stepwise render`, as a GitOps controller would apply them), then changed by hand, and what
 * status says about each — the stage, drift named by workload and field, rollouts in progress,
 * missing objects, and traffic shares from the real EndpointSlices. Needs no Pulumi engine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { StatusReport } from '../lib/status/status-report';
import { runCli, type CliResult } from '../test/support/cli';
import { e2eBinaries, kubectl, type ControlPlaneBinaries } from './support/binaries';
import { NEVER_READY_ANNOTATION, startCluster, type Cluster } from './support/control-plane';
import { withMinReadySeconds } from './support/suite';

let binaries: ControlPlaneBinaries | undefined;
let cluster: Cluster;
/** A project directory holding a copy of stacks/, made quick to roll out (minReadySeconds 1). */
let project: string;

before(async () => {
  binaries = process.env.KUBECONFIG ? undefined : e2eBinaries({ pulumi: false });
  cluster = await startCluster(binaries);
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-status-'));
  fs.mkdirSync(path.join(project, 'stacks'));
  const quick = withMinReadySeconds(1);
  for (const file of fs.readdirSync(path.resolve(__dirname, '..', 'stacks'))) {
    const text = fs.readFileSync(path.resolve(__dirname, '..', 'stacks', file), 'utf8');
    fs.writeFileSync(path.join(project, 'stacks', file), quick(text));
  }
});

after(async () => {
  await cluster?.stop();
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

/** `stepwise ARGS` in the project, against the test cluster (or `kubeconfig`). */
async function stepwise(args: readonly string[], kubeconfig = cluster.kubeconfig): Promise<CliResult> {
  const result = await runCli(args, { cwd: project, env: { KUBECONFIG: kubeconfig }, timeoutMs: 60_000 });
  assert.doesNotMatch(result.stderr, /^\s+at /m, `stderr shows a stack trace:\n${result.stderr}`);
  return result;
}

/** kubectl against the test cluster; its output. */
function kube(args: readonly string[], input?: string): string {
  return execFileSync(kubectl(binaries), ['--kubeconfig', cluster.kubeconfig, ...args], { encoding: 'utf8', input });
}

/** Applies the manifests of `stage` of `stack` (optionally edited first), creating the namespace if needed. */
async function applyStage(stack: string, stage: string, edit: (objects: any[]) => void = () => undefined): Promise<void> {
  const rendered = await stepwise(['render', stack, '--stage', stage]);
  assert.equal(rendered.code, 0, rendered.stderr);
  const objects = rendered.stdout.split(/^---$/m).map((doc) => parse(doc));
  edit(objects);
  const namespace = objects[0].metadata.namespace as string;
  kube(['apply', '--server-side', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
  kube(['apply', '--server-side', '--force-conflicts', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
}

/** `stepwise status STACK --json`, parsed, with its exit code. */
async function status(stack: string, ...args: string[]): Promise<{ code: number; report: StatusReport }> {
  const result = await stepwise(['status', stack, '--json', ...args]);
  assert.ok(result.code === 0 || result.code === 1, `status exited ${result.code}\n${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout) as StatusReport };
}

/** Polls `status` until `done` holds (a rollout settles), failing with the last report after `timeoutMs`. */
async function statusUntil(stack: string, done: (r: StatusReport, code: number) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await status(stack);
    if (done(last.report, last.code)) return last;
    if (Date.now() > deadline)
      assert.fail(`status ${stack} did not get there in ${timeoutMs} ms; last:\n${JSON.stringify(last.report, null, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Sets `stepwise:stage` in the project's copy of the stack file (what `promote` would have done). */
function setStackStage(stack: string, stage: string): void {
  const file = path.join(project, 'stacks', `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/stepwise:stage: \S+/, `stepwise:stage: ${stage}`));
}

const shares = (r: StatusReport, service: string) =>
  Object.fromEntries((r.services.find((s) => s.name === service)?.workloads ?? []).map((w) => [w.workload, [w.ready, w.share]]));

describe('fop-gate on a live cluster', () => {
  test('applied at baseline, once settled it is reported at baseline: exit 0, 9 and 1 ready endpoints from its EndpointSlices', async () => {
    await applyStage('fop-gate', 'baseline');
    const { code, report } = await statusUntil('fop-gate', (_, c) => c === 0);
    assert.equal(code, 0);
    assert.deepEqual([report.stage, report.stackStage, report.findings], ['baseline', 'baseline', []]);
    assert.deepEqual(shares(report, 'fop-gate'), { 'fop-gate': [9, 0.9], 'fop-gate-canary': [1, 0.1] });
    assert.deepEqual(
      report.deployments.map((d) => [d.name, d.desired, d.ready, d.updated, d.images]),
      [
        ['fop-gate', 9, 9, 9, { 'fop-gate': 'registry.example.com/dora/fop-gate:1.4.0' }],
        ['fop-gate-canary', 1, 1, 1, { 'fop-gate': 'registry.example.com/dora/fop-gate:1.4.0' }],
      ],
    );
  });

  test('--json has every key of the report', async () => {
    const { report } = await status('fop-gate');
    assert.deepEqual(Object.keys(report), [
      'stack',
      'namespace',
      'context',
      'server',
      'stackStage',
      'stage',
      'matches',
      'comparedStage',
      'drift',
      'nearest',
      'rolling',
      'namespaceExists',
      'deployments',
      'services',
      'router',
      'missing',
      'extra',
      'ownerLabels',
      'findings',
      'exitCode',
    ]);
    assert.equal(report.context, 'stepwise-e2e');
    assert.match(report.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(Object.keys(report.services[0].workloads[0]), [
      'workload',
      'ready',
      'notReady',
      'share',
      'plannedReady',
      'plannedShare',
    ]);
  });

  test('promoted by hand to canary, once the rollout settles it is reported at canary, the stack file still at baseline', async () => {
    await applyStage('fop-gate', 'canary');
    const { code, report } = await statusUntil('fop-gate', (r, c) => r.stage === 'canary' && c === 0);
    assert.equal(code, 0);
    assert.equal(report.stackStage, 'baseline');
    assert.deepEqual(report.deployments.find((d) => d.name === 'fop-gate-canary')?.images, {
      'fop-gate': 'registry.example.com/dora/fop-gate:1.5.0',
    });
    const text = (await stepwise(['status', 'fop-gate'])).stdout;
    assert.match(text, /^stage: canary; the stack file says baseline \(stepwise:stage\), not applied yet$/m);
  });

  test('scaled by hand: drift naming the workload and the field, and the shares the real endpoints give', async () => {
    setStackStage('fop-gate', 'canary');
    kube(['-n', 'dora-apps', 'scale', 'deployment/fop-gate', '--replicas=7']);
    const settled = { 'fop-gate': [7, 7 / 8], 'fop-gate-canary': [1, 1 / 8] };
    // The two pods scaled away can linger in the EndpointSlice for a while on a busy machine, not
    // ready and counted under no workload: wait until they are gone.
    const { code, report } = await statusUntil(
      'fop-gate',
      (r) => r.rolling.length === 0 && isDeepStrictEqual(shares(r, 'fop-gate'), settled),
    );
    assert.equal(code, 1);
    assert.deepEqual([report.stage, report.findings], [null, ['drift']]);
    assert.deepEqual(report.drift, [{ kind: 'Deployment', name: 'fop-gate', field: 'spec.replicas', live: 7, planned: 9 }]);
    assert.deepEqual(shares(report, 'fop-gate'), settled);
    const result = await stepwise(['status', 'fop-gate']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^ {2}Deployment fop-gate: spec\.replicas is 7, canary has 9$/m);
    assert.match(result.stdout, /^result: drift from the plan \(exit 1\)$/m);
  });

  test('a Service deleted by hand is missing', async () => {
    await applyStage('fop-gate', 'canary');
    await statusUntil('fop-gate', (_, c) => c === 0);
    kube(['-n', 'dora-apps', 'delete', 'service', 'fop-gate']);
    const { code, report } = await status('fop-gate');
    assert.equal(code, 1);
    assert.deepEqual(report.missing, [{ kind: 'Service', name: 'fop-gate' }]);
    assert.ok(report.findings.includes('missing'));
    const text = (await stepwise(['status', 'fop-gate'])).stdout;
    assert.match(text, /^missing: Service fop-gate$/m);
  });
});

describe('web-nginx on a live cluster', () => {
  test('a new workload whose pods never turn ready: at the stage, rolling, with no traffic share yet', async () => {
    await applyStage('web-nginx', 'v1-only');
    await statusUntil('web-nginx', (_, c) => c === 0);
    await applyStage('web-nginx', 'v2-canary', (objects) => {
      const v2 = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'nginx-v2');
      v2.spec.template.metadata.annotations = { ...v2.spec.template.metadata.annotations, [NEVER_READY_ANNOTATION]: 'true' };
    });
    const { code, report } = await statusUntil('web-nginx', (r) => r.stage === 'v2-canary' && r.rolling.length > 0);
    assert.equal(code, 1);
    assert.deepEqual(report.findings, ['rolling']);
    assert.deepEqual(
      report.rolling.map((p) => p.deployment),
      ['nginx-v2'],
    );
    assert.ok(report.rolling[0].waitingFor.includes('0 of 1 available'), report.rolling[0].waitingFor.join(', '));
    const service = report.services.find((s) => s.name === 'nginx-svc');
    const v2 = service?.workloads.find((w) => w.workload === 'nginx-v2');
    // The plan counts 1 of 7 endpoints for v2; the cluster has none ready.
    assert.deepEqual(v2 && [v2.ready, v2.share, v2.plannedReady], [0, 0, 1]);
    assert.ok(Math.abs((v2?.plannedShare ?? 0) - 1 / 7) < 1e-9);
    assert.deepEqual(shares(report, 'nginx-svc')['nginx-dm'], [6, 1]);
  });

  test('the cutover applied: the Service selects v2 only, reported at cutover', async () => {
    await applyStage('web-nginx', 'cutover');
    const { report } = await statusUntil('web-nginx', (r) => r.stage === 'cutover' && r.rolling.length === 0);
    assert.deepEqual(shares(report, 'nginx-svc'), { 'nginx-v2': [6, 1] });
  });
});

describe('a cluster status cannot reach', () => {
  test('a server nothing listens on: exit 3, naming the server and the context; --context picks a working one', async () => {
    const config = JSON.parse(fs.readFileSync(cluster.kubeconfig, 'utf8'));
    const dead = structuredClone(config.clusters[0]);
    dead.name = 'gone';
    dead.cluster.server = 'https://127.0.0.1:1';
    config.clusters.push(dead);
    config.contexts.push({ name: 'gone', context: { cluster: 'gone', user: config.users[0].name } });
    config['current-context'] = 'gone';
    const file = path.join(project, 'two-contexts.kubeconfig');
    fs.writeFileSync(file, JSON.stringify(config));

    const unreachable = await stepwise(['status', 'fop-gate'], file);
    assert.equal(unreachable.code, 3, unreachable.stderr);
    assert.equal(unreachable.stdout, '');
    assert.match(
      unreachable.stderr,
      /^stepwise: status fop-gate: cannot read the cluster at https:\/\/127\.0\.0\.1:1 \(context gone\): .*ECONNREFUSED/,
    );

    const chosen = await stepwise(['status', 'fop-gate', '--context', 'stepwise-e2e', '--json'], file);
    assert.ok(chosen.code === 0 || chosen.code === 1, chosen.stderr);
    assert.equal((JSON.parse(chosen.stdout) as StatusReport).context, 'stepwise-e2e');
  });
});
