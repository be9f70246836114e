/**
 * Every stage of the example stacks, forward to the last and back to the first, with a real
 * `pulumi up` against a real control plane, while the namespace is watched: what the plan
 * promised is what the cluster did.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stageState, transition } from '../lib/model';
import { stackFromText } from '../lib/stacks';
import * as fs from 'node:fs';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { describeNamespace, TransitionObserver, type Observation } from './support/transition-observer';

const suite = useSuite();

/** The stacks walked here (each one in its own namespace, all on the one cluster). */
const STACKS = (process.env.STEPWISE_E2E_STACKS ?? 'fop-gate').split(',');

for (const stackName of STACKS) {
  describe(`${stackName}: every stage with pulumi up`, () => {
    test('forward to the last stage and back, never below the plan, nothing replaced, nothing left to change', async () => {
      const project = await ReleaseProject.create(suite.engine, stackName, withMinReadySeconds(1));
      const read = () => stackFromText(stackName, project.stackFile, fs.readFileSync(project.stackFile, 'utf8'));
      const { plan } = read();
      const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
      try {
        const first = await project.up();
        assert.equal(first.summary.result, 'succeeded');
        const uids = deploymentUids(observer.observations);

        const names = plan.stages.map((s) => s.name);
        const route = [...names.keys()].slice(1).concat([...names.keys()].reverse().slice(1));
        let at = 0;
        for (const next of route) {
          const direction = next > at ? 'promote' : 'rollback';
          project.stepwise(direction, stackName, ...(direction === 'promote' ? ['--skip-gate'] : []));
          assert.equal(read().stageIndex, next, `${direction} moved ${stackName} to ${names[next]}`);

          const move = transition(plan, stageState(plan, at), next);
          const before = new Map(move.services.map((s) => [s.name, observer.readyEndpoints(s.name)]));
          const since = performance.now();
          const result = await project.up();
          assert.equal(result.summary.result, 'succeeded', `pulumi up ${names[at]} → ${names[next]}`);

          for (const service of move.services) {
            const min = observer.minReadyEndpoints(service.name, since, before.get(service.name) ?? 0);
            assert.ok(
              min >= service.minReadyEndpoints,
              `${names[at]} → ${names[next]}: Service ${service.name} fell to ${min} ready endpoints; the plan promised ${service.minReadyEndpoints}`,
            );
            const settled = await observer.settledReadyEndpoints(service.name, service.endpointsAfter);
            if (settled !== service.endpointsAfter) {
              assert.fail(
                `${names[next]}: Service ${service.name} has ${settled} ready endpoints, the plan says ${service.endpointsAfter}\n` +
                  (await describeNamespace(suite.cluster.api, plan.namespace)),
              );
            }
          }
          assertNoReplacement(uids, observer.since(since), `${names[at]} → ${names[next]}`);
          const again = await project.previewChanges();
          assert.deepEqual(
            Object.keys(again).filter((op) => op !== 'same'),
            [],
            `a second pulumi up at ${names[next]} would change: ${JSON.stringify(again)}`,
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

/** The UID of every Deployment seen so far, by name. */
function deploymentUids(observations: readonly Observation[]): Map<string, string> {
  const uids = new Map<string, string>();
  for (const o of observations) if (o.kind === 'deployment' && o.type !== 'DELETED') uids.set(o.name, o.uid);
  return uids;
}

/**
 * No Deployment was replaced across one move: none changed its UID, and none was deleted and
 * created again under its name (what a delete-before-replace does).
 */
function assertNoReplacement(uids: Map<string, string>, observations: readonly Observation[], move: string): void {
  const deleted = new Set<string>();
  for (const o of observations) {
    if (o.kind !== 'deployment') continue;
    if (o.type === 'DELETED') {
      uids.delete(o.name);
      deleted.add(o.name);
      continue;
    }
    assert.ok(!deleted.has(o.name), `${move}: Deployment ${o.name} was deleted and created again (replaced)`);
    const known = uids.get(o.name);
    if (known === undefined) uids.set(o.name, o.uid);
    else assert.equal(o.uid, known, `${move}: Deployment ${o.name} was replaced (its UID changed)`);
  }
}
