/**
 * A stand-in for Argo CD in the end-to-end suite: syncs a stack's rendered folder the way Argo CD
 * does — `kubectl apply --server-side` wave by wave in the order of the
 * `argocd.argoproj.io/sync-wave` annotations, each wave's Deployments rolled out before the next,
 * objects the render no longer holds pruned last.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { SYNC_WAVE_ANNOTATION } from '../../lib/routing/sync-waves';
import { kubectl } from './binaries';
import type { Suite } from './suite';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..', '..');

/** A rendered object: its file and what identifies it. */
interface Manifest {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  readonly wave: number;
}

/** What a GitOps controller does with one commit of a stack: sync its manifests in waves, then prune. */
export class GitOpsSync {
  private applied = new Map<string, Manifest>();

  constructor(
    private readonly suite: Suite,
    private readonly dir: string,
    private readonly stackName: string,
    private readonly namespace: string,
  ) {}

  // Asynchronous, never execFileSync: the observer's watches must be read while kubectl runs, or
  // their events are stamped when the event loop is free again, seconds late and out of order.
  private async kubectl(...args: string[]): Promise<string> {
    return (await run(kubectl(this.suite.binaries), ['--kubeconfig', this.suite.cluster.kubeconfig, ...args], { encoding: 'utf8' })).stdout;
  }

  /** `npm run synth` of the stack's current stage, then the sync. */
  async sync(): Promise<void> {
    const out = path.join(this.dir, 'dist');
    await run(
      process.execPath,
      [
        path.join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(repo, 'lib', 'synth', 'main.ts'),
        this.stackName,
        '--stacks',
        path.join(this.dir, 'stacks'),
        '--out',
        out,
      ],
      {
        cwd: this.dir,
      },
    );
    await this.syncRendered();
  }

  /** The sync of what is in the stack's folder of `dist/` now (rendered by `npm run synth` or `stepwise release --gitops`). */
  async syncRendered(): Promise<void> {
    const folder = path.join(this.dir, 'dist', this.stackName);
    const manifests = fs.readdirSync(folder).map((name): Manifest => {
      const object = parse(fs.readFileSync(path.join(folder, name), 'utf8'));
      return {
        file: path.join(folder, name),
        kind: object.kind,
        name: object.metadata.name,
        wave: Number(object.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0),
      };
    });
    const waves = [...new Set(manifests.map((m) => m.wave))].sort((a, b) => a - b);
    for (const wave of waves) {
      const inWave = manifests.filter((m) => m.wave === wave);
      await this.kubectl(
        'apply',
        '--server-side',
        '--field-manager=stepwise-gitops',
        '--force-conflicts',
        ...inWave.flatMap((m) => ['-f', m.file]),
      );
      for (const m of inWave.filter((m) => m.kind === 'Deployment')) {
        await this.kubectl('rollout', 'status', `deployment/${m.name}`, '-n', this.namespace, '--timeout=180s');
      }
    }
    const now = new Map(manifests.map((m) => [`${m.kind}/${m.name}`, m]));
    for (const [key, m] of this.applied) {
      if (!now.has(key))
        await this.kubectl('delete', m.kind.toLowerCase(), m.name, '-n', this.namespace, '--cascade=foreground', '--wait=true');
    }
    this.applied = now;
  }

  /** `kubectl diff` of the current render: the cluster already matches it. */
  async unchanged(): Promise<boolean> {
    try {
      await this.kubectl(
        'diff',
        '--server-side',
        '--field-manager=stepwise-gitops',
        '--force-conflicts',
        '-f',
        path.join(this.dir, 'dist', this.stackName),
      );
      return true;
    } catch {
      return false;
    }
  }
}
