/**
 * The release's Pulumi updates: the Automation API running the same program `pulumi up` runs
 * (`stepwiseProgram`) as an inline program, on the user's stack in the user's backend (their
 * `pulumi login`, `PULUMI_BACKEND_URL`, passphrase and so on come from the environment), with the
 * stack's config read from its stack file as `pulumi up` reads it. An inline program needs no
 * Node.js language host and no build.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { StepwiseError } from '../model/errors';
import { setStageInText } from '../stacks/stage-edit';
import { readBackendLocks, removeFileLock } from './backend-locks';
import type { PendingOperation } from './release-event';
import { freeStaleLocks, processIsAlive, type LockOutcome } from './stack-lock';

/** The project a release runs in: the directory holding Pulumi.yaml, and the stack. */
export interface PulumiProject {
  /** The directory holding Pulumi.yaml (the working directory of `pulumi up`). */
  readonly dir: string;
  /** The stack's name, as `pulumi up --stack` takes it. */
  readonly stackName: string;
  /** The stack file (`stacks/Pulumi.<stack>.yaml`). */
  readonly stackFile: string;
}

/** The Pulumi side of a release: the recorded stage, an update, a preview. */
export interface PulumiUpdates {
  /**
   * The `stage` output of the last update when that update succeeded; undefined before the first
   * update, and after one that failed or was cancelled.
   */
  recordedStage(): Promise<string | undefined>;
  /** Removes the stack's locks that provably belong to a dead `pulumi` of this host, or says why not (lib/release/stack-lock.ts). */
  freeStaleLocks(): Promise<LockOutcome>;
  /** `pulumi refresh --clear-pending-creates` when the state holds pending operations; returns them. */
  clearPendingOperations(): Promise<readonly PendingOperation[]>;
  /** `pulumi up` (with `--refresh` when asked); throws an Error with Pulumi's error lines when it fails. */
  up(options: { readonly refresh: boolean; readonly signal?: AbortSignal }): Promise<void>;
  /** `pulumi preview` of the stack file with `stepwise:stage` set to `stage`, the file itself untouched. */
  preview(stage: string, fromStage: string): Promise<Readonly<Record<string, number>>>;
}

/**
 * Selects (or creates, as `pulumi up` does for a new stack in a file backend) the stack through
 * the Automation API. `log` gets Pulumi's own output (progress and diagnostics), line by line.
 */
export async function pulumiUpdates(project: PulumiProject, log: (line: string) => void): Promise<PulumiUpdates> {
  const projectName = projectNameOf(project.dir);
  // Loaded here: every other command runs without the Pulumi SDK.
  const { LocalWorkspace } = await import('@pulumi/pulumi/automation/index.js');
  const { stepwiseProgram } = await import('../pulumi/program.js');
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: project.stackName, projectName, program: async () => stepwiseProgram() },
    { workDir: project.dir },
  );
  const onOutput = (text: string) => {
    for (const line of text.split('\n')) if (line.trim() !== '') log(line);
  };
  return {
    async recordedStage() {
      // A cancelled update keeps the stage output its program registered at once, before any
      // object changed (seen on the real engine): only a succeeded update's record is what the
      // cluster has.
      const last = (await stack.history(10)).find((update) => update.kind === 'update');
      if (last && last.result !== 'succeeded') return undefined;
      const outputs = await stack.outputs();
      const value = outputs.stage?.value;
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
    async freeStaleLocks() {
      const [who, history] = await Promise.all([stack.workspace.whoAmI(), stack.history(1)]);
      return freeStaleLocks(
        project.stackName,
        {
          read: async () => readBackendLocks({ backendUrl: who.url ?? '', project: projectName, stack: project.stackName }, history[0]),
          remove: async (lock) => removeFileLock(lock),
        },
        { hostname: os.hostname(), isAlive: processIsAlive },
      );
    },
    async clearPendingOperations() {
      const operations = pendingOperations(await stack.exportStack());
      if (operations.length === 0) return [];
      try {
        // Non-create operations are dropped by the next update anyway; a pending create stays in
        // the state until a refresh clears it (pulumi v3.248.0, pkg/backend/snapshot.go). The
        // refresh also reads every object the interrupted update may have changed.
        await stack.refresh({ clearPendingCreates: true, onOutput, color: 'never' });
      } catch (error) {
        throw new Error(updateFailure(error));
      }
      return operations;
    },
    async up({ refresh, signal }) {
      try {
        await stack.up({ refresh, signal, onOutput, color: 'never' });
      } catch (error) {
        throw new Error(updateFailure(error) + lockAdvice(error, project.stackName));
      }
    },
    async preview(stage, fromStage) {
      // The stack file itself names the current stage: the preview reads an edited copy.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-release-preview-'));
      try {
        const configFile = path.join(dir, path.basename(project.stackFile));
        fs.writeFileSync(configFile, setStageInText(fs.readFileSync(project.stackFile, 'utf8'), { stage, fromStage }, project.stackFile));
        const result = await stack.preview({ configFile, color: 'never', onOutput });
        return { ...result.changeSummary };
      } catch (error) {
        throw new Error(updateFailure(error));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The pending operations of an exported state (`pulumi stack export`'s `deployment.pending_operations`). */
export function pendingOperations(exported: { readonly deployment?: unknown }): PendingOperation[] {
  const ops = (exported.deployment as { pending_operations?: unknown } | undefined)?.pending_operations;
  if (!Array.isArray(ops)) return [];
  return ops.map((op: { resource?: { urn?: unknown }; type?: unknown }) => ({
    urn: typeof op.resource?.urn === 'string' ? op.resource.urn : '(unknown resource)',
    operation: typeof op.type === 'string' ? op.type : 'unknown',
  }));
}

/**
 * For an update refused because the stack is locked (a backend whose locks a release cannot read
 * beforehand, or a lock taken since): the lock lines Pulumi printed and how to free it by hand.
 */
function lockAdvice(error: unknown, stackName: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!/the stack is currently locked by|Another update is currently in progress/.test(message)) return '';
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /: created by .* \(pid \d+\)/.test(line));
  return (
    `${lines.length > 0 ? ` (${lines.slice(0, 3).join('; ')})` : ''}; stepwise does not cancel an update it cannot prove dead: ` +
    `once you are sure no update of this stack runs, free it with \`pulumi cancel --stack ${stackName} --yes\` and run the release again`
  );
}

/** The `name:` of `dir/Pulumi.yaml`, or a StepwiseError saying the release must run in the project. */
export function projectNameOf(dir: string): string {
  const file = path.join(dir, 'Pulumi.yaml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new StepwiseError({
      file,
      problem: 'does not exist: stepwise release runs the Pulumi program of the project in the current directory',
      fix: 'run stepwise release from the directory holding Pulumi.yaml (the project root)',
    });
  }
  const name = (parse(text) as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || name === '') {
    throw new StepwiseError({ file, keyPath: 'name', problem: 'is missing', fix: 'give the project a name, e.g. name: stepwise' });
  }
  return name;
}

/**
 * Why an update failed, in the lines a person needs: Pulumi's `error:` lines (the Automation API's
 * error carries the whole command output), else the message's first line.
 */
export function updateFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const errors = [
    ...new Set(
      message
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => /^error:/.test(line)),
    ),
  ];
  return errors.length > 0 ? errors.slice(0, 5).join('; ') : message.split('\n')[0];
}
