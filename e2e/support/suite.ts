/**
 * What every end-to-end test file shares: one control plane and one Pulumi engine for the file,
 * started before its first test and stopped after its last, and the example stacks made quick to
 * roll on a cluster whose pods are ready at once.
 */
import { after, before } from 'node:test';
import { isScalar, parseDocument, visit } from 'yaml';
import type { Plan } from '../../lib/model';
import { e2eBinaries, kubectl, type E2eBinaries } from './binaries';
import { installRouterCrds } from './crds';
import { startGatewayController, type GatewayController } from './gateway-controller';
import { startIngressController } from './ingress-controller';
import { startCluster, type Cluster } from './control-plane';
import { startPulumiEngine, type PulumiEngine } from './pulumi-engine';

/** The cluster and engine of the running test file (set once `useSuite()`'s `before` ran). */
export interface Suite {
  binaries: E2eBinaries | undefined;
  cluster: Cluster;
  engine: PulumiEngine;
  /** The stand-in Gateway API controller (only on a cluster the suite started; see gateway-controller.ts). */
  gateway: GatewayController | undefined;
}

/**
 * Starts the control plane (or connects to `$KUBECONFIG`) and the Pulumi engine before the file's
 * tests and stops them after. With `KUBECONFIG` set nothing is built or started, and `pulumi` and
 * `kubectl` come from PATH.
 */
export function useSuite(): Suite {
  const suite = {} as Suite;
  let stopIngressController: (() => void) | undefined;
  before(async () => {
    suite.binaries = process.env.KUBECONFIG ? undefined : e2eBinaries();
    suite.cluster = await startCluster(suite.binaries);
    if (suite.binaries) {
      await installRouterCrds(suite.cluster.api, suite.binaries, kubectl(suite.binaries), suite.cluster.kubeconfig);
      stopIngressController = await startIngressController(suite.cluster.api);
      suite.gateway = await startGatewayController(suite.cluster.api);
    }
    suite.engine = await startPulumiEngine(suite.binaries, suite.cluster.kubeconfig);
  });
  after(async () => {
    stopIngressController?.();
    suite.gateway?.stop();
    suite.engine?.dispose();
    await suite.cluster?.stop();
  });
  return suite;
}

/**
 * An example stack file made quick to roll out on the test cluster: every `minReadySeconds` in
 * the plan becomes `seconds` (the example stacks ask for up to 30 s per pod, which only a real
 * application needs; the order of the rollout is what the suite checks, and it does not change).
 * Edited as YAML, so comments and everything else stay as they are.
 */
export function withMinReadySeconds(seconds: number): (yaml: string) => string {
  return (yaml) => {
    const document = parseDocument(yaml);
    visit(document, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === 'minReadySeconds' && isScalar(pair.value)) pair.value.value = seconds;
      },
    });
    return document.toString();
  };
}

/** Stage indexes from the second stage to the last and back to the first: every move, both ways. */
export function exampleRoute(plan: Plan): number[] {
  const indexes = [...plan.stages.keys()];
  return indexes.slice(1).concat(indexes.reverse().slice(1));
}
