/**
 * A step-by-step simulation of one Deployment under the Kubernetes Deployment controller, written
 * from the controller's code (`pkg/controller/deployment`: `syncDeployment`, `isScalingEvent`,
 * `sync`/`scale`, `rolloutRolling` with `reconcileNewReplicaSet`/`NewRSNewReplicas` and
 * `reconcileOldReplicaSets`/`cleanupUnhealthyReplicas`/`scaleDownOldReplicaSetsForRollingUpdate`,
 * `rolloutRecreate`, `cleanupDeployment`), not from lib/model. The property tests compare the
 * model's pod counts against it.
 *
 * What it keeps: the ReplicaSets (template image, desired replicas, the `desired-replicas`
 * annotation, creation order) and how many of each one's pods are ready. The controller acts as
 * long as it can; only when a sync changes nothing does one pod become ready (the slowest,
 * most interleaved schedule). A ReplicaSet scaled down deletes unready pods first, at once
 * (terminating pods are not counted, as the controller does not count them).
 */

/** `maxSurge` / `maxUnavailable` as a stack file holds them. */
export type SimIntOrPercent = number | `${number}%`;

/** A Deployment strategy. */
export type SimStrategy =
  | { readonly type: 'RollingUpdate'; readonly maxSurge: SimIntOrPercent; readonly maxUnavailable: SimIntOrPercent }
  | { readonly type: 'Recreate' };

/** The parts of a Deployment spec a stage sets. */
export interface SimSpec {
  readonly replicas: number;
  readonly image: string;
  readonly paused: boolean;
}

/** What applying a spec did, and what it left. */
export interface SimOutcome {
  /** The most pods (ReplicaSet replicas) that existed at once. */
  readonly peakPods: number;
  /** The fewest ready pods at any point. */
  readonly minAvailable: number;
  /** Pods once settled (all ready). */
  readonly pods: number;
  /** The image of the ReplicaSet holding them, when there are any. */
  readonly image?: string;
}

interface ReplicaSet {
  readonly image: string;
  readonly created: number;
  revision: number;
  replicas: number;
  ready: number;
  desired?: number;
}

/** `intstr.GetScaledValueFromIntOrPercent`: a percent of `total`, rounded up or down, in integers. */
function scaled(value: SimIntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const product = Number(value.slice(0, -1)) * total;
  return roundUp ? Math.floor((product + 99) / 100) : Math.floor(product / 100);
}

/** One Deployment and its ReplicaSets. */
export class SimulatedDeployment {
  private replicaSets: ReplicaSet[] = [];
  private spec?: SimSpec;
  private clock = 0;
  private peak = 0;
  private lowest = 0;

  constructor(
    private readonly strategy: SimStrategy,
    private readonly revisionHistoryLimit: number,
  ) {}

  /** An independent copy (to try a move from this state without changing it). */
  clone(): SimulatedDeployment {
    const copy = new SimulatedDeployment(this.strategy, this.revisionHistoryLimit);
    copy.replicaSets = this.replicaSets.map((rs) => ({ ...rs }));
    copy.spec = this.spec;
    copy.clock = this.clock;
    return copy;
  }

  /** Applies `spec` (undefined: deletes the Deployment) and runs until everything is settled. */
  apply(spec: SimSpec | undefined): SimOutcome {
    this.peak = this.total();
    this.lowest = this.available();
    if (spec === undefined) {
      this.replicaSets = [];
      this.spec = undefined;
      this.observe();
      return { peakPods: this.peak, minAvailable: this.lowest, pods: 0 };
    }
    this.spec = spec;
    for (let step = 0; step < 100_000; step++) {
      if (this.syncDeployment()) continue;
      const unready = this.replicaSets.find((rs) => rs.ready < rs.replicas);
      if (!unready) {
        this.cleanupDeployment();
        const holder = this.replicaSets.find((rs) => rs.replicas > 0);
        return { peakPods: this.peak, minAvailable: this.lowest, pods: this.total(), image: holder?.image };
      }
      unready.ready += 1;
      this.observe();
    }
    throw new Error('the simulated Deployment never settled');
  }

  private total(): number {
    return this.replicaSets.reduce((sum, rs) => sum + rs.replicas, 0);
  }

  private available(): number {
    return this.replicaSets.reduce((sum, rs) => sum + rs.ready, 0);
  }

  private observe(): void {
    this.peak = Math.max(this.peak, this.total());
    this.lowest = Math.min(this.lowest, this.available());
  }

  private get d(): SimSpec {
    return this.spec as SimSpec;
  }

  /** The ReplicaSet whose template is the spec's, and the others oldest first. */
  private split(): { newRS?: ReplicaSet; oldRSs: ReplicaSet[] } {
    const newRS = this.replicaSets.find((rs) => rs.image === this.d.image);
    const oldRSs = this.replicaSets.filter((rs) => rs !== newRS).sort((a, b) => a.created - b.created);
    return { newRS, oldRSs };
  }

  /** Resizes a ReplicaSet (deleting unready pods first) and records the annotation, as `scaleReplicaSet` does. */
  private scale(rs: ReplicaSet, replicas: number): void {
    rs.replicas = replicas;
    rs.ready = Math.min(rs.ready, replicas);
    rs.desired = this.d.replicas;
    this.observe();
  }

  private create(replicas: number): ReplicaSet {
    const rs: ReplicaSet = { image: this.d.image, created: this.clock++, revision: this.maxOldRevision() + 1, replicas: 0, ready: 0 };
    this.replicaSets.push(rs);
    this.scale(rs, replicas);
    return rs;
  }

  private maxOldRevision(): number {
    return this.split().oldRSs.reduce((max, rs) => Math.max(max, rs.revision), 0);
  }

  /** One sync; true when it changed a ReplicaSet. */
  private syncDeployment(): boolean {
    const { newRS, oldRSs } = this.split();
    // getAllReplicaSetsAndSyncRevision: an existing ReplicaSet of the template gets the next revision, paused or not.
    if (newRS) newRS.revision = Math.max(newRS.revision, this.maxOldRevision() + 1);
    if (this.d.paused || this.isScalingEvent()) return this.scaleToSpec(newRS, oldRSs);
    return this.strategy.type === 'Recreate' ? this.rolloutRecreate(newRS, oldRSs) : this.rolloutRolling(newRS, oldRSs);
  }

  private isScalingEvent(): boolean {
    return this.replicaSets.some((rs) => rs.replicas > 0 && rs.desired !== undefined && rs.desired !== this.d.replicas);
  }

  /** `dc.scale`: resize the only active ReplicaSet, or the newest one when none is active. */
  private scaleToSpec(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (!newRS && oldRSs.length === 0) return false;
    const all = newRS ? [...oldRSs, newRS] : oldRSs;
    const active = all.filter((rs) => rs.replicas > 0);
    // Proportional scaling needs two active ReplicaSets: a spec applied mid-rollout, which the
    // simulation never does (each stage settles before the next is applied).
    if (active.length > 1) throw new Error('proportional scaling is not simulated');
    const target = active[0] ?? newRS ?? oldRSs[oldRSs.length - 1];
    if (target.replicas === this.d.replicas) return false;
    this.scale(target, this.d.replicas);
    return true;
  }

  /** `ResolveFenceposts` for the surge; `MaxUnavailable` (0 for no replicas, at most the replicas) for the rest. */
  private fenceposts(): { surge: number; unavailable: number } {
    if (this.strategy.type !== 'RollingUpdate') return { surge: 0, unavailable: 0 };
    const surge = scaled(this.strategy.maxSurge, this.d.replicas, true);
    let unavailable = scaled(this.strategy.maxUnavailable, this.d.replicas, false);
    if (surge === 0 && unavailable === 0) unavailable = 1;
    return { surge, unavailable: this.d.replicas === 0 ? 0 : Math.min(unavailable, this.d.replicas) };
  }

  /** `NewRSNewReplicas` for a rolling update. */
  private newRSNewReplicas(newReplicas: number): number {
    const current = this.total();
    const maxTotal = this.d.replicas + this.fenceposts().surge;
    if (current >= maxTotal) return newReplicas;
    return newReplicas + Math.min(maxTotal - current, this.d.replicas - newReplicas);
  }

  private rolloutRolling(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (!newRS) {
      this.create(this.newRSNewReplicas(0));
      return true;
    }
    // reconcileNewReplicaSet
    if (newRS.replicas > this.d.replicas) {
      this.scale(newRS, this.d.replicas);
      return true;
    }
    if (newRS.replicas < this.d.replicas) {
      const wanted = this.newRSNewReplicas(newRS.replicas);
      if (wanted !== newRS.replicas) {
        this.scale(newRS, wanted);
        return true;
      }
    }
    // reconcileOldReplicaSets
    const activeOld = oldRSs.filter((rs) => rs.replicas > 0);
    if (activeOld.length === 0) return false;
    const minAvailable = this.d.replicas - this.fenceposts().unavailable;
    const maxScaledDown = this.total() - minAvailable - (newRS.replicas - newRS.ready);
    if (maxScaledDown <= 0) return false;
    let cleaned = 0;
    for (const rs of activeOld) {
      if (cleaned >= maxScaledDown) break;
      if (rs.replicas === rs.ready) continue;
      const count = Math.min(maxScaledDown - cleaned, rs.replicas - rs.ready);
      this.scale(rs, rs.replicas - count);
      cleaned += count;
    }
    const available = this.available();
    if (available <= minAvailable) return cleaned > 0;
    const toScaleDown = available - minAvailable;
    let scaledDown = 0;
    for (const rs of activeOld) {
      if (scaledDown >= toScaleDown) break;
      if (rs.replicas === 0) continue;
      const count = Math.min(rs.replicas, toScaleDown - scaledDown);
      this.scale(rs, rs.replicas - count);
      scaledDown += count;
    }
    return cleaned + scaledDown > 0;
  }

  private rolloutRecreate(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    let scaledDown = false;
    for (const rs of oldRSs.filter((r) => r.replicas > 0)) {
      this.scale(rs, 0);
      scaledDown = true;
    }
    if (scaledDown) return true;
    if (!newRS) {
      this.create(this.d.replicas);
      return true;
    }
    if (newRS.replicas === this.d.replicas) return false;
    this.scale(newRS, this.d.replicas);
    return true;
  }

  /** `cleanupDeployment`: the ReplicaSets of the lowest revisions beyond the history limit go, unless they have pods. */
  private cleanupDeployment(): void {
    const byRevision = this.split().oldRSs.sort((a, b) => a.revision - b.revision);
    const diff = byRevision.length - this.revisionHistoryLimit;
    const deleted = new Set(byRevision.slice(0, Math.max(0, diff)).filter((rs) => rs.replicas === 0));
    this.replicaSets = this.replicaSets.filter((rs) => !deleted.has(rs));
  }
}
