/**
 * The GitOps path on a real control plane: every stage of every example stack rendered with
 * `npm run synth` and applied the way Argo CD syncs it — `kubectl apply --server-side` wave by
 * wave in the order of the `argocd.argoproj.io/sync-wave` annotations, each wave's Deployments
 * healthy (rolled out) before the next, and objects the stage no longer renders pruned last — while
 * the namespace is watched for what the plan promised.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { namespaceObject } from '../lib/constructs/release-namespace';
import { listStacks, stackFromText } from '../lib/stacks';
import type { KubeObject } from './support/kube-api';
import { GitOpsSync } from './support/gitops-sync';
import { createWorkloadPrerequisites } from './support/workload-prerequisites';
import { assertMoveKeptPromises, deploymentUids, startMove } from './support/move-promises';
import { exampleRoute, useSuite, withMinReadySeconds } from './support/suite';
import { describeNamespace, TransitionObserver } from './support/transition-observer';

const suite = useSuite();
const run = promisify(execFile);
const repo = path.resolve(__dirname, '..');
const STACKS = process.env.STEPWISE_E2E_STACKS?.split(',') ?? listStacks('stacks');

/** An example stack made quick to roll (see withMinReadySeconds), with Argo CD sync waves on, as a GitOps repo would have it. */
function gitopsCopy(yaml: string): string {
  const document = parseDocument(withMinReadySeconds(1)(yaml));
  document.setIn(['config', 'stepwise:plan', 'gitops', 'syncWaves'], true);
  return document.toString();
}

for (const stackName of STACKS) {
  describe(`${stackName}: every stage through npm run synth and a sync in waves`, () => {
    test('forward to the last stage and back: never below the plan, switch after ready, break after switch, nothing replaced', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stepwise-e2e-gitops-${stackName}-`));
      fs.mkdirSync(path.join(dir, 'stacks'));
      const file = path.join(dir, 'stacks', `Pulumi.${stackName}.yaml`);
      fs.writeFileSync(file, gitopsCopy(fs.readFileSync(path.join(repo, 'stacks', `Pulumi.${stackName}.yaml`), 'utf8')));
      const read = () => stackFromText(stackName, file, fs.readFileSync(file, 'utf8'));
      const { plan } = read();
      // The namespace, as `pulumi up` creates it (Argo CD's CreateNamespace=true, or a platform
      // team, does this on the GitOps path): restricted Pod Security enforced unless the plan relaxes it.
      await suite.cluster.api.apply('/api/v1/namespaces', namespaceObject(plan) as KubeObject);
      // What the app's owners have in place before its first sync (orders-api's ServiceAccount, Secrets, …).
      await createWorkloadPrerequisites(suite.cluster.api, plan);
      const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
      const gitops = new GitOpsSync(suite, dir, stackName, plan.namespace);
      const stepwise = (...args: string[]) =>
        run(process.execPath, [path.join(repo, 'dist-js', 'bin', 'stepwise.js'), ...args], { cwd: dir });
      try {
        await gitops.sync();
        const uids = deploymentUids(observer.observations);
        let at = 0;
        for (const next of exampleRoute(plan)) {
          const direction = next > at ? 'promote' : 'rollback';
          await stepwise(direction, stackName, ...(direction === 'promote' ? ['--skip-gate'] : []));
          assert.equal(read().stageIndex, next);
          const start = await startMove(observer, plan, at, next);
          await gitops.sync();
          await assertMoveKeptPromises(observer, plan, at, next, start, uids, () => describeNamespace(suite.cluster.api, plan.namespace));
          assert.ok(await gitops.unchanged(), `a second sync at ${plan.stages[next].name} would change the cluster`);
          at = next;
        }
        assert.deepEqual(observer.errors, []);
      } finally {
        observer.stop();
        await suite.cluster.api.delete(`/api/v1/namespaces/${plan.namespace}`);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
