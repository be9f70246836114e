/**
 * CustomResourceDefinitions for the traffic routers' kinds that are not built into Kubernetes, so
 * that a server dry run can judge a TrafficSplit or an HTTPRoute. Built from the schemas stepwise
 * already validates with, not downloaded:
 *
 * - SMI `TrafficSplit` (`split.smi-spec.io/v1alpha2`): the CRD's own schema, copied into
 *   lib/routing/schemas/smi-traffic-split.ts from Linkerd's SMI extension.
 * - Gateway API `HTTPRoute` (`gateway.networking.k8s.io/v1`): the OpenAPI schema of the
 *   `@kubernetes-models/gateway-api` model render-time validation uses, which that package
 *   generated from the upstream CRD. The upstream CRD's CEL rules (`x-kubernetes-validations`, e.g.
 *   on path values) are not in it, so the API server checks the structure only.
 */
import * as fs from 'node:fs';
import { SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA } from '../../lib/routing/schemas/smi-traffic-split';
import type { KubeApi } from './kube-api';

/** A CustomResourceDefinition object. */
export interface CrdObject {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: Record<string, unknown>;
}

function crd(group: string, kind: string, plural: string, version: string, schema: unknown): CrdObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${group}`,
      // A group under k8s.io must name the API review that approved it, as the upstream CRDs do.
      ...(group.endsWith('.k8s.io')
        ? { annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/gateway-api/pull/2466' } }
        : {}),
    },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

/** The SMI TrafficSplit CRD, as Linkerd's SMI extension installs it. */
export function trafficSplitCrd(): CrdObject {
  return crd('split.smi-spec.io', 'TrafficSplit', 'trafficsplits', 'v1alpha2', SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA);
}

/**
 * The Gateway API HTTPRoute CRD (v1 only), its `spec` and `status` schemas taken from the
 * `@kubernetes-models/gateway-api` model. The package keeps the schema in a module constant, so it
 * is read from the module's source; the dependency is pinned, and a change of shape fails here by name.
 */
export function httpRouteCrd(): CrdObject {
  const file = require.resolve('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute');
  const literal = /\nconst schema = (\{[\s\S]*?\n\});\n/.exec(fs.readFileSync(file, 'utf8'))?.[1];
  if (!literal) throw new Error(`e2e: no \`const schema = {…};\` in ${file}; the package changed shape, update httpRouteCrd()`);
  const model = JSON.parse(literal) as { properties: { spec: unknown; status: unknown } };
  const schema = {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: model.properties.spec,
      status: model.properties.status,
    },
  };
  return crd('gateway.networking.k8s.io', 'HTTPRoute', 'httproutes', 'v1', schema);
}

/**
 * Creates the CRDs the cluster does not have yet and waits until the API server serves each of
 * their kinds. One already there is left as it is: on a cluster of `$KUBECONFIG` it may be the
 * real one.
 */
export async function installCrds(api: KubeApi, crds: readonly CrdObject[]): Promise<void> {
  const collection = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const object of crds) {
    if ((await api.getOrUndefined(`${collection}/${object.metadata.name}`)) === undefined) await api.apply(collection, object);
  }
  const deadline = Date.now() + 60_000;
  for (const object of crds) {
    for (;;) {
      const current = (await api.get(`${collection}/${object.metadata.name}`)) as {
        status?: { conditions?: { type: string; status: string; message?: string }[] };
      };
      const conditions = current.status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`e2e: CRD ${object.metadata.name} not established: ${JSON.stringify(conditions)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
