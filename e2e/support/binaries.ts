/**
 * Where the end-to-end suite finds its programs: the ones e2e/build/build.sh built into its
 * cache (`npm run test:e2e` runs it first), or — with `KUBECONFIG` set and `pulumi` on PATH —
 * the user's own cluster and CLI, with nothing built.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** The programs build.sh builds. */
export interface E2eBinaries {
  readonly etcd: string;
  /** The folder with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl. */
  readonly kubernetes: string;
  readonly kwok: string;
  readonly pulumi: string;
  readonly pulumiKubernetes: string;
  readonly pulumiKubernetesVersion: string;
  readonly kubernetesVersion: string;
  /** The folder with the Gateway API's standard CRDs. */
  readonly gatewayApiCrds: string;
}

const repo = path.resolve(__dirname, '..', '..');

/** The built programs (build.sh `--paths` fails, naming the fix, when one is missing). */
export function e2eBinaries(): E2eBinaries {
  const out = execFileSync('bash', [path.join(repo, 'e2e', 'build', 'build.sh'), '--paths'], { encoding: 'utf8' });
  return JSON.parse(out) as E2eBinaries;
}

/** kubectl: the built one, or the one on PATH when the suite runs against an existing cluster. */
export function kubectl(binaries: E2eBinaries | undefined): string {
  return binaries ? path.join(binaries.kubernetes, 'kubectl') : 'kubectl';
}
