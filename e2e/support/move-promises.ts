/**
 * What the plan promises about one move from a stage to another, checked against what a
 * `TransitionObserver` saw the cluster do while the move was applied (by `pulumi up` or by a
 * GitOps sync): ready endpoints never below the plan's numbers and settled at the new stage's,
 * a selector switch only once the pods it switches to are ready, scale-downs and deletions only
 * after the switch, and no Deployment replaced.
 */
import assert from 'node:assert/strict';
import { labelsMatch, stageState, transition, type Plan } from '../../lib/model';
import type { Observation, TransitionObserver } from './transition-observer';

type DeploymentSeen = Extract<Observation, { kind: 'deployment' }>;

/** The state of one namespace when a move starts, to judge the move by afterwards. */
export interface MoveStart {
  readonly at: number;
  readonly endpoints: ReadonlyMap<string, number>;
}

/**
 * Notes where the move from stage index `from` to `to` starts: once every Service has the ready
 * endpoints of `from` (EndpointSlices follow a rollout a moment after the Deployment's status).
 */
export async function startMove(observer: TransitionObserver, plan: Plan, from: number, to: number): Promise<MoveStart> {
  const move = transition(plan, stageState(plan, from), to);
  for (const service of move.services) await observer.settledReadyEndpoints(service.name, service.endpointsBefore);
  return { at: performance.now(), endpoints: new Map(move.services.map((s) => [s.name, observer.readyEndpoints(s.name)])) };
}

/**
 * Asserts every promise of the move from stage index `from` to `to`, given what was observed
 * since `start`. `uids` holds the Deployments' UIDs and is kept up to date across moves.
 */
export async function assertMoveKeptPromises(
  observer: TransitionObserver,
  plan: Plan,
  from: number,
  to: number,
  start: MoveStart,
  uids: Map<string, string>,
  describe: () => Promise<string>,
): Promise<void> {
  const move = transition(plan, stageState(plan, from), to);
  const label = `${plan.stages[from].name} → ${plan.stages[to].name}`;
  for (const service of move.services) {
    const min = observer.minReadyEndpoints(service.name, start.at, start.endpoints.get(service.name) ?? 0);
    assert.ok(
      min >= service.minReadyEndpoints,
      `${label}: Service ${service.name} fell to ${min} ready endpoints; the plan promised ${service.minReadyEndpoints}`,
    );
    const settled = await observer.settledReadyEndpoints(service.name, service.endpointsAfter);
    if (settled !== service.endpointsAfter) {
      assert.fail(
        `${label}: Service ${service.name} has ${settled} ready endpoints, the plan says ${service.endpointsAfter}\n${await describe()}`,
      );
    }
  }

  const seen = observer.since(start.at);
  const switches = move.services
    .filter((s) => s.selectorChanges)
    .map((s) => seen.find((o) => o.kind === 'service' && o.name === s.name && o.selector === selectorText(s.toSelector)));
  for (const [i, service] of move.services.filter((s) => s.selectorChanges).entries()) {
    const switched = switches[i];
    assert.ok(switched, `${label}: Service ${service.name} never switched to ${selectorText(service.toSelector)}`);
    for (const { workload, state } of move.to.workloads) {
      if (!labelsMatch(service.toSelector, workload.labels) || state.replicas === 0) continue;
      const last = lastSeen(observer.observations, workload.name, switched.at);
      assert.ok(
        last && last.readyReplicas >= state.replicas,
        `${label}: Service ${service.name} switched while ${workload.name} had ${last?.readyReplicas ?? 0} of ${state.replicas} pods ready`,
      );
    }
  }
  const switchedAt = Math.max(start.at, ...switches.map((o) => o?.at ?? start.at));
  for (const workload of move.workloads.filter((w) => w.phase === 'break')) {
    const early = seen.find(
      (o): o is DeploymentSeen =>
        o.kind === 'deployment' &&
        o.name === workload.name &&
        o.at < switchedAt &&
        (o.type === 'DELETED' || o.replicas < (workload.from?.replicas ?? 0)),
    );
    assert.equal(early, undefined, `${label}: ${workload.name} was scaled down or deleted before the Service switched`);
  }
  assertNoReplacement(uids, seen, label);
}

/** The UID of every Deployment seen so far, by name. */
export function deploymentUids(observations: readonly Observation[]): Map<string, string> {
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
    assert.ok(
      !deleted.has(o.name),
      `${move}: Deployment ${o.name} was deleted and created again (replaced): ${JSON.stringify(observations.filter((x) => x.kind === 'deployment' && x.name === o.name))}`,
    );
    const known = uids.get(o.name);
    if (known === undefined) uids.set(o.name, o.uid);
    else assert.equal(o.uid, known, `${move}: Deployment ${o.name} was replaced (its UID changed)`);
  }
}

function lastSeen(observations: readonly Observation[], name: string, until: number): DeploymentSeen | undefined {
  let last: DeploymentSeen | undefined;
  for (const o of observations) if (o.kind === 'deployment' && o.name === name && o.at <= until) last = o;
  return last;
}

/** A selector as the observer writes it: `k=v,k=v`, keys sorted. */
function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
