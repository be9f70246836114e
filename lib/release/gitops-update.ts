/**
 * The GitOps side of a release (`stepwise release --gitops`): the release never touches the
 * cluster. Applying a stage is rendering it into the output folder as `npm run synth` does and
 * committing it (with the stack file) for Argo CD or Flux to sync — or, without `--commit`,
 * printing the commands that do; the release then waits for the cluster to reach the stage, read
 * as `stepwise status` reads it. Where the cluster is now is also read from the cluster: there is
 * no Pulumi record.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { StepwiseError } from '../model/errors';
import { isReadProblem } from '../status/cluster-reader';
import type { KubeTarget } from '../status/kube-context';
import { readStackStatus } from '../status/stack-status';
import { loadStack, type Stack } from '../stacks';
import { renderStackStage } from '../synth/render-stack';
import { writeRenderedStages } from '../synth/write-output';

const run = promisify(execFile);

/** Where the manifests go and what to do with them. */
export interface GitOpsTarget {
  /** The project directory (git runs here). */
  readonly dir: string;
  /** The stacks directory, as the CLI was given it. */
  readonly stacksDir: string;
  /** The stack's name. */
  readonly stackName: string;
  /** The output folder Argo CD or Flux reads (`npm run synth`'s `--out`). */
  readonly outDir: string;
  /** Commit the stack file and the stack's folder after each render. */
  readonly commit: boolean;
  /** Push each commit (with `commit`). */
  readonly push: boolean;
}

/** The GitOps updates of a release. */
export interface GitOpsUpdates {
  /** The stage the cluster is in, as `stepwise status` reads it, or undefined when it matches none. */
  clusterStage(): Promise<string | undefined>;
  /** Renders the stage the stack file names into the output folder, then commits (and pushes) it or prints how. */
  publish(): Promise<void>;
  /** How many manifest files rendering `stage` (reached from `fromStage`) would create, change and delete. */
  preview(stage: string, fromStage: string): Readonly<Record<string, number>>;
}

/** The GitOps pieces for `target`; `log` gets the commands and git's own output. */
export function gitopsUpdates(target: GitOpsTarget, kube: KubeTarget, log: (line: string) => void): GitOpsUpdates {
  const git = async (...args: string[]): Promise<void> => {
    log(`git ${args.join(' ')}`);
    try {
      await run('git', args, { cwd: target.dir, encoding: 'utf8' });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`git ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
    }
  };
  return {
    async clusterStage() {
      const stack = loadStack(target.stacksDir, target.stackName);
      const report = await readStackStatus(stack, kube, 10);
      if (isReadProblem(report)) {
        throw new StepwiseError({
          problem: `the cluster at ${kube.server} could not be read: ${report.message}`,
          fix: 'check the kubeconfig context, or pass --context NAME',
        });
      }
      return report.stage ?? undefined;
    },
    async publish() {
      const stack = loadStack(target.stacksDir, target.stackName);
      writeRenderedStages(target.outDir, [renderStackStage(stack)]);
      const paths = [stack.file, path.join(target.outDir, stack.name)];
      const message = `stepwise release ${stack.name}: stage ${stack.stage}`;
      if (!target.commit) {
        log(
          `render written; commit it for the GitOps controller to sync: git add ${paths.join(' ')} && git commit -m '${message}' && git push`,
        );
        return;
      }
      await git('add', '--all', '--', ...paths);
      // A re-run that publishes a stage already committed has nothing to commit.
      const staged = await run('git', ['diff', '--cached', '--quiet', '--', ...paths], { cwd: target.dir }).then(
        () => false,
        () => true,
      );
      if (!staged) {
        log(`nothing to commit: ${paths.join(' and ')} already hold stage ${stack.stage}`);
        return;
      }
      await git('commit', '--quiet', '-m', message, '--', ...paths);
      if (target.push) await git('push', '--quiet');
    },
    preview(stage, fromStage) {
      const stack = loadStack(target.stacksDir, target.stackName);
      const index = (name: string) => stack.plan.stages.findIndex((s) => s.name === name);
      const at: Stack = { ...stack, stage, stageIndex: index(stage), fromStage, fromStageIndex: index(fromStage) };
      return manifestChanges(path.join(target.outDir, stack.name), renderStackStage(at).files);
    },
  };
}

/** Files to create, change and delete in `folder` to hold `files`. */
function manifestChanges(folder: string, files: readonly { readonly name: string; readonly yaml: string }[]): Record<string, number> {
  const existing = fs.existsSync(folder) ? fs.readdirSync(folder) : [];
  const rendered = new Set(files.map((f) => f.name));
  const changes = { create: 0, update: 0, same: 0, delete: existing.filter((name) => !rendered.has(name)).length };
  for (const file of files) {
    const current = path.join(folder, file.name);
    if (!fs.existsSync(current)) changes.create++;
    else if (fs.readFileSync(current, 'utf8') === file.yaml) changes.same++;
    else changes.update++;
  }
  return changes;
}
