/**
 * Synthetic stacks for the benchmark: plan data built programmatically in the shape of the example
 * stacks (canary pairs like fop-gate, batches like trade-aone), at any number of workloads, so
 * rendering is measured through the same path a stack file takes.
 */

/** The two release shapes the benchmark renders. */
export type SyntheticShape = 'canary-pairs' | 'batches';

/** Batches per app in the `batches` shape (one gray batch and four main ones, as trade-aone). */
export const BATCHES_PER_APP = 5;

/** Workload settings every synthetic workload shares, as a stack file's `defaults:` would hold them. */
const DEFAULTS = {
  ports: [{ name: 'http', containerPort: 8080 }],
  env: { JAVA_OPTS: '-XX:MaxRAMPercentage=75', LOG_FORMAT: 'json' },
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
  readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5, failureThreshold: 3 },
  livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 30, periodSeconds: 10 },
  preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 15'] } },
  terminationGracePeriodSeconds: 90,
  minReadySeconds: 30,
  strategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
  volumes: [{ name: 'tmp', mountPath: '/tmp', emptyDir: {} }],
};

/** One app of the synthetic stack: its Service and the workloads behind it. */
interface App {
  readonly name: string;
  readonly workloads: readonly { readonly name: string; readonly track: Record<string, string> }[];
}

/** The apps holding `workloads` workloads in the given shape (a trailing partial app is filled up). */
function appsOf(shape: SyntheticShape, workloads: number): App[] {
  const perApp = shape === 'canary-pairs' ? 2 : BATCHES_PER_APP;
  const apps: App[] = [];
  for (let i = 0, made = 0; made < workloads; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const count = Math.min(perApp, workloads - made);
    const members =
      shape === 'canary-pairs'
        ? [
            { name, track: { track: 'stable' } },
            { name: `${name}-canary`, track: { track: 'canary' } },
          ].slice(0, count)
        : Array.from({ length: count }, (_, b) => ({ name: `${name}-${b + 1}`, track: { batch: String(b + 1) } }));
    apps.push({ name, workloads: members });
    made += count;
  }
  return apps;
}

/** Per stage, per workload: replicas and which image version (`old`/`new`) it runs. */
function stagePlan(shape: SyntheticShape): { name: string; state: (index: number) => { replicas: number; version: 'old' | 'new' } }[] {
  if (shape === 'canary-pairs') {
    // Workload 0 of a pair is stable (9 pods), 1 is the canary (1 pod), as fop-gate.
    const stable = (replicas: number, version: 'old' | 'new') => (i: number) =>
      i === 0 ? { replicas, version } : { replicas: 10 - replicas, version: i === 1 && version === 'old' ? ('new' as const) : version };
    return [
      { name: 'baseline', state: (i) => (i === 0 ? { replicas: 9, version: 'old' } : { replicas: 1, version: 'old' }) },
      { name: 'canary', state: stable(9, 'old') },
      { name: 'canary-widened', state: stable(7, 'old') },
      { name: 'stable', state: stable(9, 'new') },
    ];
  }
  // Batch 1 is the gray batch (1 pod), batches 2-5 hold 4 pods each; stage k runs `new` on batches 1..k.
  const replicas = (b: number) => (b === 0 ? 1 : 4);
  return [
    { name: 'baseline', state: (b) => ({ replicas: replicas(b), version: 'old' }) },
    { name: 'gray', state: (b) => ({ replicas: replicas(b), version: b < 1 ? 'new' : 'old' }) },
    ...[2, 3, 4, 5].map((k) => ({ name: `batch-${k}`, state: (b: number) => ({ replicas: replicas(b), version: b < k ? 'new' : 'old' }) })),
  ] as { name: string; state: (index: number) => { replicas: number; version: 'old' | 'new' } }[];
}

/**
 * The `config:` block of a stack file with `workloads` workloads: canary pairs (kind
 * CanaryService, four stages) or batches of five (kind BatchedRollout, six stages), one
 * Service per app.
 */
export function syntheticStackConfig(shape: SyntheticShape, workloads: number): Record<string, unknown> {
  const apps = appsOf(shape, workloads);
  const stages = stagePlan(shape).map((stage) => {
    const stageWorkloads: Record<string, unknown> = {};
    for (const app of apps) {
      app.workloads.forEach((w, i) => {
        const { replicas, version } = stage.state(i);
        stageWorkloads[w.name] = { replicas, image: `registry.example.com/team/${app.name}:${version === 'old' ? '1.4.0' : '1.5.0'}` };
      });
    }
    return { name: stage.name, description: `synthetic stage ${stage.name}`, workloads: stageWorkloads };
  });
  const planWorkloads: Record<string, unknown> = {};
  const services: Record<string, unknown> = {};
  for (const app of apps) {
    for (const w of app.workloads) planWorkloads[w.name] = { labels: { app: app.name, ...w.track } };
    services[app.name] = { selector: { app: app.name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] };
  }
  return {
    'stepwise:stage': stages[stages.length - 1].name,
    'stepwise:plan': {
      kind: shape === 'canary-pairs' ? 'CanaryService' : 'BatchedRollout',
      namespace: 'bench',
      labels: { team: 'bench' },
      defaults: DEFAULTS,
      workloads: planWorkloads,
      services,
      stages,
    },
  };
}

/** The apps (one Service each) of a synthetic stack, with each workload's track label, for the baseline. */
export function syntheticApps(shape: SyntheticShape, workloads: number): App[] {
  return appsOf(shape, workloads);
}

/** The stage names of a shape, in order. */
export function syntheticStageNames(shape: SyntheticShape): string[] {
  return stagePlan(shape).map((s) => s.name);
}

/** Replicas and image of workload `index` (position inside its app) of `app` in stage `stage`. */
export function syntheticWorkloadState(
  shape: SyntheticShape,
  stage: number,
  app: string,
  index: number,
): { replicas: number; image: string } {
  const { replicas, version } = stagePlan(shape)[stage].state(index);
  return { replicas, image: `registry.example.com/team/${app}:${version === 'old' ? '1.4.0' : '1.5.0'}` };
}

/** The shared workload settings (the baseline writes the same objects by hand from them). */
export const SYNTHETIC_DEFAULTS = DEFAULTS;
