/**
 * What a stage's props must satisfy before anything renders: what every stage needs (unique
 * names, what cdk8s-plus and the API server accept, router weights and sync waves that name the
 * stage's own tracks and workloads), then the rules of each practice, as data by kind. Every
 * problem names the prop (`workloads[1].replicas`), and all of them are reported at once.
 */
import { StepwiseError, labelsMatch, type ReleaseKind } from '../model';
import { LabelIndex } from '../model/label-index';
import { serviceProblems, type ResolvedService } from './service-props';
import type { SyncWavesProps } from './sync-wave-annotations';
import type { TrafficRouterProps } from './traffic-router';
import { workloadProblems, type ResolvedWorkload } from './workload-props';

/** A stage's props with defaults resolved, as the rules read them. */
export interface StageToCheck {
  /** The workloads, in props order. */
  readonly workloads: readonly ResolvedWorkload[];
  /** The Services, in props order. */
  readonly services: readonly ResolvedService[];
  /** The weighted router, if any. */
  readonly trafficRouter?: TrafficRouterProps;
  /** The sync waves, if any. */
  readonly syncWaves?: SyncWavesProps;
}

/** A rule of a practice: the problems of one stage. */
type StageRule = (stage: StageToCheck) => StepwiseError[];

/** Traffic moves by replicas behind a fixed selector, so a workload no Service selects never gets any. */
const everyWorkloadBehindAService: StageRule = ({ workloads, services }) => {
  const byLabel = new LabelIndex(workloads, (w) => w.workload.labels);
  const selected = new Set(
    services.flatMap((s) => byLabel.candidates(s.selector).filter((w) => labelsMatch(s.selector, w.workload.labels))),
  );
  return workloads.flatMap((w, i) =>
    selected.has(w)
      ? []
      : [
          new StepwiseError({
            keyPath: `workloads[${i}].labels`,
            problem: `no Service selects workload '${w.workload.name}', so it never gets traffic`,
            fix: 'give it the label a Service selects (e.g. app: <app>)',
          }),
        ],
  );
};

/**
 * The rules of each practice for one stage, beyond what every stage needs. A canary pair and a
 * batched rollout move traffic by replicas, so every workload must be behind a Service; a selector
 * cutover moves it by the Service selector, which may leave a workload unselected (v2 before the
 * cutover, v1 after it). Rules across stages (a selector that must never change, or must change
 * once) belong to a plan: see `kindRuleProblems`.
 */
export const PRACTICE_RULES: Readonly<Record<ReleaseKind, readonly StageRule[]>> = {
  CanaryService: [everyWorkloadBehindAService],
  BatchedRollout: [everyWorkloadBehindAService],
  SelectorCutover: [],
};

/** Every problem of a stage of practice `kind`. */
export function stageProblems(kind: ReleaseKind, stage: StageToCheck): StepwiseError[] {
  const problems = [
    ...duplicateNames(
      'workloads',
      stage.workloads.map((w) => w.workload.name),
    ),
    ...duplicateNames(
      'services',
      stage.services.map((s) => s.service.name),
    ),
    ...stage.workloads.flatMap((w, i) => workloadProblems(w, `workloads[${i}]`)),
    ...serviceProblems(stage.services),
    ...routerProblems(stage),
    ...syncWaveProblems(stage),
  ];
  // The practice's rules read the stage as a whole: only once each part is sound.
  return problems.length > 0 ? problems : PRACTICE_RULES[kind].flatMap((rule) => rule(stage));
}

function duplicateNames(prop: string, names: readonly string[]): StepwiseError[] {
  return names.flatMap((name, i) => {
    const earlier = names.indexOf(name);
    return earlier === i
      ? []
      : [
          new StepwiseError({
            keyPath: `${prop}[${i}].name`,
            problem: `'${name}' is also the name of ${prop}[${earlier}]`,
            fix: 'give each one its own name',
          }),
        ];
  });
}

function routerProblems({ trafficRouter, services }: StageToCheck): StepwiseError[] {
  if (!trafficRouter) return [];
  const { routing, weights } = trafficRouter;
  const problems: StepwiseError[] = [];
  const report = (keyPath: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath, problem, fix }));
  if (!services.some((s) => s.service.name === routing.service.name)) {
    report('trafficRouter.routing.service.name', `'${routing.service.name}' is not one of the stage's services`, 'route one of `services`');
  }
  if (routing.router === 'ingress-nginx' && routing.tracks.length !== 2) {
    report(
      'trafficRouter.routing.tracks',
      `has ${routing.tracks.length} tracks, ingress-nginx routes two`,
      'list the stable track, then the canary track',
    );
  }
  for (const track of routing.tracks) {
    const weight = Object.prototype.hasOwnProperty.call(weights, track.name) ? weights[track.name] : undefined;
    if (weight === undefined) report(`trafficRouter.weights.${track.name}`, 'is missing', `give track '${track.name}' a percent, 0 to 100`);
    else if (!Number.isInteger(weight) || weight < 0 || weight > 100)
      report(`trafficRouter.weights.${track.name}`, `must be a whole percent from 0 to 100, got ${weight}`, 'use e.g. 5');
  }
  for (const name of Object.keys(weights)) {
    if (!routing.tracks.some((t) => t.name === name))
      report(`trafficRouter.weights.${name}`, `'${name}' is not a track`, `use one of: ${routing.tracks.map((t) => t.name).join(', ')}`);
  }
  const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
  if (problems.length === 0 && total !== 100) report('trafficRouter.weights', `add up to ${total}`, 'make the percents add up to 100');
  return problems;
}

function syncWaveProblems({ syncWaves, workloads }: StageToCheck): StepwiseError[] {
  const names = workloads.map((w) => w.workload.name);
  return (syncWaves?.scaledDown ?? []).flatMap((name, i) =>
    names.includes(name)
      ? []
      : [
          new StepwiseError({
            keyPath: `syncWaves.scaledDown[${i}]`,
            problem: `'${name}' is not one of the stage's workloads`,
            fix: `use one of: ${names.join(', ')}`,
          }),
        ],
  );
}
