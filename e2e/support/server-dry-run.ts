/**
 * What the API server says of a set of objects, asked the way a user would: one
 * `kubectl apply --server-side` of a folder holding them all, with `--dry-run=server` (every
 * admission and validation step runs, nothing is stored) or for real (for what only a stored object
 * shows, such as a node port another Service already holds).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';

/** The API server's answer to one apply. */
export interface ServerVerdict {
  /** True when kubectl exited 0: every object was accepted. */
  readonly accepted: boolean;
  /** kubectl's error lines (`Error from server (Invalid): Deployment.apps "x" is invalid: …`). */
  readonly errors: readonly string[];
  /** The warnings the server returned (`Warning: would violate PodSecurity …`), without the `Warning: ` prefix. */
  readonly warnings: readonly string[];
}

/** One object to apply, under the file name it is written to. */
export interface ManifestToApply {
  /** File name in the folder, e.g. `Deployment.web.k8s.yaml`. */
  readonly name: string;
  /** The object's YAML (or the object, written as YAML). */
  readonly yaml: string;
}

/** How to run kubectl against the cluster. */
export interface KubectlTarget {
  /** The kubectl binary. */
  readonly kubectl: string;
  /** The kubeconfig file. */
  readonly kubeconfig: string;
}

/** The field manager of every apply here (the one the Pulumi e2e tests use too). */
export const FIELD_MANAGER = 'stepwise-e2e';

/**
 * Writes `manifests` into a fresh folder and applies it in one `kubectl apply --server-side`
 * call, as a dry run unless `dryRun` is false. The folder is removed afterwards.
 */
export async function applyManifests(
  target: KubectlTarget,
  manifests: readonly ManifestToApply[],
  options: { readonly dryRun?: boolean } = {},
): Promise<ServerVerdict> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-apply-'));
  try {
    for (const m of manifests) fs.writeFileSync(path.join(dir, m.name), m.yaml);
    const args = ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', dir];
    if (options.dryRun !== false) args.push('--dry-run=server');
    const { code, stderr } = await run(target.kubectl, args, { ...process.env, KUBECONFIG: target.kubeconfig });
    return verdict(code, stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Objects as manifests named `<n>.<Kind>.<name>.yaml` (unique even when two kinds share a name). */
export function manifestsOf(objects: readonly { kind: string; metadata: { name: string } }[]): ManifestToApply[] {
  return objects.map((o, i) => ({ name: `${String(i).padStart(3, '0')}.${o.kind}.${o.metadata.name}.yaml`, yaml: stringify(o) }));
}

/**
 * kubectl's stderr split into errors and warnings. A message may go on over indented or `* `
 * lines (a list of causes), which belong to the line before; any other line is an error
 * (`Error from server (Invalid): …`, or `The Service "x" is invalid: …` as kubectl words some).
 */
function verdict(code: number | null, stderr: string): ServerVerdict {
  const errors: string[] = [];
  const warnings: string[] = [];
  let last: string[] = errors;
  for (const line of stderr.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('Warning: ')) {
      warnings.push(line.slice('Warning: '.length));
      last = warnings;
    } else if ((/^\s/.test(line) || line.startsWith('* ')) && last.length > 0) {
      last[last.length - 1] += `\n${line}`;
    } else {
      errors.push(line);
      last = errors;
    }
  }
  return { accepted: code === 0, errors, warnings };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
