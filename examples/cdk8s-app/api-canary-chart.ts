/**
 * A cdk8s chart of your own that uses stepwise's `CanaryService` directly, with no stack file:
 * the `api` service as a canary pair (9 stable pods, 1 canary pod) behind one Service. The
 * images and the canary's size are this chart's props, so each stage of the release is one
 * synth with other values; everything else stays the same from stage to stage.
 *
 * In your own app, import from the `stepwise` package instead of `../../lib/constructs`.
 */
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { CanaryService, type WorkloadProps } from '../../lib/constructs';

/** Props of {@link ApiCanaryChart}: what changes from one stage of the release to the next. */
export interface ApiCanaryChartProps extends ChartProps {
  /** The image the stable pods run, e.g. `registry.example.com/shop/api:1.4.0`. */
  readonly stableImage: string;
  /**
   * The image the canary runs.
   * @default - `stableImage`: the canary idles on the stable version
   */
  readonly canaryImage?: string;
  /**
   * Canary replicas.
   * @default 1
   */
  readonly canaryReplicas?: number;
}

/** The definition both workloads share: the container, its port, probes and resources. */
const API_CONTAINER: Omit<WorkloadProps, 'name' | 'labels' | 'image' | 'replicas'> = {
  containerName: 'api',
  ports: [{ name: 'http', containerPort: 8080 }],
  readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '256Mi' } },
  // Leave the endpoints before SIGTERM, so in-flight requests finish.
  preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 10'] } },
  strategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
};

/** The `api` canary pair in the `shop` namespace. */
export class ApiCanaryChart extends Chart {
  /** The canary pair. */
  readonly release: CanaryService;

  constructor(scope: Construct, id: string, props: ApiCanaryChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    this.release = new CanaryService(this, 'api', {
      namespace: 'shop',
      commonLabels: { team: 'payments' },
      services: [{ name: 'api', selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }],
      workloads: [
        { ...API_CONTAINER, name: 'api', labels: { app: 'api', track: 'stable' }, image: props.stableImage, replicas: 9 },
        {
          ...API_CONTAINER,
          name: 'api-canary',
          labels: { app: 'api', track: 'canary' },
          image: props.canaryImage ?? props.stableImage,
          replicas: props.canaryReplicas ?? 1,
        },
      ],
    });
  }
}
