import * as fs from 'node:fs';
import { configBlock, stackFromConfig, type Stack } from './stack-config';
import { listStacks, parseStackYaml, stackFilePath } from './stack-file';

/**
 * The cluster a stack deploys to, as far as its file says: the default Kubernetes provider's
 * `kubernetes:kubeconfig` and `kubernetes:context` config keys, which are what `pulumi up` uses.
 * A stack file with neither deploys to the current context of the kubeconfig `pulumi up` finds, so
 * every such stack in one directory is taken to share that cluster. Two stack files that name
 * different contexts (or kubeconfigs) deploy to different clusters; two contexts that happen to
 * point at one cluster are not recognised as one.
 */
export function stackClusterOf(config: Readonly<Record<string, unknown>>): string {
  const kubeconfig = config['kubernetes:kubeconfig'];
  const context = config['kubernetes:context'];
  return JSON.stringify([typeof kubeconfig === 'string' ? kubeconfig : '', typeof context === 'string' ? context : '']);
}

/** A stack and the cluster it deploys to ({@link stackClusterOf}). */
export interface StackInCluster {
  /** The stack. */
  readonly stack: Stack;
  /** Its cluster, comparable with `===`. */
  readonly cluster: string;
}

/**
 * Every other stack of `stacksDir` that deploys to the same cluster as `stack` (by
 * {@link stackClusterOf}) and may set a nodePort, sorted by name. Stack files that cannot be read
 * or are invalid are left out: `stepwise check` of those stacks reports them. A file whose text
 * never says `nodePort` sets none and is not parsed (a directory of big stacks would otherwise be
 * parsed whole on every `check`).
 */
export function otherStacksInCluster(stacksDir: string, stack: string): Stack[] {
  const all = listStacks(stacksDir).flatMap((name): StackInCluster[] => {
    const file = stackFilePath(stacksDir, name);
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (name !== stack && !text.includes('nodePort')) return [];
      const config = configBlock(parseStackYaml(text, file), file);
      return [{ stack: stackFromConfig(name, file, config), cluster: stackClusterOf(config) }];
    } catch {
      return [];
    }
  });
  const own = all.find((s) => s.stack.name === stack);
  if (!own) return [];
  return all.filter((s) => s.stack.name !== stack && s.cluster === own.cluster).map((s) => s.stack);
}
