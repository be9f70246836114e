import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../model/kube-object';
import { StepwiseError, formatLabels, labelsMatch, type Labels } from '../model';
import { CONFIG_NAMESPACE, type Stack } from '../stacks';

interface ServiceShape {
  readonly type?: string;
  readonly clusterIP?: string;
  readonly selector?: Labels;
}
interface DeploymentShape {
  readonly replicas?: number;
  readonly template?: { readonly metadata?: { readonly labels?: Labels } };
}

/** The Services among `objects` whose selector matches no pod of the Deployments among them. */
export function servicesSelectingNoPods(objects: readonly KubeObject[]): KubeObject[] {
  const deployments = objects.filter((o) => o.apiVersion === 'apps/v1' && o.kind === 'Deployment');
  const podsSelectedBy = (service: KubeObject, selector: Labels): number =>
    deployments
      .filter((d) => d.metadata.namespace === service.metadata.namespace)
      .map((d) => d.spec as DeploymentShape)
      .filter((spec) => labelsMatch(selector, spec.template?.metadata?.labels ?? {}))
      .reduce((sum, spec) => sum + (spec.replicas ?? 1), 0);
  return objects.filter((o) => {
    if (o.apiVersion !== 'v1' || o.kind !== 'Service') return false;
    const spec = (o.spec ?? {}) as ServiceShape;
    const selector = spec.selector ?? {};
    // pulumi-kubernetes does not wait for endpoints of these.
    if (spec.type === 'ExternalName' || spec.clusterIP === 'None' || Object.keys(selector).length === 0) return false;
    return podsSelectedBy(o, selector) === 0;
  });
}

/**
 * The Services this `pulumi up` would create or update although they select no pod in the stage:
 * each one a StepwiseError naming the stack file and the stage.
 *
 * Such a Service would send its requests nowhere the moment it is applied. pulumi-kubernetes no
 * longer stops it: since 4.17 its Service await passes at once when the selector matches no pods
 * (before, it failed the update after 10 minutes), so this check is the only guard left. A Service
 * the update leaves unchanged is not touched, so a track scaled to 0 behind a Service that
 * already exists is fine. `before` holds the objects of the
 * stage the cluster is in (`stack.fromStage`); when it is the same stage (the first `pulumi up`
 * of a stack creates everything) every Service is checked.
 */
export function servicesAwaitingNoPods(stack: Stack, objects: readonly KubeObject[], before?: readonly KubeObject[]): StepwiseError[] {
  const unchanged = (service: KubeObject) => before !== undefined && before.some((b) => isDeepStrictEqual(b, service));
  return servicesSelectingNoPods(objects)
    .filter((service) => !unchanged(service))
    .map((service) => {
      const selector = ((service.spec as ServiceShape).selector ?? {}) as Labels;
      return new StepwiseError({
        file: stack.file,
        keyPath: `config.${CONFIG_NAMESPACE}:plan.stages[${stack.stageIndex}]`,
        problem: `in stage '${stack.stage}', Service '${service.metadata.name}' selects no pods (${formatLabels(selector)}) but this update would ${before?.some((b) => b.kind === 'Service' && b.metadata.name === service.metadata.name) ? 'update' : 'create'} it: it would send its requests nowhere (pulumi-kubernetes 4.17 and later no longer stops that)`,
        fix: `keep at least one replica of a workload the selector matches in stage '${stack.stage}', or create the Service in a stage where it has pods`,
      });
    });
}
