/**
 * `stepwise export --to argo-rollouts`: a plan's release as an Argo Rollouts `Rollout` that takes
 * over the plan's stable Deployment (`workloadRef`) and walks the plan's weights as canary steps.
 */
import type { KubeObject } from '../model/kube-object';
import { MANAGED_BY } from '../constructs/workload-deployment';
import { sortedLabels } from '../model/labels';
import type { Plan } from '../model/plan';
import { isWeighted } from '../model/traffic-routing';
import { registerSchema, validateObject } from '../synth/schema-validation';
import { handOver } from './hand-over';
import { sortedKeys } from './sorted-keys';

/** The Argo Rollouts plugin name of the Gateway API traffic router (https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi). */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/**
 * The plan's release as a `Rollout` (`argoproj.io/v1alpha1`), validated against its schema:
 *  - `workloadRef` is the stable Deployment, scaled down progressively as the Rollout's pods come up;
 *  - `replicas` are the pods serving requests once the release is done (in the last stage);
 *  - `steps` are `setWeight: <n>` + `pause: {}` for each weight a stage sends to the new image
 *    (`kubectl argo rollouts promote` takes the place of `stepwise promote`);
 *  - with a weighted router, the per-track Services are the stable and canary Services, the
 *    router's object is named under `trafficRouting`, and `stableMetadata`/`canaryMetadata` put the
 *    track label on the Rollout's pods so those Services keep selecting them.
 */
export function toArgoRollout(plan: Plan, where = 'stepwise export'): KubeObject {
  registerRolloutSchema();
  const release = handOver(plan, 'Argo Rollouts');
  const { stable, service, routing } = release;
  const steps = release.weights.flatMap((weight) => [{ setWeight: weight }, { pause: {} }]);
  const canary: Record<string, unknown> = { steps };
  if (isWeighted(routing)) {
    const [stableTrack, canaryTrack] = routing.tracks;
    canary.stableService = stableTrack.serviceName;
    canary.canaryService = canaryTrack.serviceName;
    canary.stableMetadata = { labels: { [routing.trackLabel]: stableTrack.name } };
    canary.canaryMetadata = { labels: { [routing.trackLabel]: canaryTrack.name } };
    canary.trafficRouting =
      routing.router === 'ingress-nginx'
        ? { nginx: { stableIngress: service.name } }
        : routing.router === 'smi'
          ? { smi: { rootService: service.name, trafficSplitName: service.name } }
          : { plugins: { [GATEWAY_API_PLUGIN]: { httpRoute: service.name, namespace: plan.namespace } } };
  }
  const rollout: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: stable.name, namespace: plan.namespace, labels: sortedLabels({ ...plan.commonLabels, ...MANAGED_BY }) },
    spec: {
      replicas: release.replicas,
      // The shared label, not the stable workload's selector: the canary pods carry the canary track label.
      selector: { matchLabels: sortedLabels(service.selector) },
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: stable.name, scaleDown: 'progressively' },
      minReadySeconds: stable.minReadySeconds,
      progressDeadlineSeconds: stable.progressDeadlineSeconds,
      revisionHistoryLimit: stable.revisionHistoryLimit,
      strategy: { canary },
    },
  };
  const sorted = sortedKeys(rollout);
  validateObject(sorted, where);
  return sorted;
}

const ROLLOUT_MODULE = '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
type RolloutModule = typeof import('@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout');
let rolloutSchemaRegistered = false;

/**
 * Loads the Rollout schema the first time a Rollout is exported, not when the module is imported:
 * it is large, and importing stepwise (or rendering a stage) must not pay for it.
 */
function registerRolloutSchema(): void {
  if (rolloutSchemaRegistered) return;
  // A lazy load: `import()` would make the export async.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Rollout } = require(ROLLOUT_MODULE) as RolloutModule;
  registerSchema('argoproj.io/v1alpha1', 'Rollout', Rollout as never);
  rolloutSchemaRegistered = true;
}
