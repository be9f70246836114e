/**
 * The real Pulumi engine for the end-to-end suite: the `pulumi` CLI and the Kubernetes provider
 * plugin built by e2e/build/build.sh (or the user's own `pulumi` on PATH), a local file backend and
 * a passphrase in a temporary directory, and the project's own program (`stepwiseProgram`, what
 * `lib/pulumi/index.ts` runs) driven through the Automation API as an inline program — the
 * Node.js language host is not published as a Go module, and an inline program needs none.
 *
 * Each `ReleaseProject` is a temporary copy of one example stack file: the suite edits its stage
 * with `stepwise promote` / `rollback`, exactly as a user does, and then runs `pulumi up`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalWorkspace, PulumiCommand, type Stack as PulumiStack, type UpResult } from '@pulumi/pulumi/automation';
import { parseDocument } from 'yaml';
import { stepwiseProgram } from '../../lib/pulumi/program';
import { stackFromText, type Stack } from '../../lib/stacks';
import type { E2eBinaries } from './binaries';

const repo = path.resolve(__dirname, '..', '..');

/** A Pulumi home, backend and CLI shared by the suite's projects. */
export interface PulumiEngine {
  readonly command: PulumiCommand;
  readonly env: Readonly<Record<string, string>>;
  /** The directory holding the `pulumi` CLI the suite built, for a child process's PATH; undefined when `pulumi` comes from PATH. */
  readonly binDir?: string;
  /** Removes the engine's temporary files. */
  dispose(): void;
}

/**
 * Prepares the engine: a temporary PULUMI_HOME with the built provider installed as the plugin
 * version the npm SDK asks for, a file backend, and the CLI (built, or `pulumi` on PATH when the
 * suite runs against the user's cluster).
 */
export async function startPulumiEngine(binaries: E2eBinaries | undefined, kubeconfig: string): Promise<PulumiEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-pulumi-'));
  const home = path.join(dir, 'home');
  const backend = path.join(dir, 'state');
  fs.mkdirSync(home);
  fs.mkdirSync(backend);
  const env: Record<string, string> = {
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: 'stepwise-e2e',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: binaries ? 'true' : 'false',
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: 'true',
    KUBECONFIG: kubeconfig,
  };
  let root: string | undefined;
  if (binaries) {
    // The Automation API runs `<root>/bin/pulumi`.
    root = path.join(dir, 'cli');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.symlinkSync(binaries.pulumi, path.join(root, 'bin', 'pulumi'));
    execFileSync(
      binaries.pulumi,
      ['plugin', 'install', 'resource', 'kubernetes', binaries.pulumiKubernetesVersion, '--file', binaries.pulumiKubernetes],
      { env: { ...process.env, ...env }, stdio: 'pipe' },
    );
  }
  const command = await PulumiCommand.get({ root, skipVersionCheck: true });
  return {
    command,
    env,
    ...(root ? { binDir: path.join(root, 'bin') } : {}),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** One example stack, copied to a temporary project, deployed stage by stage. */
export class ReleaseProject {
  private constructor(
    readonly stackName: string,
    readonly dir: string,
    readonly stack: PulumiStack,
    private readonly engine: PulumiEngine,
  ) {}

  /**
   * Copies `stacks/Pulumi.<stackName>.yaml` (optionally transformed) into a new project;
   * `stacksDir` (relative to the repository) takes it from another folder, e.g. test/fixtures/stacks.
   */
  static async create(
    engine: PulumiEngine,
    stackName: string,
    transform: (yaml: string) => string = (y) => y,
    stacksDir = 'stacks',
  ): Promise<ReleaseProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stepwise-e2e-${stackName}-`));
    fs.mkdirSync(path.join(dir, 'stacks'));
    const source = fs.readFileSync(path.join(repo, stacksDir, `Pulumi.${stackName}.yaml`), 'utf8');
    fs.writeFileSync(path.join(dir, 'stacks', `Pulumi.${stackName}.yaml`), transform(source));
    // The project's own Pulumi.yaml (stackConfigDir: stacks) without its `main`: the inline program runs instead.
    const project = parseDocument(fs.readFileSync(path.join(repo, 'Pulumi.yaml'), 'utf8'));
    project.delete('main');
    fs.writeFileSync(path.join(dir, 'Pulumi.yaml'), project.toString());
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName, projectName: 'stepwise', program: async () => stepwiseProgram() },
      {
        workDir: dir,
        pulumiCommand: engine.command,
        envVars: { ...engine.env },
      },
    );
    return new ReleaseProject(stackName, dir, stack, engine);
  }

  /** The stack file of this project. */
  get stackFile(): string {
    return path.join(this.dir, 'stacks', `Pulumi.${this.stackName}.yaml`);
  }

  /** The stack as its file says now (its stage moves with `stepwise promote` / `rollback`). */
  read(): Stack {
    return stackFromText(this.stackName, this.stackFile, fs.readFileSync(this.stackFile, 'utf8'));
  }

  /** Runs the stepwise CLI on this project (`promote`, `rollback`, `check`, …). */
  stepwise(...args: string[]): string {
    return execFileSync(process.execPath, [path.join(repo, 'dist-js', 'bin', 'stepwise.js'), ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
  }

  /**
   * `pulumi up` at the stage the stack file names; aborting `signal` is a Ctrl-C; `refresh` is
   * `pulumi up --refresh` (read the cluster's objects first).
   */
  async up(options: { signal?: AbortSignal; refresh?: boolean } = {}): Promise<UpResult> {
    return this.stack.up({ onOutput: () => undefined, color: 'never', ...options });
  }

  /** `pulumi preview --diff`: the change summary, and the lines of the resources that would change. */
  async preview(): Promise<{ changes: Record<string, number>; changed: string[] }> {
    const result = await this.stack.preview({ color: 'never', diff: true });
    const changed = result.stdout.split('\n').filter((line) => /^\s*[~+-]{1,2}\s/.test(line));
    return { changes: result.changeSummary as Record<string, number>, changed };
  }

  /** `pulumi destroy` and removal of the project. */
  async destroy(): Promise<void> {
    await this.stack.destroy({ color: 'never' });
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The engine this project runs on. */
  get env(): Readonly<Record<string, string>> {
    return this.engine.env;
  }
}
