import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Testing } from 'cdk8s';
import { ApiCanaryChart } from '../examples/cdk8s-app/api-canary-chart';
import { stepwiseErrorsOf } from '../lib/model';
import { testApp } from './support/charts';
import { ROOT } from './support/example-stacks';

const STABLE = 'registry.example.com/shop/api:1.4.0';
const NEXT = 'registry.example.com/shop/api:1.5.0';

/** The example chart's objects for one stage, by `Kind/name`. */
function synthStage(props: { canaryImage?: string; canaryReplicas?: number }): Record<string, any> {
  const chart = new ApiCanaryChart(testApp(), 'api', { stableImage: STABLE, ...props });
  return Object.fromEntries(Testing.synth(chart).map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

describe('examples/cdk8s-app: a cdk8s app using CanaryService directly', () => {
  test('the baseline renders both Deployments, their PodDisruptionBudgets and the shared Service', () => {
    assert.deepEqual(Object.keys(synthStage({})).sort(), [
      'Deployment/api',
      'Deployment/api-canary',
      'PodDisruptionBudget/api',
      'PodDisruptionBudget/api-canary',
      'Service/api',
    ]);
  });

  test('the canary stage changes only the canary: its image, and its replicas when widened', () => {
    const baseline = synthStage({});
    const canary = synthStage({ canaryImage: NEXT, canaryReplicas: 3 });
    assert.deepEqual(baseline['Deployment/api'], canary['Deployment/api']);
    assert.deepEqual(baseline['Service/api'], canary['Service/api']);
    assert.equal(canary['Deployment/api-canary'].spec.template.spec.containers[0].image, NEXT);
    assert.equal(canary['Deployment/api-canary'].spec.replicas, 3);
  });

  test('the Service selects the label both tracks share, and each Deployment selects only its own pods', () => {
    const objects = synthStage({});
    assert.deepEqual(objects['Service/api'].spec.selector, { app: 'api' });
    assert.deepEqual(objects['Deployment/api'].spec.selector.matchLabels, { app: 'api', track: 'stable' });
    assert.deepEqual(objects['Deployment/api-canary'].spec.template.metadata.labels, { app: 'api', track: 'canary' });
  });

  test('pods meet the restricted Pod Security Standard with no setting in the app', () => {
    const pod = synthStage({})['Deployment/api'].spec.template.spec;
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(pod.containers[0].securityContext.runAsNonRoot, true);
    assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(pod.containers[0].securityContext.capabilities, { drop: ['ALL'] });
  });

  test('a stage with a negative canary size is refused naming the prop', () => {
    assert.throws(
      () => synthStage({ canaryReplicas: -1 }),
      (error: unknown) => stepwiseErrorsOf(error).some((e) => e.message.startsWith('workloads[1].replicas: must be a whole number >= 0')),
    );
  });

  test('main.ts synthesizes the same manifests twice, byte for byte', () => {
    const outputs = [1, 2].map(() => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-cdk8s-app-'));
      const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'examples', 'cdk8s-app', 'main.ts')], {
        cwd: path.join(ROOT, 'examples', 'cdk8s-app'),
        env: { ...process.env, CDK8S_OUTDIR: outdir, CANARY_IMAGE: NEXT },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const files = fs.readdirSync(outdir).sort();
      const text = files.map((f) => fs.readFileSync(path.join(outdir, f), 'utf8')).join('\n---\n');
      fs.rmSync(outdir, { recursive: true, force: true });
      return { files, text };
    });
    assert.deepEqual(outputs[0].files, ['api.k8s.yaml']);
    assert.match(outputs[0].text, /image: registry\.example\.com\/shop\/api:1\.5\.0/);
    assert.equal(outputs[1].text, outputs[0].text);
  });
});
