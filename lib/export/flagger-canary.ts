/**
 * `stepwise export --to flagger`: a plan's release as a Flagger `Canary` that takes over the
 * plan's stable Deployment and steps the canary weight the way the plan's stages do.
 */
import type { KubeObject } from '../model/kube-object';
import { MANAGED_BY } from '../constructs/workload-deployment';
import { StepwiseError } from '../model/errors';
import { sortedLabels } from '../model/labels';
import type { Plan } from '../model/plan';
import type { WeightedRouter } from '../model/traffic-routing';
import { isWeighted } from '../model/traffic-routing';
import { crdSchemaModel } from '../routing/schemas/crd-schema-model';
import { FLAGGER_CANARY_V1BETA1_SCHEMA } from '../routing/schemas/flagger-canary';
import { registerSchema, validateObject } from '../synth/schema-validation';
import { flaggerAnalysis } from './flagger-analysis';
import { handOver } from './hand-over';
import { sortedKeys } from './sorted-keys';

/** Flagger's provider for each router stepwise renders. */
export const FLAGGER_PROVIDERS: Record<WeightedRouter, string> = {
  'ingress-nginx': 'nginx',
  'gateway-api': 'gatewayapi:v1',
  smi: 'smi:v1alpha2',
};

/**
 * The plan's release as a `Canary` (`flagger.app/v1beta1`), validated against the CRD's schema:
 * `targetRef` is the stable Deployment; the weights the stages send to the new image become
 * `stepWeight` + `maxWeight` when they climb in equal steps (10, 20, 30), else `stepWeights`;
 * the analysis checks what the plan's metric gate checks, at its interval (see
 * {@link flaggerAnalysis}), or `request-success-rate` ≥ 99% and `request-duration` ≤ 500 ms every
 * minute when the plan has no gate. Needs a weighted router: Flagger shifts weights only through
 * an ingress, a Gateway or a mesh.
 */
export function toFlaggerCanary(plan: Plan, where = 'stepwise export'): KubeObject {
  registerCanarySchema();
  const release = handOver(plan, 'Flagger');
  const { stable, routing, weights } = release;
  if (!isWeighted(routing)) {
    throw new StepwiseError({
      keyPath: 'traffic.router',
      problem:
        "is replicas: Flagger moves weights only through an ingress, a Gateway or a mesh (its 'kubernetes' provider runs blue/green only)",
      fix: 'set traffic.router to gateway-api, ingress-nginx or smi (see docs/guides/routing.md)',
    });
  }
  if (weights.some((w, i) => i > 0 && w <= weights[i - 1])) {
    throw new StepwiseError({
      keyPath: 'stages',
      problem: `the weights on the new image go ${weights.join(' → ')}%; Flagger only steps a canary's weight up`,
      fix: 'order the stages so the canary weight only grows, or use --to argo-rollouts',
    });
  }
  const equalSteps = weights.every((w, i) => w === weights[0] * (i + 1));
  const service: Record<string, unknown> = { name: routing.service.name, port: routing.port.port, targetPort: routing.port.targetPort };
  if (routing.port.name) service.portName = routing.port.name;
  if (routing.gatewayApi) {
    service.gatewayRefs = routing.gatewayApi.parentRefs.map((ref) => ({ ...ref }));
    if (routing.gatewayApi.hostnames.length > 0) service.hosts = [...routing.gatewayApi.hostnames];
  }
  const analysis = flaggerAnalysis(plan);
  const canary: KubeObject = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: stable.name, namespace: plan.namespace, labels: sortedLabels({ ...plan.commonLabels, ...MANAGED_BY }) },
    spec: {
      provider: FLAGGER_PROVIDERS[routing.router],
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: stable.name },
      ...(routing.router === 'ingress-nginx'
        ? { ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: routing.service.name } }
        : {}),
      progressDeadlineSeconds: stable.progressDeadlineSeconds,
      service,
      analysis: {
        interval: analysis.interval,
        threshold: analysis.threshold,
        ...(equalSteps ? { stepWeight: weights[0], maxWeight: weights[weights.length - 1] } : { stepWeights: [...weights] }),
        metrics: analysis.metrics.map((m) => ({ name: m.name, thresholdRange: { ...m.thresholdRange }, interval: m.interval })),
      },
    },
  };
  const sorted = sortedKeys(canary);
  validateObject(sorted, where);
  return sorted;
}

let canarySchemaRegistered = false;

/** Builds and registers the Canary schema the first time a Canary is exported, so importing stepwise does not. */
function registerCanarySchema(): void {
  if (canarySchemaRegistered) return;
  registerSchema('flagger.app/v1beta1', 'Canary', crdSchemaModel(FLAGGER_CANARY_V1BETA1_SCHEMA) as never);
  canarySchemaRegistered = true;
}
