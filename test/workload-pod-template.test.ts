import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { allStageStates, consecutiveTransitions, parsePlan, templateStage, type KubeObject, type Plan } from '../lib/model';
import { toArgoRollout } from '../lib/export';
import { checkPlan } from '../lib/review/check';
import { workloadLine } from '../lib/review/diff-format';
import { stageDiff } from '../lib/review/diff-stages';
import { planView } from '../lib/review/plan-json';
import { planTable } from '../lib/review/plan-table';
import { stackFromConfig } from '../lib/stacks';
import { renderStackStage } from '../lib/synth/render-stack';
import { exampleConfig, exampleStack, examplePlanData } from './support/example-stacks';
import { planProblems } from './support/plan-problems';

/** The orders-api example's plan as plain data, a fresh copy each call. */
function ordersApi(): Record<string, any> {
  return examplePlanData('orders-api');
}

function assertReports(data: unknown, pattern: RegExp): void {
  const found = planProblems(data);
  assert.ok(
    found.some((m) => pattern.test(m)),
    `no problem matched ${pattern}:\n${found.join('\n')}`,
  );
}

/** The Deployment called `name` of stage `stage` of the orders-api example, rendered and validated. */
function renderedDeployment(stage: string, name: string, plan?: Record<string, unknown>): Record<string, any> {
  const config = exampleConfig('orders-api');
  if (plan) config['stepwise:plan'] = plan;
  const stack = stackFromConfig('orders-api', 'stacks/Pulumi.orders-api.yaml', config);
  const object = renderStackStage(stack, stage).files.find(
    (f) => f.object.kind === 'Deployment' && f.object.metadata.name === name,
  )?.object;
  assert.ok(object, `no Deployment/${name} in stage ${stage}`);
  return object as KubeObject & Record<string, any>;
}

function transitionOf(plan: Plan, to: string, workload: string) {
  const index = plan.stages.findIndex((s) => s.name === to);
  const t = consecutiveTransitions(plan, allStageStates(plan))[index - 1];
  const found = t.workloads.find((w) => w.name === workload);
  assert.ok(found, `no ${workload} in the move to ${to}`);
  return { transition: t, workload: found };
}

describe('the pod and containerSpec passthrough', () => {
  test('every stage of the orders-api example renders and validates against the Kubernetes schemas', () => {
    const stack = exampleStack('orders-api');
    for (const stage of stack.plan.stages) assert.doesNotThrow(() => renderStackStage(stack, stage.name), stage.name);
  });

  test('PodSpec fields under pod reach the rendered pod as written', () => {
    const spec = renderedDeployment('baseline', 'orders-api').spec.template.spec;
    assert.equal(spec.serviceAccountName, 'orders-api');
    assert.deepEqual(spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.deepEqual(spec.imagePullSecrets, [{ name: 'registry-credentials' }]);
    assert.equal(spec.tolerations[0].effect, 'NoSchedule');
    assert.equal(spec.topologySpreadConstraints[0].topologyKey, 'topology.kubernetes.io/zone');
    assert.equal(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight, 50);
  });

  test('Container fields under containerSpec reach the main container as written', () => {
    const main = renderedDeployment('baseline', 'orders-api').spec.template.spec.containers[0];
    assert.equal(main.name, 'orders-api');
    assert.equal(main.workingDir, '/app');
    assert.equal(main.terminationMessagePolicy, 'FallbackToLogsOnError');
  });

  test('sidecar and init containers get the restricted security context, like the main container', () => {
    const spec = renderedDeployment('baseline', 'orders-api').spec.template.spec;
    const restricted = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    };
    assert.deepEqual(
      spec.containers.map((c: { name: string }) => c.name),
      ['orders-api', 'log-shipper'],
    );
    assert.deepEqual(spec.containers[0].securityContext, restricted);
    assert.deepEqual(spec.containers[1].securityContext, restricted);
    assert.deepEqual(spec.initContainers[0].securityContext, restricted);
  });

  test('an unknown PodSpec field deep in pod is reported at its key path with the field it probably meant', () => {
    const plan = ordersApi();
    plan.defaults.pod.tolerations[0].effekt = 'NoSchedule';
    assertReports(
      plan,
      /^workloads\.orders-api\.pod\.tolerations\[0\]\.effekt: is not a field of a Kubernetes Toleration \(fix: did you mean 'effect'\?\)$/,
    );
  });

  test('a Container field written under pod is reported with a pointer to containerSpec', () => {
    const plan = ordersApi();
    plan.defaults.pod.workingDir = '/app';
    assertReports(
      plan,
      /^workloads\.orders-api\.pod\.workingDir: is not a field of a Kubernetes PodSpec \(fix: workingDir is a Container field: put it under containerSpec\)$/,
    );
  });

  test('a value of the wrong type is reported at its key path by the Kubernetes schema', () => {
    const plan = ordersApi();
    plan.defaults.pod.nodeSelector = { 'kubernetes.io/os': 1 };
    assertReports(plan, /^workloads\.orders-api\.pod\.nodeSelector\.kubernetes\.io\/os: must be string \(the Kubernetes PodSpec schema\)/);
  });

  test('containerSpec.image is refused with the stage key to use instead', () => {
    const plan = ordersApi();
    plan.defaults.containerSpec.image = 'registry.example.com/shop/orders-api:9';
    assertReports(
      plan,
      /^workloads\.orders-api\.containerSpec\.image: is set by stepwise, not passed through \(fix: set the image per stage \(stages\[i\]\.workloads\.<name>\.image\)/,
    );
  });

  test('pod.securityContext is refused with securityOverrides as the fix', () => {
    const plan = ordersApi();
    plan.defaults.pod.securityContext = { runAsUser: 0 };
    assertReports(
      plan,
      /^workloads\.orders-api\.pod\.securityContext: is set by stepwise, not passed through \(fix: use the workload key securityOverrides/,
    );
  });

  test('a field set both by a workload key and by containerSpec is refused, naming both', () => {
    const plan = ordersApi();
    plan.defaults.containerSpec.env = [{ name: 'A', value: 'b' }];
    assertReports(
      plan,
      /^workloads\.orders-api\.containerSpec\.env: is also set by the workload key env \(fix: set it one way: remove env \(from the workload and from defaults\) or containerSpec\.env\)$/,
    );
  });

  test('a sidecar named like the main container is refused, pointing at containerSpec', () => {
    const plan = ordersApi();
    plan.defaults.pod.containers[0].name = 'orders-api';
    assertReports(
      plan,
      /^workloads\.orders-api\.pod\.containers\[0\]\.name: 'orders-api' is the main container's name \(fix: set the main container's fields under containerSpec/,
    );
  });

  test("a sidecar's own securityContext is refused: every container gets the workload's", () => {
    const plan = ordersApi();
    plan.defaults.pod.initContainers[0].securityContext = { privileged: true };
    assertReports(plan, /^workloads\.orders-api\.pod\.initContainers\[0\]\.securityContext: is set by stepwise/);
  });

  test('pod.hostNetwork: true is refused by the restricted Pod Security Standard', () => {
    const plan = ordersApi();
    plan.defaults.pod.hostNetwork = true;
    assertReports(plan, /^workloads\.orders-api\.pod\.hostNetwork: is forbidden by the restricted Pod Security Standard/);
  });

  test("check's security override warning names the sidecar and init containers it reaches", () => {
    const plan = ordersApi();
    plan.defaults.securityOverrides = { reason: 'legacy image writes to /', writableRootFilesystem: true };
    const findings = checkPlan(parsePlan(plan)).filter((f) => f.rule === 'pod-security-override');
    assert.ok(findings.length > 0);
    assert.match(findings[0].problem, /applies to the init container wait-for-db, sidecar log-shipper as well\)$/);
    const rendered = renderedDeployment('baseline', 'orders-api', plan).spec.template.spec;
    assert.equal(rendered.containers[1].securityContext.readOnlyRootFilesystem, false);
  });
});

describe('the Kubernetes field names', () => {
  test('lib/model/pod-template-fields.ts is what scripts/pod-fields/generate.ts makes of the installed kubernetes-models', () => {
    const root = path.resolve(__dirname, '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/pod-fields/generate.ts'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  });
});

describe('wider workload keys', () => {
  test('memory in decimal and fractional units is rendered as written', () => {
    const spec = renderedDeployment('baseline', 'orders-api').spec.template.spec;
    assert.equal(spec.containers[0].resources.requests.memory, '512M');
    assert.equal(spec.containers[1].resources.limits.memory, '1.5Gi');
  });

  test('a decimal memory request above a binary limit is refused, as the API server would', () => {
    const plan = ordersApi();
    plan.defaults.resources = { requests: { cpu: '250m', memory: '2G' }, limits: { memory: '1.5Gi' } };
    assertReports(plan, /^workloads\.orders-api\.resources\.requests\.memory: 2G is more than the limit of 1\.5Gi/);
  });

  test('a probe on a port name the container does not have is reported with the name it probably meant', () => {
    const plan = ordersApi();
    plan.defaults.readinessProbe.httpGet.port = 'htp';
    assertReports(
      plan,
      /^workloads\.orders-api\.readinessProbe\.httpGet\.port: 'htp' is not the name of a port of the container \(its ports are named http, grpc\) \(fix: did you mean 'http'\?\)$/,
    );
  });

  test('a named Service targetPort that a selected workload lacks is reported with the stage and workload', () => {
    const plan = ordersApi();
    plan.services['orders-api'].ports[0].targetPort = 'web';
    assertReports(
      plan,
      /^services\.orders-api\.ports\[0\]\.targetPort: 'web' is not the name of a port of workload 'orders-api', which the Service selects in stage 'baseline'/,
    );
  });

  test('a named targetPort is rendered on the Service', () => {
    const stack = exampleStack('orders-api');
    const service = renderStackStage(stack, 'baseline').files.find((f) => f.object.kind === 'Service')?.object as Record<string, any>;
    assert.deepEqual(
      service.spec.ports.map((p: { targetPort: unknown }) => p.targetPort),
      ['http', 'grpc'],
    );
  });

  test('grpc probes, named-port probes and a preStop sleep are rendered as Kubernetes writes them', () => {
    const main = renderedDeployment('baseline', 'orders-api').spec.template.spec.containers[0];
    assert.deepEqual(main.livenessProbe, { grpc: { port: 9090 }, initialDelaySeconds: 10 });
    assert.deepEqual(main.readinessProbe.httpGet, { path: '/ready', port: 'http', scheme: 'HTTP' });
    assert.deepEqual(main.startupProbe.tcpSocket, { port: 'http' });
    assert.deepEqual(main.lifecycle, { preStop: { sleep: { seconds: 10 } } });
  });

  test('a grpc probe on a port name is refused: Kubernetes does not resolve names for gRPC', () => {
    const plan = ordersApi();
    plan.defaults.livenessProbe.grpc.port = 'grpc';
    assertReports(plan, /^defaults\.livenessProbe\.grpc\.port: must be a port number, got "grpc"/);
  });

  test('env valueFrom and envFrom are rendered, and a misspelt valueFrom field is reported at its key path', () => {
    const main = renderedDeployment('baseline', 'orders-api').spec.template.spec.containers[0];
    assert.deepEqual(
      main.env.find((e: { name: string }) => e.name === 'DATABASE_PASSWORD'),
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { key: 'password', name: 'orders-db' } } },
    );
    assert.deepEqual(main.envFrom[0], { configMapRef: { name: 'orders-config' } });
    const plan = ordersApi();
    plan.defaults.env.DATABASE_PASSWORD = { valueFrom: { secretKeyRf: { name: 'orders-db', key: 'password' } } };
    assertReports(
      plan,
      /^workloads\.orders-api\.env\.DATABASE_PASSWORD\.valueFrom\.secretKeyRf: is not a field of a Kubernetes EnvVarSource \(fix: did you mean 'secretKeyRef'\?\)$/,
    );
  });

  test('Secret, PVC and projected volumes are rendered with their mounts', () => {
    const spec = renderedDeployment('baseline', 'orders-api').spec.template.spec;
    const byName = Object.fromEntries(spec.volumes.map((v: { name: string }) => [v.name, v]));
    assert.deepEqual(byName.tls, { name: 'tls', secret: { defaultMode: 288, secretName: 'orders-api-tls' } });
    assert.deepEqual(byName.receipts, { name: 'receipts', persistentVolumeClaim: { claimName: 'orders-receipts' } });
    assert.equal(byName.identity.projected.sources.length, 2);
    assert.ok(
      spec.containers[0].volumeMounts.some(
        (m: { name: string; mountPath: string }) => m.name === 'tls' && m.mountPath === '/etc/orders/tls',
      ),
    );
  });

  test('volumes under pod, mounted under containerSpec, are rendered when the workload has no volumes key', () => {
    const plan = ordersApi();
    delete plan.defaults.volumes;
    plan.defaults.pod.volumes = [{ name: 'cache', emptyDir: { medium: 'Memory' } }];
    plan.defaults.containerSpec.volumeMounts = [{ name: 'cache', mountPath: '/cache' }];
    const spec = renderedDeployment('baseline', 'orders-api', plan).spec.template.spec;
    assert.deepEqual(spec.volumes, [{ emptyDir: { medium: 'Memory' }, name: 'cache' }]);
    assert.deepEqual(spec.containers[0].volumeMounts, [{ mountPath: '/cache', name: 'cache' }]);
  });

  test('volumes under pod beside the volumes key are refused, naming both', () => {
    const plan = ordersApi();
    plan.defaults.pod.volumes = [{ name: 'cache', emptyDir: {} }];
    assertReports(plan, /^workloads\.orders-api\.pod\.volumes: is also set by the workload key volumes/);
  });

  test('a volume source field the Kubernetes schema does not have is reported at its key path', () => {
    const plan = ordersApi();
    plan.defaults.volumes[2].persistentVolumeClaim = { claim: 'orders-receipts' };
    assertReports(
      plan,
      /^workloads\.orders-api\.volumes\[2\]\.persistentVolumeClaim\.claim: is not a field of a Kubernetes PersistentVolumeClaimVolumeSource \(fix: did you mean 'claimName'\?\)$/,
    );
  });
});

describe('a stage that changes the pod template', () => {
  const plan = exampleStack('orders-api').plan;

  test('a stage that changes only an env var rolls the workload out', () => {
    const { workload } = transitionOf(plan, 'canary-flag', 'orders-api-canary');
    assert.deepEqual([workload.change, workload.rollsOut, workload.phase], ['update', true, 'make']);
  });

  test('a stage that changes only a memory limit rolls the workload out, and leaves the others alone', () => {
    const { workload, transition } = transitionOf(plan, 'canary-memory', 'orders-api-canary');
    assert.equal(workload.rollsOut, true);
    assert.equal(transition.workloads.find((w) => w.name === 'orders-api')?.change, 'unchanged');
  });

  test('the stage renders its own template: the env var and the limit it sets', () => {
    const main = renderedDeployment('canary-memory', 'orders-api-canary').spec.template.spec.containers[0];
    assert.deepEqual(
      main.env.find((e: { name: string }) => e.name === 'FEATURE_FAST_CHECKOUT'),
      { name: 'FEATURE_FAST_CHECKOUT', value: 'on' },
    );
    assert.equal(main.resources.limits.memory, '1.5Gi');
    const stable = renderedDeployment('canary-memory', 'orders-api').spec.template.spec.containers[0];
    assert.equal(stable.resources.limits.memory, '1024Mi');
  });

  test('plan shows each template change on the transition that rolls it out', () => {
    const table = planTable(planView(exampleStack('orders-api')));
    assert.match(table, /↓ baseline → canary-flag:.*\n {6}orders-api-canary: rolls out env\.FEATURE_FAST_CHECKOUT off → on\n/);
    assert.match(table, /↓ canary-flag → canary-memory:.*\n {6}orders-api-canary: rolls out resources\.limits\.memory 1Gi → 1\.5Gi\n/);
  });

  test('diff shows a template change and that it rolls out', () => {
    const diff = stageDiff({ plan, stage: 'baseline' }, { plan, stage: 'canary-flag' });
    const canary = diff.workloads.find((w) => w.name === 'orders-api-canary');
    assert.ok(canary);
    assert.equal(workloadLine(canary), 'orders-api-canary: pod template env.FEATURE_FAST_CHECKOUT off → on (rolls out); traffic 20%');
  });

  test('the change-cause names the stage that brought the template in', () => {
    assert.equal(templateStage(plan, 'orders-api-canary', 2), 'canary-memory');
    assert.equal(templateStage(plan, 'orders-api', 2), 'baseline');
  });

  test('a template change on a paused workload does not roll out until it is resumed', () => {
    const data = ordersApi();
    data.stages[1].workloads['orders-api-canary'].paused = true;
    data.stages[2].workloads['orders-api-canary'].env = { FEATURE_FAST_CHECKOUT: 'on' };
    const paused = parsePlan(data);
    assert.equal(transitionOf(paused, 'canary-flag', 'orders-api-canary').workload.rollsOut, false);
    assert.equal(transitionOf(paused, 'canary-memory', 'orders-api-canary').workload.rollsOut, true);
  });

  test('check warns when a stage changes the pod template of a workload it keeps paused', () => {
    const data = ordersApi();
    data.stages[1].workloads['orders-api-canary'].paused = true;
    const findings = checkPlan(parsePlan(data)).filter((f) => f.rule === 'template-change-not-rolled-out');
    assert.deepEqual(
      findings.map((f) => [f.stage, f.object, f.problem]),
      [
        [
          'baseline → canary-flag',
          'Deployment/orders-api-canary',
          'changes the pod template (env.FEATURE_FAST_CHECKOUT off → on) while paused: its pods keep the old template until it is resumed',
        ],
      ],
    );
  });

  test('a template change counts against the Service floor like an image change', () => {
    const data = ordersApi();
    data.defaults.strategy = { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: 1 };
    data.checks = { capacityFloor: 5 };
    const findings = checkPlan(parsePlan(data)).filter((f) => f.rule === 'capacity-below-floor');
    assert.ok(
      findings.some((f) => f.stage?.includes('canary-flag') || f.problem.includes('4 ready endpoints')),
      findings.map((f) => `${f.stage}: ${f.problem}`).join('\n'),
    );
  });

  test('a stage that changes a workload label is refused: labels are its identity', () => {
    const data = ordersApi();
    data.stages[1].workloads['orders-api-canary'].labels = { app: 'orders-api', track: 'beta' };
    assertReports(
      data,
      /^stages\[1\]\.workloads\.orders-api-canary\.labels: cannot change per stage: the pod labels are the workload's identity/,
    );
  });

  test("a problem in a stage's template key is reported at the stage's key path", () => {
    const data = ordersApi();
    data.stages[1].workloads['orders-api-canary'].env = { FEATURE_FAST_CHECKOUT: true };
    assertReports(
      data,
      /^stages\[1\]\.workloads\.orders-api-canary\.env\.FEATURE_FAST_CHECKOUT: must be a string or \{ valueFrom: \.\.\. \}, got true/,
    );
  });

  test('export refuses a release whose stages change the pod template, naming the stage', () => {
    assert.throws(
      () => toArgoRollout(plan),
      /stages\[1\]\.workloads\.orders-api-canary: changes the pod template of 'orders-api-canary' in stage 'canary-flag'/,
    );
  });
});
