import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { crdSchemaModel } from '../routing/schemas/crd-schema-model';
import { SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA } from '../routing/schemas/smi-traffic-split';
import { StepwiseError } from '../model/errors';
import { labelKeyProblem, labelValueProblem, workloadSelectorMatches, type LabelRequirement } from '../model/labels';
import type { KubeObject } from '../model/kube-object';

/** A schema-backed model: constructed from the object, `validate()` throws on a schema violation. */
type SchemaModel = new (data: never) => { validate(): void };

/**
 * The official schemas stepwise validates against, by `apiVersion/kind`. Kinds from other projects
 * (Gateway API, Argo Rollouts, ...) register theirs with `registerSchema`.
 */
const SCHEMAS = new Map<string, SchemaModel>([
  ['apps/v1/Deployment', Deployment as unknown as SchemaModel],
  ['v1/Service', Service as unknown as SchemaModel],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget as unknown as SchemaModel],
  ['networking.k8s.io/v1/Ingress', Ingress as unknown as SchemaModel],
  // The traffic routers' kinds (lib/routing); `stepwise export` registers the controllers' kinds (lib/export).
  ['gateway.networking.k8s.io/v1/HTTPRoute', HTTPRoute as unknown as SchemaModel],
  ['split.smi-spec.io/v1alpha2/TrafficSplit', crdSchemaModel(SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA) as unknown as SchemaModel],
]);

/** Adds (or replaces) the schema model for `apiVersion` + `kind`. */
export function registerSchema(apiVersion: string, kind: string, model: SchemaModel): void {
  SCHEMAS.set(`${apiVersion}/${kind}`, model);
}

/**
 * Validates an object against its official schema and the rules the schemas leave out (label
 * syntax, a Deployment selector that selects its own template). Throws a StepwiseError naming
 * the object and the field.
 */
export function validateObject(object: KubeObject, where: string): void {
  const id = `${object.kind}/${object.metadata?.name ?? '?'}`;
  const fail = (keyPath: string, problem: string, fix: string): never => {
    throw new StepwiseError({ file: where, keyPath: `${id}${keyPath ? ` ${keyPath}` : ''}`, problem, fix });
  };
  const Model = SCHEMAS.get(`${object.apiVersion}/${object.kind}`);
  if (!Model) fail('', `has no known schema (${object.apiVersion} ${object.kind})`, 'register its schema with registerSchema()');
  try {
    new (Model as SchemaModel)(object as never).validate();
  } catch (error) {
    const detail = (error as { errors?: { instancePath?: string; message?: string }[] }).errors?.[0];
    fail(
      detail?.instancePath ?? '',
      `violates the Kubernetes schema: ${detail?.message ?? (error as Error).message}`,
      'this is a stepwise rendering bug or an invalid plan value; check the field named',
    );
  }
  checkLabels(object.metadata.labels, '/metadata/labels', fail);
  const spec = object.spec as
    | {
        selector?: { matchLabels?: Record<string, string>; matchExpressions?: LabelRequirement[] };
        template?: { metadata?: { labels?: Record<string, string> } };
      }
    | undefined;
  if (object.kind === 'Deployment' && spec?.template) {
    const labels = spec.template.metadata?.labels ?? {};
    checkLabels(labels, '/spec/template/metadata/labels', fail);
    const selector = {
      matchLabels: spec.selector?.matchLabels ?? {},
      matchExpressions: (spec.selector?.matchExpressions ?? []).map((e) => ({ ...e, values: e.values ?? [] })),
    };
    if (!workloadSelectorMatches(selector, labels)) {
      fail(
        '/spec/selector',
        'does not select the pod template (Kubernetes rejects the Deployment)',
        "make the selector's labels a subset of the pod labels",
      );
    }
  }
}

function checkLabels(
  labels: Record<string, string> | undefined,
  at: string,
  fail: (keyPath: string, problem: string, fix: string) => never,
): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) fail(`${at}/${key}`, problem, 'use a valid Kubernetes label');
  }
}
