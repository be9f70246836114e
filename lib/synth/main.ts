import { parseArgs } from 'node:util';
import { stackNamesForCli } from '../command-line/load-stack';
import { UsageError, runMain } from '../command-line/run-main';
import { StepwiseErrors, stepwiseErrorsOf, type StepwiseError } from '../model/errors';
import { DEFAULT_STACKS_DIR, loadStack } from '../stacks';
import { renderStackStage, type RenderedStage } from './render-stack';
import { writeRenderedStages } from './write-output';

/** The `npm run synth -- --help` text (also in docs/reference/cli.md). */
export const SYNTH_USAGE = `usage: npm run synth -- [STACK...] [--stacks DIR] [--out DIR]

Renders the current stage (stepwise:stage) of every stack in stacks/ (or the STACKs named) into
<out>/<stack>/<Kind>.<name>.k8s.yaml. Every object is validated first; if any stack is invalid,
nothing is written. Exit codes: 0 written, 1 a stack is invalid or --out cannot be written, 2 usage
error (unknown stack or flag).

  --stacks DIR   where the Pulumi.<stack>.yaml files are (default: stacks)
  --out DIR      output folder (default: $CDK8S_OUTDIR, else dist)`;

/** Where `npm run synth` writes and what it reads of its environment. */
export interface SynthIo {
  /** Standard output. */
  readonly out: (text: string) => void;
  /** Standard error. */
  readonly err: (text: string) => void;
  /** The environment (`CDK8S_OUTDIR`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** This process's streams and environment. */
const PROCESS_IO: SynthIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

/**
 * `npm run synth`: every stack's current stage into `dist/<stack>/`, all or nothing. It writes
 * only through `io` (this process's streams by default), so a test can run it in process.
 */
export function synthMain(argv: readonly string[], io: SynthIo = PROCESS_IO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { stacks: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${SYNTH_USAGE}`);
  }
  if (parsed.values.help) {
    io.out(`${SYNTH_USAGE}\n`);
    return 0;
  }
  const stacksDir = parsed.values.stacks ?? DEFAULT_STACKS_DIR;
  // `cdk8s synth` runs this file with CDK8S_OUTDIR set (see cdk8s.yaml).
  const outDir = parsed.values.out ?? io.env.CDK8S_OUTDIR ?? 'dist';
  // Every name must be a stack file in stacksDir before anything is read: a name becomes a folder
  // of outDir, and a path such as 'x/../../evil' would write (and replace) a folder outside it.
  const names = stackNamesForCli(stacksDir, parsed.positionals);

  const rendered: RenderedStage[] = [];
  const problems: StepwiseError[] = [];
  for (const name of names) {
    try {
      rendered.push(renderStackStage(loadStack(stacksDir, name)));
    } catch (error) {
      const found = stepwiseErrorsOf(error);
      if (found.length === 0) throw error;
      problems.push(...found);
    }
  }
  if (problems.length > 0) {
    io.err(`stepwise synth: ${outDir}/ left unchanged, ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n`);
    throw new StepwiseErrors(problems);
  }
  const written = writeRenderedStages(outDir, rendered);
  rendered.forEach((r, i) => io.out(`${written[i]}/  stage ${r.stage}: ${r.files.length} object${r.files.length === 1 ? '' : 's'}\n`));
  return 0;
}

if (require.main === module) runMain('stepwise synth', () => synthMain(process.argv.slice(2)));
