/**
 * Where the end-to-end suite finds its programs: the ones e2e/build/build.sh built into its
 * cache (`npm run test:e2e` runs it first), or — with `KUBECONFIG` set and `pulumi` on PATH —
 * the user's own cluster and CLI, with nothing built.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** The programs of the control plane build.sh builds: all a test needs that does not run Pulumi. */
export interface ControlPlaneBinaries {
  readonly etcd: string;
  /** The folder with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl. */
  readonly kubernetes: string;
  readonly kwok: string;
  readonly kubernetesVersion: string;
  /** The folder with the Gateway API's standard CRDs. */
  readonly gatewayApiCrds: string;
}

/** The programs build.sh builds. */
export interface E2eBinaries extends ControlPlaneBinaries {
  readonly pulumi: string;
  readonly pulumiKubernetes: string;
  readonly pulumiKubernetesVersion: string;
}

const repo = path.resolve(__dirname, '..', '..');

/**
 * The built programs (build.sh `--paths` fails, naming the fix, when one is missing). With
 * `{ pulumi: false }` only the control plane's, so a test that runs no Pulumi does not need the
 * pulumi CLI and its provider built.
 */
export function e2eBinaries(): E2eBinaries;
export function e2eBinaries(options: { readonly pulumi: false }): ControlPlaneBinaries;
export function e2eBinaries(options: { readonly pulumi?: boolean } = {}): ControlPlaneBinaries {
  const args = [path.join(repo, 'e2e', 'build', 'build.sh'), '--paths', ...(options.pulumi === false ? ['--without-pulumi'] : [])];
  return JSON.parse(execFileSync('bash', args, { encoding: 'utf8' })) as ControlPlaneBinaries;
}

/** kubectl: the built one, or the one on PATH when the suite runs against an existing cluster. */
export function kubectl(binaries: ControlPlaneBinaries | undefined): string {
  return binaries ? path.join(binaries.kubernetes, 'kubectl') : 'kubectl';
}
