/**
 * The CustomResourceDefinitions the routed example stacks need on the test cluster: the Gateway
 * API's standard CRDs (HTTPRoute), from its Go module (e2e/build/build.sh fetches them), and the
 * SMI TrafficSplit CRD as Linkerd's SMI extension serves it, built from the schema stepwise
 * validates TrafficSplits against (its published YAML uses apiextensions v1beta1, which
 * Kubernetes no longer serves).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA } from '../../lib/routing/schemas/smi-traffic-split';
import type { ControlPlaneBinaries } from './binaries';
import type { KubeApi } from './kube-api';

/** The SMI TrafficSplit CRD, `split.smi-spec.io/v1alpha2` served and stored. */
export function smiTrafficSplitCrd(): { metadata: { name: string } } & Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...properties } = SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA.properties;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'trafficsplits.split.smi-spec.io' },
    spec: {
      group: 'split.smi-spec.io',
      scope: 'Namespaced',
      names: { kind: 'TrafficSplit', listKind: 'TrafficSplitList', plural: 'trafficsplits', singular: 'trafficsplit', shortNames: ['ts'] },
      versions: [
        {
          name: 'v1alpha2',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { ...SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA, properties } },
        },
      ],
    },
  };
}

/** Installs the CRDs and waits until the API serves them. */
export async function installRouterCrds(api: KubeApi, binaries: ControlPlaneBinaries, kubectl: string, kubeconfig: string): Promise<void> {
  const files = fs
    .readdirSync(binaries.gatewayApiCrds)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(binaries.gatewayApiCrds, f));
  execFileSync(kubectl, ['apply', '--server-side', '--kubeconfig', kubeconfig, ...files.flatMap((f) => ['-f', f])], { stdio: 'pipe' });
  await api.apply('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', smiTrafficSplitCrd());
  for (const group of ['/apis/gateway.networking.k8s.io/v1', '/apis/split.smi-spec.io/v1alpha2']) {
    const deadline = Date.now() + 30_000;
    while ((await api.raw('GET', group)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`e2e: the API does not serve ${group} 30 s after its CRDs were applied`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
