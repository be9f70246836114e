/**
 * Objects someone else touched: a Deployment scaled by hand with `kubectl scale` (another field
 * manager then owns its replicas), and an app that already runs, applied with `kubectl apply`
 * before stepwise took it over. `pulumi up` takes both over, and replaces nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { namespaceObject } from '../lib/constructs/release-namespace';
import { stackFromText } from '../lib/stacks';
import { renderStackStage } from '../lib/synth/render-stack';
import { kubectl } from './support/binaries';
import type { KubeObject } from './support/kube-api';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { deploymentUids } from './support/move-promises';
import { TransitionObserver } from './support/transition-observer';

const suite = useSuite();
const run = promisify(execFile);
const kubectlRun = (...args: string[]) => run(kubectl(suite.binaries), ['--kubeconfig', suite.cluster.kubeconfig, ...args]);

test('after a kubectl scale by hand, the next pulumi up applies the stage (the stage owns what it renders)', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', withMinReadySeconds(1));
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  try {
    assert.equal((await project.up()).summary.result, 'succeeded');
    await kubectlRun('-n', plan.namespace, 'scale', 'deployment/fop-gate-canary', '--replicas=2');
    assert.equal(await observer.settledReadyEndpoints('fop-gate', 11), 11);
    project.stepwise('promote', 'fop-gate', '--skip-gate');
    const result = await project.up();
    assert.equal(result.summary.result, 'succeeded');
    const canary = (await suite.cluster.api.get(`/apis/apps/v1/namespaces/${plan.namespace}/deployments/fop-gate-canary`)) as any;
    assert.equal(canary.spec.replicas, 1, 'the canary stage asks for 1 canary pod');
    assert.equal(await observer.settledReadyEndpoints('fop-gate', 10), 10);
  } finally {
    observer.stop();
    await project.destroy();
  }
});

test('an app applied with kubectl before stepwise managed it is taken over by pulumi up without a replacement', async () => {
  const project = await ReleaseProject.create(suite.engine, 'web-nginx', withMinReadySeconds(1));
  const stack = stackFromText('web-nginx', project.stackFile, fs.readFileSync(project.stackFile, 'utf8'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-existing-'));
  await suite.cluster.api.apply('/api/v1/namespaces', namespaceObject(stack.plan) as KubeObject);
  const observer = await TransitionObserver.start(suite.cluster.api, stack.plan.namespace);
  try {
    // What ran before: the first stage's manifests, applied by hand.
    for (const file of renderStackStage(stack).files) fs.writeFileSync(path.join(dir, file.name), file.yaml);
    await kubectlRun('apply', '--server-side', '-f', dir);
    await kubectlRun('-n', stack.plan.namespace, 'rollout', 'status', 'deployment/nginx-dm', '--timeout=120s');
    const before = deploymentUids(observer.observations);
    assert.deepEqual([...before.keys()], ['nginx-dm']);

    const result = await project.up();
    assert.equal(result.summary.result, 'succeeded');
    assert.deepEqual(deploymentUids(observer.observations), before, 'nginx-dm kept its UID: adopted, not replaced');
    assert.ok(!observer.observations.some((o) => o.kind === 'deployment' && o.type === 'DELETED'), 'nothing was deleted');
  } finally {
    observer.stop();
    await project.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
