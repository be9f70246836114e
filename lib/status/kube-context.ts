/**
 * Which cluster `stepwise status` reads, as kubectl picks it: the kubeconfig files of `KUBECONFIG`
 * (else `~/.kube/config`, else the pod's service account inside a cluster), and their current
 * context unless `--context NAME` names another. `@kubernetes/client-node` is ESM-only and is
 * loaded here, on first use, so the commands that only read a stack file never load it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closest } from '../model/plain-data';

/** The client library's module. */
export type KubeClientModule = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });

/** A loaded kubeconfig. */
export type KubeConfig = import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } }).KubeConfig;

/** The cluster to read, ready to make API clients for. */
export interface KubeTarget {
  /** The client library. */
  readonly client: KubeClientModule;
  /** The kubeconfig with the chosen context current. */
  readonly config: KubeConfig;
  /** The context's name. */
  readonly context: string;
  /** The API server's URL. */
  readonly server: string;
}

/** Why no cluster could be chosen. `unknown-context` is the user's typo (a usage error); the others mean no cluster to reach. */
export interface KubeContextProblem {
  /** `unknown-context`: `--context` names no context; `no-kubeconfig`, `bad-kubeconfig`, `no-cluster`: nothing to connect to. */
  readonly kind: 'unknown-context' | 'no-kubeconfig' | 'bad-kubeconfig' | 'no-cluster';
  /** The message, with the fix. */
  readonly message: string;
}

/** Loads the kubeconfig and picks the context (`contextName`, else the current one). */
export async function kubeTarget(contextName: string | undefined): Promise<KubeTarget | KubeContextProblem> {
  const source = kubeconfigSource();
  if (source === undefined) {
    return {
      kind: 'no-kubeconfig',
      message:
        'no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist (fix: set KUBECONFIG to a kubeconfig file, or run kubectl config set-cluster / set-context)',
    };
  }
  const client = await import('@kubernetes/client-node');
  const config = new client.KubeConfig();
  try {
    if (source === 'in-cluster') config.loadFromCluster();
    else config.loadFromDefault();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind: 'bad-kubeconfig',
      message: `cannot read the kubeconfig ${source}: ${message} (fix: check the file, e.g. with kubectl config view)`,
    };
  }
  const names = config.getContexts().map((c) => c.name);
  if (contextName !== undefined) {
    if (!names.includes(contextName)) {
      const suggestion = closest(contextName, names);
      const choices = names.length > 0 ? `use one of: ${names.join(', ')}` : 'the kubeconfig has no contexts';
      return {
        kind: 'unknown-context',
        message: `--context ${contextName}: no such context in ${source}${suggestion ? ` (did you mean '${suggestion}'?)` : ''} (fix: ${choices})`,
      };
    }
    config.setCurrentContext(contextName);
  }
  const context = config.getCurrentContext();
  const cluster = config.getCurrentCluster();
  if (!context || !cluster) {
    const why = context ? `context '${context}' names no cluster` : 'it has no current context';
    return {
      kind: 'no-cluster',
      message: `the kubeconfig ${source}: ${why} (fix: kubectl config use-context NAME, or pass --context NAME${names.length > 0 ? `: one of ${names.join(', ')}` : ''})`,
    };
  }
  return { client, config, context, server: cluster.server };
}

/** Where the kubeconfig comes from, in kubectl's order, or undefined when there is none. */
function kubeconfigSource(): string | undefined {
  const env = process.env.KUBECONFIG;
  if (env) return env;
  const file = path.join(os.homedir(), '.kube', 'config');
  if (fs.existsSync(file)) return file;
  if (process.env.KUBERNETES_SERVICE_HOST) return 'in-cluster';
  return undefined;
}
