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

/**
 * Every other stack of `stacksDir` that deploys to the same cluster as `stack` (by
 * {@link stackClusterOf}) and may set a nodePort, sorted by name. Stack files that cannot be read
 * or are invalid are left out: `stepwise check` of those stacks reports them. A file whose text
 * never says `nodePort` sets none and is not parsed (a directory of big stacks would otherwise be
 * parsed whole on every `check`).
 */
export function otherStacksInCluster(stacksDir: string, stack: string): Stack[] {
  const configOf = (name: string): { file: string; config: Record<string, unknown> } | undefined => {
    const file = stackFilePath(stacksDir, name);
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (name !== stack && !text.includes('nodePort')) return undefined;
      return { file, config: configBlock(parseStackYaml(text, file), file) };
    } catch {
      return undefined;
    }
  };
  // The stack itself is only read for its cluster: `check` has validated it already.
  const own = configOf(stack);
  if (!own) return [];
  const cluster = stackClusterOf(own.config);
  return listStacks(stacksDir).flatMap((name): Stack[] => {
    if (name === stack) return [];
    const other = configOf(name);
    if (!other || stackClusterOf(other.config) !== cluster) return [];
    try {
      return [stackFromConfig(name, other.file, other.config)];
    } catch {
      return [];
    }
  });
}
