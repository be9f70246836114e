/**
 * fast-check arbitraries for release plans, shared by the property and robustness tests (and by
 * anything else that wants random plans, e.g. property tests of `stepwise check`).
 *
 * The plans are plain data as a stack file's `stepwise:plan` holds them, built so that `parsePlan`
 * accepts every one: each workload has its own track label inside its selector (so no two
 * Deployment selectors overlap), canary and batched plans keep every Service selector fixed and
 * every workload behind a Service, and cutover plans change a selector in at least one stage.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parsePlan, type IntOrPercent, type Plan, type ReleaseKind } from '../../lib/model';

/** Plain plan data, as in a stack file. */
export type PlanData = Record<string, any>;

/** Limits of the generated plans (all optional). */
export interface PlanArbitraryOptions {
  /** Kinds to draw from. Default: all three. */
  readonly kinds?: readonly ReleaseKind[];
  /** Most apps (one Service each). Default 3. */
  readonly maxApps?: number;
  /** Most workloads per app. Default 4. */
  readonly maxWorkloadsPerApp?: number;
  /** Most stages. Default 5. */
  readonly maxStages?: number;
  /** Most replicas of a workload in a stage. Default 20. */
  readonly maxReplicas?: number;
}

/** A `maxSurge` / `maxUnavailable` value: a count 0-5 or a whole percent 0-100%. */
export const intOrPercentArbitrary: fc.Arbitrary<IntOrPercent> = fc.oneof(
  fc.integer({ min: 0, max: 5 }),
  fc.integer({ min: 0, max: 100 }).map((p) => `${p}%` as IntOrPercent),
);

/**
 * A `maxSurge` value: a count 0-5 or a whole percent 0-300% (Kubernetes caps only maxUnavailable
 * at 100%; a surge from 100% up starts the whole new count at once).
 */
export const maxSurgeArbitrary: fc.Arbitrary<IntOrPercent> = fc.oneof(
  fc.integer({ min: 0, max: 5 }),
  fc.integer({ min: 0, max: 300 }).map((p) => `${p}%` as IntOrPercent),
);

/** True when a value is zero for any replica count (Kubernetes rejects both surge and unavailable being so). */
function alwaysZero(value: IntOrPercent): boolean {
  return value === 0 || value === '0%';
}

/** A workload `strategy:` block a stack file may hold: RollingUpdate (never both zero) or Recreate. */
export const strategyArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(maxSurgeArbitrary, intOrPercentArbitrary)
      .filter(([surge, unavailable]) => !(alwaysZero(surge) && alwaysZero(unavailable)))
      .map(([maxSurge, maxUnavailable]) => ({ type: 'RollingUpdate', maxSurge, maxUnavailable })),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'Recreate' }) },
);

/** An image reference with one of a few tags, so consecutive stages sometimes change it and sometimes not. */
const imageArbitrary = fc.constantFrom('1.0.0', '1.1.0', '2.0.0').map((tag) => `registry.example.com/team/app:${tag}`);

/**
 * Random valid plan data: 1-`maxApps` apps, each with one Service and 1-`maxWorkloadsPerApp`
 * workloads (at least two workloads in all), random strategies (maxSurge up to 300%) and revision
 * history limits, and 1-`maxStages` stages in which each workload is present or absent with random
 * replicas (0-`maxReplicas`), image and paused (so Deployments are created paused, paused with a
 * pending image, scaled while paused and resumed).
 */
export function validPlanDataArbitrary(options: PlanArbitraryOptions = {}): fc.Arbitrary<PlanData> {
  const {
    kinds = ['CanaryService', 'BatchedRollout', 'SelectorCutover'],
    maxApps = 3,
    maxWorkloadsPerApp = 4,
    maxStages = 5,
    maxReplicas = 20,
  } = options;
  const appsArbitrary = fc
    .array(fc.integer({ min: 1, max: maxWorkloadsPerApp }), { minLength: 1, maxLength: maxApps })
    .filter((sizes) => sizes.reduce((a, b) => a + b, 0) >= 2);
  return fc
    .record({ kind: fc.constantFrom(...kinds), appSizes: appsArbitrary, stageCount: fc.integer({ min: 1, max: maxStages }) })
    .chain(({ kind, appSizes, stageCount }) => {
      const apps = appSizes.map((size, a) => ({ name: `app-${a}`, workloads: Array.from({ length: size }, (_, t) => `app-${a}-t${t}`) }));
      const workloadNames = apps.flatMap((app) => app.workloads);
      const stateArbitrary = fc.option(
        fc.record({ replicas: fc.integer({ min: 0, max: maxReplicas }), image: imageArbitrary, paused: fc.boolean() }),
        { nil: undefined, freq: 5 },
      );
      const stageArbitrary = fc.record({
        workloads: fc.tuple(...workloadNames.map(() => stateArbitrary)),
        // Cutover plans: per app, which track (if any) the Service narrows to in this stage.
        cutover: fc.tuple(...apps.map((app) => fc.option(fc.integer({ min: 0, max: app.workloads.length - 1 }), { nil: undefined }))),
      });
      return fc.record({
        kind: fc.constant(kind),
        apps: fc.constant(apps),
        strategies: fc.tuple(...workloadNames.map(() => strategyArbitrary)),
        // Mostly the default of 10; sometimes so few old ReplicaSets are kept that some are deleted.
        historyLimits: fc.tuple(...workloadNames.map(() => fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined, freq: 2 }))),
        stages: fc.array(stageArbitrary, { minLength: stageCount, maxLength: stageCount }),
        // SelectorCutover needs one stage that changes a selector: this one, for app 0, unless one already does.
        forcedCutoverStage: fc.integer({ min: 0, max: stageCount - 1 }),
      });
    })
    .map(({ kind, apps, strategies, historyLimits, stages, forcedCutoverStage }) => {
      const workloadNames = apps.flatMap((app) => app.workloads);
      const workloads: PlanData = {};
      workloadNames.forEach((name, i) => {
        const app = apps.find((a) => a.workloads.includes(name)) as { name: string };
        workloads[name] = { labels: { app: app.name, track: name }, strategy: strategies[i] };
        if (historyLimits[i] !== undefined) workloads[name].revisionHistoryLimit = historyLimits[i];
      });
      const services: PlanData = {};
      for (const app of apps) services[app.name] = { selector: { app: app.name }, ports: [{ port: 80, targetPort: 8080 }] };
      const anyCutover = stages.some((s) => s.cutover.some((c) => c !== undefined));
      const planStages = stages.map((stage, s) => {
        const stageWorkloads: PlanData = {};
        workloadNames.forEach((name, i) => {
          if (stage.workloads[i]) stageWorkloads[name] = { ...stage.workloads[i] };
        });
        const result: PlanData = { name: `stage-${s}`, workloads: stageWorkloads };
        if (kind === 'SelectorCutover') {
          const selectors: PlanData = {};
          apps.forEach((app, a) => {
            const track = stage.cutover[a] ?? (!anyCutover && s === forcedCutoverStage && a === 0 ? 0 : undefined);
            if (track !== undefined) selectors[app.name] = { selector: { app: app.name, track: app.workloads[track] } };
          });
          if (Object.keys(selectors).length > 0) result.services = selectors;
        }
        return result;
      });
      return {
        kind,
        namespace: 'prop',
        labels: { team: 'prop' },
        defaults: { ports: [{ name: 'http', containerPort: 8080 }] },
        workloads,
        services,
        stages: planStages,
      };
    });
}

/** Random valid plans, parsed: `validPlanDataArbitrary` through `parsePlan` (which accepts every one). */
export function validPlanArbitrary(options: PlanArbitraryOptions = {}): fc.Arbitrary<Plan> {
  return validPlanDataArbitrary(options).map((data) => parsePlan(data));
}

/** A stack file's `config:` block for a random valid plan, with `stepwise:stage` set to a random stage of it. */
export function validStackConfigArbitrary(options: PlanArbitraryOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  return validPlanDataArbitrary(options).chain((plan) =>
    fc
      .integer({ min: 0, max: plan.stages.length - 1 })
      .map((stage) => ({ 'stepwise:stage': plan.stages[stage].name, 'stepwise:plan': plan })),
  );
}

/** The text of a stack file holding `config` (what `stacks/Pulumi.<stack>.yaml` would contain). */
export function stackFileText(config: Record<string, unknown>): string {
  return stringify({ config });
}

/** Every key path into plain data (`['stepwise:plan', 'stages', 2, 'workloads']`), the root included. */
export function keyPaths(data: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [prefix];
  if (Array.isArray(data)) data.forEach((item, i) => paths.push(...keyPaths(item, [...prefix, i])));
  else if (typeof data === 'object' && data !== null) for (const [k, v] of Object.entries(data)) paths.push(...keyPaths(v, [...prefix, k]));
  return paths;
}

/** A value of another type than `value` (a number for a string, a list for a mapping, …), to confuse a reader. */
export const otherValueArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', 'x', '25%', [], {}, [1, 'a'], { a: 1 }, 1e21, 'null'),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** One edit of plain data: delete the key at a path, or replace the value there. */
export type DataMutation = { readonly path: number; readonly action: 'delete' | 'replace'; readonly value: unknown };

/** Random mutations (the path is an index into `keyPaths(data)`, taken modulo their number). */
export const dataMutationArbitrary: fc.Arbitrary<DataMutation> = fc.record({
  path: fc.nat(),
  action: fc.constantFrom('delete' as const, 'replace' as const),
  value: otherValueArbitrary,
});

/** A copy of `data` with `mutations` applied in order. */
export function mutated<T>(data: T, mutations: readonly DataMutation[]): T {
  const copy = structuredClone(data);
  for (const m of mutations) {
    const paths = keyPaths(copy);
    const path = paths[m.path % paths.length];
    if (path.length === 0) continue; // the root itself stays a mapping: configBlock's own test covers the rest
    const parent = path.slice(0, -1).reduce((node: any, key) => node[key], copy as any);
    const key = path[path.length - 1];
    if (m.action === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else {
      parent[key] = structuredClone(m.value);
    }
  }
  return copy;
}
