/**
 * Every stage of the example stacks, forward to the last and back to the first, with a real
 * `pulumi up` against a real control plane, while the namespace is watched: what the plan
 * promised is what the cluster did, and a second `pulumi up` at a stage changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { namespaceObject } from '../lib/constructs/release-namespace';
import { listStacks } from '../lib/stacks';
import { assertMoveKeptPromises, deploymentUids, startMove } from './support/move-promises';
import type { KubeObject } from './support/kube-api';
import { ReleaseProject } from './support/pulumi-engine';
import { objectsRecordedStale } from './support/recorded-objects';
import { exampleRoute, useSuite, withMinReadySeconds } from './support/suite';
import { describeNamespace, TransitionObserver } from './support/transition-observer';
import { createWorkloadPrerequisites } from './support/workload-prerequisites';

const suite = useSuite();

/** The stacks walked (each in its own namespace, all on one cluster): every example, or $STEPWISE_E2E_STACKS. */
const STACKS = process.env.STEPWISE_E2E_STACKS?.split(',') ?? listStacks('stacks');

for (const stackName of STACKS) {
  describe(`${stackName}: every stage with pulumi up`, () => {
    test('forward to the last stage and back: never below the plan, switch after ready, break after switch, nothing replaced, nothing left to change', async () => {
      const project = await ReleaseProject.create(suite.engine, stackName, withMinReadySeconds(1));
      const { plan } = project.read();
      // What the app's owners have in place before its first pulumi up (orders-api's ServiceAccount,
      // Secrets, …), in the namespace the program then takes over.
      await suite.cluster.api.apply('/api/v1/namespaces', namespaceObject(plan) as KubeObject);
      await createWorkloadPrerequisites(suite.cluster.api, plan);
      const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
      try {
        assert.equal((await project.up()).summary.result, 'succeeded');
        const uids = deploymentUids(observer.observations);
        let at = 0;
        for (const next of exampleRoute(plan)) {
          const direction = next > at ? 'promote' : 'rollback';
          project.stepwise(direction, stackName, ...(direction === 'promote' ? ['--skip-gate'] : []));
          assert.equal(project.read().stageIndex, next, `${direction} moved ${stackName} to ${plan.stages[next].name}`);

          const start = await startMove(observer, plan, at, next);
          const result = await project.up();
          assert.equal(result.summary.result, 'succeeded', `pulumi up ${plan.stages[at].name} → ${plan.stages[next].name}`);
          assert.equal(
            result.outputs.stage?.value,
            plan.stages[next].name,
            `the stage output of pulumi up ${plan.stages[at].name} → ${plan.stages[next].name}`,
          );
          assert.deepEqual(
            await objectsRecordedStale(project.stack),
            [],
            `Pulumi's state after pulumi up ${plan.stages[at].name} → ${plan.stages[next].name} records the objects as applied`,
          );
          await assertMoveKeptPromises(observer, plan, at, next, start, uids, () => describeNamespace(suite.cluster.api, plan.namespace));

          // The program reads its recorded stage back on every run: a `read`, never a change.
          const again = await project.preview();
          assert.deepEqual(
            Object.keys(again.changes).filter((op) => op !== 'same' && op !== 'read'),
            [],
            `a second pulumi up at ${plan.stages[next].name} would change: ${JSON.stringify(again.changes)}\n${again.changed.join('\n')}`,
          );
          at = next;
        }
        assert.deepEqual(observer.errors, []);
      } finally {
        observer.stop();
        await project.destroy();
      }
    });
  });
}
