import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdk8s';
import { CanaryService, SelectorCutover, planStageProps, renderStage } from '../lib/constructs';
import type { KubeObject } from '../lib/model';
import { labelsMatch, parsePlan, stepwiseErrorsOf, workloadSelectorMatches } from '../lib/model';
import { toYamlStream } from '../lib/synth/yaml-emitter';
import { testChart } from './support/charts';
import { EXAMPLE_STACKS, exampleStack, examplePlanData } from './support/example-stacks';

type Deployment = KubeObject & {
  spec: {
    replicas: number;
    paused?: boolean;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: any };
  };
};
type Service = KubeObject & { spec: { selector: Record<string, string>; type: string; ports: any[] } };

const EXAMPLES = ['fop-gate', 'web-nginx', 'trade-aone'];

function render(stack: string, stage: string) {
  const objects = renderStage(exampleStack(stack).plan, stage);
  return {
    objects,
    deployments: objects.filter((o): o is Deployment => o.kind === 'Deployment'),
    services: objects.filter((o): o is Service => o.kind === 'Service'),
    deployment(name: string): Deployment {
      const found = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
      assert.ok(found, `no Deployment ${name}`);
      return found as Deployment;
    },
  };
}

/** The Deployments whose pod templates a Service's selector matches. */
function selectedDeployments(service: Service, deployments: Deployment[]): string[] {
  return deployments.filter((d) => labelsMatch(service.spec.selector, d.spec.template.metadata.labels)).map((d) => d.metadata.name);
}

describe('canary pair (fop-gate)', () => {
  test('baseline: 9 stable and 1 canary pod on 1.4.0 behind one Service', () => {
    const r = render('fop-gate', 'baseline');
    assert.equal(r.deployment('fop-gate').spec.replicas, 9);
    assert.equal(r.deployment('fop-gate-canary').spec.replicas, 1);
    for (const d of r.deployments) assert.equal(d.spec.template.spec.containers[0].image, 'registry.example.com/dora/fop-gate:1.4.0');
    assert.equal(r.services.length, 1);
    assert.deepEqual(selectedDeployments(r.services[0], r.deployments), ['fop-gate', 'fop-gate-canary']);
  });

  test('canary: only the canary gets the new image', () => {
    const r = render('fop-gate', 'canary');
    assert.equal(r.deployment('fop-gate').spec.template.spec.containers[0].image, 'registry.example.com/dora/fop-gate:1.4.0');
    assert.equal(r.deployment('fop-gate-canary').spec.template.spec.containers[0].image, 'registry.example.com/dora/fop-gate:1.5.0');
  });

  test('the practice knobs are rendered: minReadySeconds, surge 1 / unavailable 0, grace period, preStop', () => {
    const spec = render('fop-gate', 'baseline').deployment('fop-gate').spec as any;
    assert.equal(spec.minReadySeconds, 30);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    assert.equal(spec.template.spec.terminationGracePeriodSeconds, 90);
    assert.deepEqual(spec.template.spec.containers[0].lifecycle.preStop.exec.command, ['/bin/sh', '-c', 'sleep 15']);
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.template.spec.containers[0].readinessProbe.httpGet.path, '/healthz');
  });

  test('objects carry the plan labels and namespace', () => {
    for (const o of render('fop-gate', 'baseline').objects) {
      assert.equal(o.metadata.namespace, 'dora-apps');
      assert.equal(o.metadata.labels?.team, 'dora');
      assert.equal(o.metadata.labels?.type, 'basic');
    }
  });

  test('a PodDisruptionBudget guards each Deployment with the same selector', () => {
    const r = render('fop-gate', 'baseline');
    const budgets = r.objects.filter((o) => o.kind === 'PodDisruptionBudget') as any[];
    assert.deepEqual(
      budgets.map((b) => b.metadata.name),
      ['fop-gate', 'fop-gate-canary'],
    );
    for (const b of budgets) {
      assert.deepEqual(b.spec.selector, r.deployment(b.metadata.name).spec.selector);
      assert.equal(b.spec.maxUnavailable, 1);
    }
  });
});

describe('selector cutover (web-nginx)', () => {
  test('v2-canary: 7 endpoints behind the NodePort Service, one of them v2', () => {
    const r = render('web-nginx', 'v2-canary');
    const service = r.services[0];
    assert.equal(service.metadata.name, 'nginx-svc');
    assert.equal(service.spec.type, 'NodePort');
    assert.deepEqual(service.spec.ports, [{ port: 80, targetPort: 80, nodePort: 31180, protocol: 'TCP' }]);
    assert.deepEqual(selectedDeployments(service, r.deployments), ['nginx-dm', 'nginx-v2']);
    assert.equal(r.deployment('nginx-v2').spec.template.spec.containers[0].image, 'nginx:1.18.0');
  });

  test('cutover: the Service selects version v2 only', () => {
    const r = render('web-nginx', 'cutover');
    assert.deepEqual(r.services[0].spec.selector, { name: 'nginx', version: 'v2' });
    assert.deepEqual(selectedDeployments(r.services[0], r.deployments), ['nginx-v2']);
    assert.equal(r.deployment('nginx-v2').spec.replicas, 6);
  });

  test('v1-removed: nginx-dm and its budget are gone', () => {
    const r = render('web-nginx', 'v1-removed');
    assert.deepEqual(
      r.objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ['Deployment/nginx-v2', 'PodDisruptionBudget/nginx-v2', 'Service/nginx-svc'],
    );
  });

  test('the nginx security override is rendered as written, and only that', () => {
    const container = render('web-nginx', 'v1-only').deployment('nginx-dm').spec.template.spec.containers[0];
    assert.equal(container.securityContext.runAsNonRoot, false);
    assert.equal(container.securityContext.readOnlyRootFilesystem, false);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities, { drop: ['ALL'], add: ['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'] });
  });
});

describe('batched rollout (trade-aone)', () => {
  test('gray: only batch 1 runs the new image', () => {
    const r = render('trade-aone', 'gray');
    const images = Object.fromEntries(r.deployments.map((d) => [d.metadata.name, d.spec.template.spec.containers[0].image.split(':')[1]]));
    assert.deepEqual(images, {
      'trade-aone-1': '2024.06.0',
      'trade-aone-2': '2024.05.1',
      'trade-aone-3': '2024.05.1',
      'trade-aone-4': '2024.05.1',
      'trade-aone-5': '2024.05.1',
    });
  });

  test('each later stage releases one more 25% batch of the 16 main pods', () => {
    const stack = exampleStack('trade-aone');
    for (const [stage, released] of [
      ['batch-2', 4],
      ['batch-3', 8],
      ['batch-4', 12],
      ['batch-5', 16],
    ] as const) {
      const r = render('trade-aone', stage);
      const main = r.deployments.filter(
        (d) => d.metadata.name !== 'trade-aone-1' && d.spec.template.spec.containers[0].image.endsWith('2024.06.0'),
      );
      assert.equal(
        main.reduce((n, d) => n + d.spec.replicas, 0),
        released,
        stage,
      );
    }
    assert.equal(stack.plan.stages.length, 6);
  });

  test('the practice knobs are rendered: TCP probes on 508, requests = limits, hostPath logs, NodePort 32168 → 7001', () => {
    const r = render('trade-aone', 'baseline');
    const pod = r.deployment('trade-aone-3').spec.template.spec;
    const c = pod.containers[0];
    assert.deepEqual(c.readinessProbe, { tcpSocket: { port: 508 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 10 });
    assert.deepEqual(c.livenessProbe, c.readinessProbe);
    assert.deepEqual(c.resources, { requests: { cpu: '4', memory: '8196Mi' }, limits: { cpu: '4', memory: '8196Mi' } });
    assert.deepEqual(pod.volumes[0], { name: 'logs', hostPath: { path: '/var/log/trade-aone', type: 'DirectoryOrCreate' } });
    assert.deepEqual(r.services[0].spec.ports[0], { port: 80, targetPort: 7001, nodePort: 32168, protocol: 'TCP' });
  });
});

describe('rules across every stage of every example', () => {
  for (const name of EXAMPLES) {
    const plan = exampleStack(name).plan;

    test(`${name}: every Deployment keeps its name and selector in every stage`, () => {
      const selectors = new Map<string, string>();
      for (const stage of plan.stages) {
        for (const d of render(name, stage.name).deployments) {
          const selector = JSON.stringify(d.spec.selector);
          if (selectors.has(d.metadata.name)) assert.equal(selector, selectors.get(d.metadata.name), `${stage.name}: ${d.metadata.name}`);
          selectors.set(d.metadata.name, selector);
        }
      }
      assert.deepEqual([...selectors.keys()].sort(), plan.workloads.map((w) => w.name).sort());
    });

    test(`${name}: no Deployment's selector matches another Deployment's pods`, () => {
      for (const stage of plan.stages) {
        const deployments = render(name, stage.name).deployments;
        for (const a of deployments) {
          for (const b of deployments) {
            if (a === b) continue;
            const selector = { matchLabels: a.spec.selector.matchLabels, matchExpressions: [] };
            assert.ok(
              !workloadSelectorMatches(selector, b.spec.template.metadata.labels),
              `${stage.name}: ${a.metadata.name} selects ${b.metadata.name}'s pods`,
            );
          }
        }
      }
    });

    test(`${name}: rendered replicas, images and Service endpoints agree with the plan in every stage`, () => {
      for (const stage of plan.stages) {
        const r = render(name, stage.name);
        assert.deepEqual(
          r.deployments.map((d) => d.metadata.name),
          Object.keys(stage.workloads),
          stage.name,
        );
        for (const d of r.deployments) {
          assert.equal(d.spec.replicas, stage.workloads[d.metadata.name].replicas);
          assert.equal(d.spec.template.spec.containers[0].image, stage.workloads[d.metadata.name].image);
          assert.ok(
            workloadSelectorMatches({ matchLabels: d.spec.selector.matchLabels, matchExpressions: [] }, d.spec.template.metadata.labels),
          );
        }
        for (const s of r.services) {
          assert.deepEqual(s.spec.selector, stage.serviceSelectors[s.metadata.name]);
          assert.ok(selectedDeployments(s, r.deployments).length > 0, `${stage.name}: ${s.metadata.name} selects no pods`);
        }
      }
    });

    test(`${name}: pods run under the restricted profile except for the stack's explicit overrides`, () => {
      for (const d of render(name, plan.stages[0].name).deployments) {
        const workload = plan.workloads.find((w) => w.name === d.metadata.name);
        const overrides = workload?.securityOverrides;
        const pod = d.spec.template.spec;
        const c = pod.containers[0];
        assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
        assert.equal(c.securityContext.privileged, false);
        assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
        assert.equal(pod.securityContext.runAsNonRoot, !overrides?.runAsRoot);
        assert.equal(c.securityContext.runAsNonRoot, !overrides?.runAsRoot);
        assert.equal(c.securityContext.readOnlyRootFilesystem, !overrides?.writableRootFilesystem);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory, 'resource requests are set');
      }
    });

    test(`${name}: no cdk8s bookkeeping label reaches the pods`, () => {
      for (const d of render(name, plan.stages[0].name).deployments) {
        assert.ok(!Object.keys(d.spec.template.metadata.labels).some((k) => k.startsWith('cdk8s.io/')));
      }
    });
  }
});

describe('the constructs in a cdk8s app', () => {
  test("CanaryService renders the props of a plan's stage in a plain Chart, as the stack file renders them", () => {
    const plan = exampleStack('fop-gate').plan;
    const chart = testChart();
    const release = new CanaryService(chart, 'fop-gate', planStageProps(plan, 'canary-widened'));
    const objects = Testing.synth(chart);
    assert.equal(objects.length, 5);
    assert.equal(release.workloads.get('fop-gate-canary')?.deployment.replicas, 3);
    const byName = (list: readonly KubeObject[]) =>
      [...list].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    assert.deepEqual(JSON.parse(JSON.stringify(byName(objects))), JSON.parse(JSON.stringify(byName(renderStage(plan, 'canary-widened')))));
  });

  test('a plan built in code with two container ports named http is refused with the key path, not by cdk8s-plus', () => {
    const plan = exampleStack('fop-gate').plan;
    const [stable, canary] = plan.workloads;
    const ports = [
      { name: 'http', containerPort: 8080, protocol: 'TCP' as const },
      { name: 'http', containerPort: 8081, protocol: 'TCP' as const },
    ];
    const broken = { ...plan, workloads: [stable, { ...canary, ports }] };
    assert.throws(
      () => renderStage(broken, 'baseline'),
      (error: unknown) =>
        stepwiseErrorsOf(error).some((e) =>
          e.message.startsWith("workloads.fop-gate-canary.ports[1].name: 'http' is also the name of ports[0]"),
        ),
    );
  });

  test('props with two container ports named http are refused naming the prop, before anything is added to the chart', () => {
    const chart = testChart();
    const props = planStageProps(exampleStack('fop-gate').plan, 'baseline');
    const ports = [
      { name: 'http', containerPort: 8080 },
      { name: 'http', containerPort: 8081 },
    ];
    assert.throws(
      () => new CanaryService(chart, 'fop-gate', { ...props, workloads: [props.workloads[0], { ...props.workloads[1], ports }] }),
      (error: unknown) =>
        stepwiseErrorsOf(error).some((e) => e.message.startsWith("workloads[1].ports[1].name: 'http' is also the name of ports[0]")),
    );
    assert.deepEqual(Testing.synth(chart), []);
  });

  test('a CanaryService refuses a workload no Service selects, naming its labels prop', () => {
    const props = planStageProps(exampleStack('fop-gate').plan, 'baseline');
    const stray = { ...props.workloads[1], labels: { app: 'elsewhere', track: 'canary' }, selector: undefined };
    assert.throws(
      () => new CanaryService(testChart(), 'fop-gate', { ...props, workloads: [props.workloads[0], stray] }),
      (error: unknown) =>
        stepwiseErrorsOf(error).some((e) => /^workloads\[1\]\.labels: no Service selects workload 'fop-gate-canary'/.test(e.message)),
    );
  });

  test('a SelectorCutover renders a workload its Service no longer selects (v1 at the cutover), which a CanaryService refuses', () => {
    const props = planStageProps(exampleStack('web-nginx').plan, 'cutover');
    const chart = testChart();
    new SelectorCutover(chart, 'web', props);
    const objects = Testing.synth(chart);
    assert.deepEqual(
      objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name),
      ['nginx-dm', 'nginx-v2'],
    );
    assert.deepEqual(objects.find((o) => o.kind === 'Service')?.spec.selector, { name: 'nginx', version: 'v2' });
    assert.throws(
      () => new CanaryService(testChart(), 'web', props),
      (error: unknown) =>
        stepwiseErrorsOf(error).some((e) => /^workloads\[0\]\.labels: no Service selects workload 'nginx-dm'/.test(e.message)),
    );
  });

  test('router weights that do not add up to 100 are refused naming trafficRouter.weights', () => {
    const props = planStageProps(exampleStack('checkout-gateway').plan, 'canary');
    assert.ok(props.trafficRouter);
    const trafficRouter = { ...props.trafficRouter, weights: { stable: 90, canary: 5 } };
    assert.throws(
      () => new CanaryService(testChart(), 'checkout', { ...props, trafficRouter }),
      (error: unknown) => stepwiseErrorsOf(error).some((e) => e.message.startsWith('trafficRouter.weights: add up to 95')),
    );
  });

  test('sync waves naming a workload the stage does not run are refused naming syncWaves.scaledDown', () => {
    const props = planStageProps(exampleStack('fop-gate').plan, 'canary-widened');
    assert.throws(
      () => new CanaryService(testChart(), 'fop-gate', { ...props, syncWaves: { scaledDown: ['fop-gate-stable'] } }),
      (error: unknown) =>
        stepwiseErrorsOf(error).some((e) =>
          e.message.startsWith("syncWaves.scaledDown[0]: 'fop-gate-stable' is not one of the stage's workloads"),
        ),
    );
  });

  test('an unknown stage is an error listing the stages', () => {
    assert.throws(
      () => renderStage(exampleStack('fop-gate').plan, 'canery'),
      /unknown stage 'canery' \(fix: use one of: baseline, canary, canary-widened, stable\)/,
    );
  });

  test('a paused stage renders spec.paused', () => {
    const data = examplePlanData('fop-gate');
    data.stages[1].workloads['fop-gate'].paused = true;
    const objects = renderStage(parsePlan(data), 'canary') as Deployment[];
    assert.equal(objects.find((o) => o.metadata.name === 'fop-gate')?.spec.paused, true);
    assert.equal(objects.find((o) => o.metadata.name === 'fop-gate-canary')?.spec.paused, undefined);
  });

  test('an emptyDir sizeLimit of 2Gi renders as 2048Mi', () => {
    const data = examplePlanData('fop-gate');
    data.defaults.volumes = [{ name: 'tmp', mountPath: '/tmp', emptyDir: { sizeLimit: '2Gi' } }];
    const deployment = renderStage(parsePlan(data), 'baseline').find((o): o is Deployment => o.kind === 'Deployment');
    assert.ok(deployment);
    assert.deepEqual(deployment.spec.template.spec.volumes, [{ emptyDir: { sizeLimit: '2048Mi' }, name: 'tmp' }]);
  });

  test('an emptyDir sizeLimit cdk8s cannot write in Mi (512M, 1.5Gi) renders as written', () => {
    for (const sizeLimit of ['512M', '1.5Gi', '1e9']) {
      const data = examplePlanData('fop-gate');
      data.defaults.volumes = [
        { name: 'cache', mountPath: '/cache', emptyDir: { medium: 'Memory', sizeLimit } },
        { name: 'tmp', mountPath: '/tmp', emptyDir: { sizeLimit: '64Mi' } },
      ];
      const deployment = renderStage(parsePlan(data), 'baseline').find((o): o is Deployment => o.kind === 'Deployment');
      assert.ok(deployment);
      assert.deepEqual(deployment.spec.template.spec.volumes, [
        { emptyDir: { medium: 'Memory', sizeLimit }, name: 'cache' },
        { emptyDir: { sizeLimit: '64Mi' }, name: 'tmp' },
      ]);
    }
  });

  test('a hostPath type renders as the plan gives it', () => {
    const objects = renderStage(exampleStack('trade-aone').plan, 'baseline') as Deployment[];
    const volumes = objects.find((o) => o.kind === 'Deployment')?.spec.template.spec.volumes;
    assert.deepEqual(
      volumes.find((v: { name: string }) => v.name === 'logs'),
      { hostPath: { path: '/var/log/trade-aone', type: 'DirectoryOrCreate' }, name: 'logs' },
    );
  });

  test('rendering does not depend on CDK8S_DISABLE_SORT: every example stage is byte-identical with and without it', () => {
    const before = process.env.CDK8S_DISABLE_SORT;
    try {
      for (const name of EXAMPLE_STACKS) {
        const plan = exampleStack(name).plan;
        for (const stage of plan.stages) {
          delete process.env.CDK8S_DISABLE_SORT;
          const sorted = toYamlStream(renderStage(plan, stage.name));
          process.env.CDK8S_DISABLE_SORT = '1';
          const unsorted = toYamlStream(renderStage(plan, stage.name));
          assert.equal(unsorted, sorted, `${name} ${stage.name}`);
        }
      }
    } finally {
      if (before === undefined) delete process.env.CDK8S_DISABLE_SORT;
      else process.env.CDK8S_DISABLE_SORT = before;
    }
  });
});
