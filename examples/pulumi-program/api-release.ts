/**
 * A Pulumi program of your own that uses stepwise's `CanaryService` component directly, with no
 * stack file: the `api` canary pair, its stages written as code. `pulumi config set stage canary`
 * then `pulumi up` moves the release; each stage says which workloads it scales down, so the
 * update is applied make-before-break.
 *
 * In your own program, import from the `stepwise` package instead of `../../lib/pulumi/components`.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { WorkloadProps } from '../../lib/constructs';
import { CanaryService } from '../../lib/pulumi/components';

const STABLE = 'registry.example.com/shop/api:1.4.0';
const NEXT = 'registry.example.com/shop/api:1.5.0';

/** The stages of the release, in order: each one's images and replicas, and what it scales down. */
export const STAGES = {
  baseline: { stable: { image: STABLE, replicas: 9 }, canary: { image: STABLE, replicas: 1 }, scaledDown: [] },
  canary: { stable: { image: STABLE, replicas: 9 }, canary: { image: NEXT, replicas: 1 }, scaledDown: [] },
  'canary-widened': { stable: { image: STABLE, replicas: 7 }, canary: { image: NEXT, replicas: 3 }, scaledDown: ['api'] },
  stable: { stable: { image: NEXT, replicas: 9 }, canary: { image: NEXT, replicas: 1 }, scaledDown: ['api-canary'] },
} as const satisfies Record<string, ApiStage>;

/** The name of a stage of {@link STAGES}. */
export type StageName = keyof typeof STAGES;

/** One stage: the stable and canary workloads' image and replicas, and the workloads it scales down. */
export interface ApiStage {
  /** The stable workload in the stage. */
  readonly stable: { readonly image: string; readonly replicas: number };
  /** The canary workload in the stage. */
  readonly canary: { readonly image: string; readonly replicas: number };
  /** Workloads the stage scales down: applied once the Service is. */
  readonly scaledDown: readonly string[];
}

/** The definition both workloads share. */
const API_CONTAINER: Omit<WorkloadProps, 'name' | 'labels' | 'image' | 'replicas'> = {
  containerName: 'api',
  ports: [{ name: 'http', containerPort: 8080 }],
  readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
  strategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
};

/** The `api` release in `stage`, as one `stepwise:index:CanaryService` component. */
export function apiRelease(stage: StageName, opts?: pulumi.ComponentResourceOptions): CanaryService {
  const spec: ApiStage = STAGES[stage];
  return new CanaryService(
    'api',
    {
      stage,
      namespace: 'shop',
      commonLabels: { team: 'payments' },
      services: [{ name: 'api', selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }],
      workloads: [
        { ...API_CONTAINER, name: 'api', labels: { app: 'api', track: 'stable' }, ...spec.stable },
        { ...API_CONTAINER, name: 'api-canary', labels: { app: 'api', track: 'canary' }, ...spec.canary },
      ],
      phases: Object.fromEntries(['api', 'api-canary'].map((name) => [name, spec.scaledDown.includes(name) ? 'break' : 'make'])),
    },
    opts,
  );
}
