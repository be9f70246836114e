import * as path from 'node:path';
import { renderStackStage, type RenderedStage } from '../../synth/render-stack';
import { writeAllStages, writeRenderedStages } from '../../synth/write-output';
import { parseCommandArgs, pathFrom, requireStackName, stacksDirOf, STACK_OPTIONS } from '../args';
import type { Command } from '../command';
import { loadStackForCli, stageForCli } from '../../command-line/load-stack';
import { UsageError } from '../../command-line/run-main';

const USAGE = `usage: stepwise render <stack> [--stage S | --all-stages] [--out DIR] [--stacks DIR]

Renders the Kubernetes manifests of a stage of the stack (its current stage, stepwise:stage, by
default) through the same path as npm run synth and pulumi up, validating every object against the
Kubernetes schemas. Without --out, prints them as one YAML stream; with --out, writes one file per
object. Every stage asked for is rendered and validated before anything is written.

options:
  --stage S      render stage S instead of the current stage
  --all-stages   render every stage of the plan
  --out DIR      write DIR/<stack>/<Kind>.<name>.k8s.yaml (with --all-stages
                 DIR/<stack>/<stage>/...), replacing DIR/<stack>/ as a whole
  --stacks DIR   where the Pulumi.<stack>.yaml files are (default: stacks)
  -h, --help     this text

exit codes: 0 rendered, 1 the stack file or a rendered object is invalid, 2 usage error
(unknown stack, stage or flag)`;

/** `stepwise render <stack>`. */
export const command: Command = {
  usage: USAGE,
  run(args, context) {
    const options = { ...STACK_OPTIONS, stage: { type: 'string' }, 'all-stages': { type: 'boolean' }, out: { type: 'string' } } as const;
    const { values, positionals } = parseCommandArgs(args, options, USAGE);
    if (values.stage !== undefined && values['all-stages']) {
      throw new UsageError(`--stage and --all-stages contradict each other: give one\n\n${USAGE}`);
    }
    if (values.out === '') throw new UsageError(`--out needs a directory\n\n${USAGE}`);
    const stack = loadStackForCli(stacksDirOf(values, context.cwd), requireStackName(positionals, USAGE));
    const stages = values['all-stages']
      ? stack.plan.stages.map((s) => s.name)
      : [values.stage === undefined ? stack.stage : stageForCli(stack, values.stage).name];
    // All-or-nothing: every stage is rendered and validated before a byte is written.
    const rendered = stages.map((stage) => renderStackStage(stack, stage));

    if (values.out === undefined) {
      context.out(yamlStream(rendered, values['all-stages'] === true));
      return 0;
    }
    if (values['all-stages']) {
      const target = writeAllStages(pathFrom(context.cwd, values.out), stack.name, rendered);
      for (const r of rendered) context.out(`${path.join(target, r.stage)}/  stage ${r.stage}: ${objects(r.files.length)}\n`);
    } else {
      const [target] = writeRenderedStages(pathFrom(context.cwd, values.out), rendered);
      context.out(`${target}/  stage ${rendered[0].stage}: ${objects(rendered[0].files.length)}\n`);
    }
    return 0;
  },
};

/** The manifests as one YAML stream; with several stages, a comment names each stage's first document. */
function yamlStream(rendered: readonly RenderedStage[], labelStages: boolean): string {
  const documents = rendered.flatMap((r) =>
    r.files.map((f, i) => (labelStages && i === 0 ? `# ${r.stack}, stage ${r.stage}\n${f.yaml}` : f.yaml)),
  );
  return documents.join('---\n');
}

/** `1 object`, `5 objects`. */
function objects(n: number): string {
  return `${n} object${n === 1 ? '' : 's'}`;
}
