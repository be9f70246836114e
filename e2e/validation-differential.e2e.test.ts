/**
 * The differential test of validation (issue #13): whatever `check` accepts, the API server must
 * accept at every stage. Three corpora, judged by a real kube-apiserver:
 *
 * - the hand-written stack files stepwise ships (stacks/ and test/fixtures/stacks/): `check` passes
 *   them, and `render --all-stages` gives manifests every stage of which passes
 *   `kubectl apply --server-side --dry-run=server`;
 * - hand-written plans `check` refuses (e2e/support/refused-plans.ts): the API server refuses the
 *   objects they render to as well, so `check` refuses them for the API server's reasons;
 * - generated stack files with pod template, Service, name and router fields at the limits
 *   (test/support/boundary-plan-generators.ts), from a fixed seed: every one `check` accepts is
 *   rendered and dry-run at every stage. A refusal is a hole in `check`; fast-check shrinks the
 *   plan and the failure shows it with the API server's message.
 *
 * The traffic routers' custom kinds are judged too: the SMI TrafficSplit and Gateway API HTTPRoute
 * CRDs: the Gateway API's own (with their validation rules) and SMI TrafficSplit's (e2e/support/crds.ts).
 *
 * `STEPWISE_DIFFERENTIAL_RUNS` (default 400) and `STEPWISE_DIFFERENTIAL_SEED` (default 13) set the
 * generated corpus.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { KubeObject } from '../lib/model/kube-object';
import { parsePlan, parsePlanWithProblems, type Plan } from '../lib/model';
import { routerObjects, type WeightedRouting } from '../lib/routing';
import { listStacks, loadStack } from '../lib/stacks';
import { runCli } from '../test/support/cli';
import { boundaryPlanDataArbitrary } from '../test/support/boundary-plan-generators';
import { exampleConfig, FIXTURE_STACKS_DIR, STACKS_DIR, tempDir } from '../test/support/example-stacks';
import { stackFileText, type PlanData } from '../test/support/plan-generators';
import { e2eBinaries, kubectl } from './support/binaries';
import { startCluster, type Cluster } from './support/control-plane';
import { REFUSED_PLANS, type RefusedPlan } from './support/refused-plans';
import { installRouterCrds } from './support/crds';
import { applyManifests, manifestsOf } from './support/server-dry-run';
import { renderWithoutChecks } from './support/unchecked-render';
import { createNamespace, judgeStack, podSecurityRefusals, type DifferentialCluster, type Verdict } from './support/validation-verdict';

const RUNS = Number(process.env.STEPWISE_DIFFERENTIAL_RUNS ?? 400);
const SEED = Number(process.env.STEPWISE_DIFFERENTIAL_SEED ?? 13);

let started: Cluster;
let cluster: DifferentialCluster;
/** Where the CLI writes: one folder for the file, removed when the process exits. */
const scratch = tempDir('stepwise-differential-');

before(async () => {
  const binaries = process.env.KUBECONFIG ? undefined : e2eBinaries();
  started = await startCluster(binaries);
  cluster = { api: started.api, kubeconfig: started.kubeconfig, kubectl: kubectl(binaries) };
  if (binaries) await installRouterCrds(started.api, binaries, kubectl(binaries), started.kubeconfig);
});

after(async () => {
  await started?.stop();
});

/** The hand-written stack files stepwise ships: the examples, and the fixtures tests deploy. */
const SHIPPED = [
  ...listStacks(STACKS_DIR).map((name) => ({ name, dir: STACKS_DIR })),
  ...listStacks(FIXTURE_STACKS_DIR).map((name) => ({ name, dir: FIXTURE_STACKS_DIR })),
];

describe('the stack files stepwise ships: check accepts them, and the API server accepts every stage', () => {
  for (const { name, dir } of SHIPPED) {
    test(name, async () => {
      const checked = await runCli(['check', name, '--stacks', dir]);
      assert.equal(checked.code, 0, `stepwise check ${name}:\n${checked.stdout}${checked.stderr}`);

      const out = fs.mkdtempSync(path.join(scratch, 'render-'));
      const rendered = await runCli(['render', name, '--all-stages', '--out', out, '--stacks', dir]);
      assert.equal(rendered.code, 0, rendered.stderr);
      const { plan } = loadStack(dir, name);
      await createNamespace(cluster, plan);
      for (const stage of plan.stages.map((s) => s.name)) {
        const stageDir = path.join(out, name, stage);
        const files = fs.readdirSync(stageDir).sort();
        const manifests = files.map((file) => ({ name: file, yaml: fs.readFileSync(path.join(stageDir, file), 'utf8') }));
        const verdict = await applyManifests(cluster, manifests);
        const refusals = [...verdict.errors, ...podSecurityRefusals(plan, verdict.warnings)];
        assert.ok(verdict.accepted && refusals.length === 0, `${name}, stage ${stage}: the API server refused\n${refusals.join('\n')}`);
      }
    });
  }
});

describe('plans check refuses: the API server refuses them too', () => {
  REFUSED_PLANS.forEach((refused, i) => {
    test(refused.name, async () => {
      const namespace = `refused-${i}`;
      const { stack, planData } = refusedStack(refused, namespace);

      const stacks = fs.mkdtempSync(path.join(scratch, 'refused-'));
      fs.writeFileSync(path.join(stacks, `Pulumi.${refused.stack}.yaml`), stack);
      const checked = await runCli(['check', refused.stack, '--stacks', stacks]);
      assert.equal(checked.code, 1, `stepwise check accepted it:\n${checked.stdout}`);
      assert.ok(
        checked.stderr.includes(`config.stepwise:plan.${refused.keyPath}: `),
        `stepwise check did not report ${refused.keyPath}:\n${checked.stderr}`,
      );

      // Stored for real, only the Services are applied (they hold the node ports), and deleted after.
      const objects = refusedObjects(refused, planData).filter((o) => !refused.stored || o.kind === 'Service');
      const namespaceObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
      await cluster.api.apply('/api/v1/namespaces', namespaceObject);
      try {
        const verdict = await applyManifests(cluster, manifestsOf(objects), { dryRun: !refused.stored });
        assert.ok(!verdict.accepted, `the API server accepted what check refuses (${refused.keyPath})`);
        assert.match(verdict.errors.join('\n'), refused.server);
      } finally {
        if (refused.stored)
          for (const o of objects) await cluster.api.delete(`/api/v1/namespaces/${namespace}/services/${o.metadata.name}`);
      }
    });
  });
});

describe('generated stack files: whatever check accepts, the API server accepts at every stage', () => {
  test(`${RUNS} plans from seed ${SEED}`, async (t) => {
    const tally = new Map<string, number>();
    const features = new Map<string, number>();
    const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    const since = performance.now();

    const details = await fc.check(
      fc.asyncProperty(boundaryPlanDataArbitrary(), async (planData) => {
        const verdict = await judgeStack(cluster, 'generated', generatedStackText(planData));
        count(tally, verdict.kind === 'refused' ? `refused by ${verdict.by}` : verdict.kind);
        if (verdict.kind === 'accepted') for (const feature of featuresOf(planData)) count(features, feature);
        if (verdict.kind === 'hole') throw new Error(describeHole(verdict));
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: false },
    );

    if (details.failed) {
      const [planData] = details.counterexample ?? [];
      assert.fail(
        `check accepted a plan the ${(details.errorInstance as Error).message}\n` +
          `--- the stack file (shrunk ${details.numShrinks} times; seed ${details.seed}, path ${details.counterexamplePath}):\n` +
          (planData ? generatedStackText(planData) : '(none)'),
      );
    }
    const seconds = ((performance.now() - since) / 1000).toFixed(0);
    t.diagnostic(`${RUNS} plans in ${seconds} s: ${[...tally].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    t.diagnostic(`accepted plans with: ${[...features].map(([k, n]) => `${k} ${n}`).join(', ')}`);

    // The corpus is only worth its name if most plans reach the API server, with every kind of field.
    const accepted = tally.get('accepted') ?? 0;
    assert.ok(accepted >= RUNS / 2, `only ${accepted} of ${RUNS} generated plans were accepted by check`);
    for (const feature of FEATURES) {
      assert.ok((features.get(feature) ?? 0) >= 5, `only ${features.get(feature) ?? 0} accepted plans with ${feature}`);
    }
  });
});

/** The refused plan's stack file (in its own namespace) and its edited plan data. */
function refusedStack(refused: RefusedPlan, namespace: string): { stack: string; planData: PlanData } {
  const config = exampleConfig(refused.stack);
  const planData = config['stepwise:plan'] as PlanData;
  planData.namespace = namespace;
  refused.edit(planData);
  return { stack: stringify({ config }), planData };
}

/** The objects the API server judges for a refused plan (see `RenderedAs`). */
function refusedObjects(refused: RefusedPlan, planData: PlanData): KubeObject[] {
  const { rendered } = refused;
  const stage = exampleConfig(refused.stack)['stepwise:stage'] as string;
  if ('asRead' in rendered) {
    const { plan, problems } = parsePlanWithProblems(planData);
    assert.ok(plan, `the plan could not be read:\n${problems.map((p) => p.message).join('\n')}`);
    assert.ok(
      problems.some((p) => p.keyPath === refused.keyPath),
      `no problem at ${refused.keyPath}:\n${problems.map((p) => p.message).join('\n')}`,
    );
    return renderWithoutChecks(plan, stage);
  }
  const unedited = exampleConfig(refused.stack)['stepwise:plan'] as PlanData;
  unedited.namespace = planData.namespace;
  const plan: Plan = parsePlan(unedited);
  if ('plan' in rendered) return renderWithoutChecks(rendered.plan(plan), stage);
  const routing = rendered.router(plan.traffic as WeightedRouting);
  const index = plan.stages.findIndex((s) => s.name === stage);
  return routerObjects(plan, routing, index, plan.commonLabels).map((o): KubeObject => ({ ...o }));
}

/** A generated plan as a stack file at its first stage. */
function generatedStackText(planData: PlanData): string {
  return stackFileText({ 'stepwise:stage': planData.stages[0].name, 'stepwise:plan': planData });
}

function describeHole(verdict: Extract<Verdict, { kind: 'hole' }>): string {
  return `${verdict.refusedBy} refuses at stage ${verdict.stage}:\n${verdict.message}`;
}

/** What the generated corpus must reach the API server with. */
const FEATURES = [
  'router ingress-nginx',
  'router gateway-api',
  'router smi',
  'node ports',
  'hostPath volume',
  'security overrides',
  'restricted Pod Security',
  'selector expressions',
  'exec probe',
  'sync waves',
] as const;

/** The features of FEATURES a generated plan has. */
function featuresOf(planData: PlanData): string[] {
  const workloads = Object.values(planData.workloads as Record<string, any>);
  const services = Object.values(planData.services as Record<string, any>);
  const has: Record<(typeof FEATURES)[number], boolean> = {
    'router ingress-nginx': planData.traffic?.router === 'ingress-nginx',
    'router gateway-api': planData.traffic?.router === 'gateway-api',
    'router smi': planData.traffic?.router === 'smi',
    'node ports': services.some((s) => s.ports.some((p: Record<string, unknown>) => p.nodePort !== undefined)),
    'hostPath volume': workloads.some((w) => (w.volumes ?? []).some((v: Record<string, unknown>) => v.hostPath)),
    'security overrides': workloads.some((w) => w.securityOverrides),
    'restricted Pod Security': workloads.every((w) => !w.securityOverrides),
    'selector expressions': workloads.some((w) => w.selector?.matchExpressions),
    'exec probe': workloads.some((w) => [w.readinessProbe, w.livenessProbe, w.startupProbe].some((p) => p?.exec)),
    'sync waves': planData.gitops?.syncWaves === true,
  };
  return FEATURES.filter((f) => has[f]);
}
