/**
 * One benchmark measurement, run in its own child process so that its peak RSS is its own:
 * `measure-render.ts <stepwise|plain-cdk8s-plus> <shape> <workloads>` prints one JSON line.
 */
import { renderStage } from '../lib/constructs/release-chart';
import { stackFromConfig, type Stack } from '../lib/stacks';
import { renderStackStage } from '../lib/synth/render-stack';
import { validateObject } from '../lib/synth/schema-validation';
import { toYaml } from '../lib/synth/yaml-emitter';
import { plainCdk8sPlusYaml } from './plain-cdk8s-plus';
import { syntheticStackConfig, syntheticStageNames, type SyntheticShape } from './synthetic-stack';

/** What a child reports for one implementation, shape and size. */
export interface RenderMeasurement {
  readonly implementation: 'stepwise' | 'plain-cdk8s-plus';
  readonly shape: SyntheticShape;
  readonly workloads: number;
  readonly stages: number;
  /** Runs the one-stage time is the median of. */
  readonly runs: number;
  /** Plan data → YAML of the last stage, ms (median). For stepwise: stackFromConfig + renderStackStage. */
  readonly oneStageMs: number;
  /** The first one-stage run at this size, before any other (a fresh `npm run synth` of one such stack). */
  readonly firstRunMs: number;
  /** Plan data → YAML of every stage, ms (one run); undefined when skipped (see `note`). */
  readonly allStagesMs?: number;
  /** Bytes of YAML of the one stage. */
  readonly yamlBytes: number;
  /** Peak resident set size of the process, MB. */
  readonly peakRssMb: number;
  /** Where stepwise's one-stage time goes (one more run, timed phase by phase), ms. */
  readonly phasesMs?: {
    readonly parse: number;
    readonly constructsAndToJson: number;
    readonly schemaValidation: number;
    readonly yaml: number;
  };
  readonly note?: string;
}

/** Timed one-stage runs (their median is reported): more for small sizes, where noise is larger and a run is cheap. */
export function runsFor(workloads: number): number {
  return workloads <= 100 ? 7 : workloads <= 1000 ? 5 : 3;
}

/** The plain cdk8s-plus baseline's all-stages run is skipped above this size (it grows quadratically). */
export const PLAIN_ALL_STAGES_LIMIT = 1000;

function time<T>(f: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = f();
  return { ms: performance.now() - start, value };
}

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function stepwiseStage(shape: SyntheticShape, workloads: number, stage?: string): string {
  const stack = stackFromConfig('bench', 'bench.yaml', syntheticStackConfig(shape, workloads));
  return renderStackStage(stack, stage ?? stack.stage)
    .files.map((f) => f.yaml)
    .join('---\n');
}

function stepwiseAllStages(shape: SyntheticShape, workloads: number): number {
  const stack = stackFromConfig('bench', 'bench.yaml', syntheticStackConfig(shape, workloads));
  let bytes = 0;
  for (const stage of stack.plan.stages) bytes += renderStackStage(stack, stage.name).files.reduce((n, f) => n + f.yaml.length + 4, 0);
  return bytes;
}

function stepwisePhases(shape: SyntheticShape, workloads: number): NonNullable<RenderMeasurement['phasesMs']> {
  const parse = time((): Stack => stackFromConfig('bench', 'bench.yaml', syntheticStackConfig(shape, workloads)));
  const render = time(() => renderStage(parse.value.plan, parse.value.stage, parse.value.name));
  const validation = time(() => render.value.forEach((o) => validateObject(o, 'bench.yaml')));
  const yaml = time(() => render.value.map((o) => toYaml(o)).join('---\n'));
  return { parse: parse.ms, constructsAndToJson: render.ms, schemaValidation: validation.ms, yaml: yaml.ms };
}

/** Measures one implementation at one size, after a small warm-up through the same path. */
export function measure(implementation: RenderMeasurement['implementation'], shape: SyntheticShape, workloads: number): RenderMeasurement {
  const stageNames = syntheticStageNames(shape);
  const last = stageNames.length - 1;
  const runs = runsFor(workloads);
  const oneStage = implementation === 'stepwise' ? () => stepwiseStage(shape, workloads) : () => plainCdk8sPlusYaml(shape, workloads, last);
  // Warm-up: load and JIT-compile the path on a small stack, as any real run would have done by its second stack.
  if (implementation === 'stepwise') stepwiseStage(shape, 10);
  else plainCdk8sPlusYaml(shape, 10, last);

  // One discarded run at full size first: the heap grows to its working size and the code runs
  // optimised, so the median below is the steady-state cost, not the JIT's or the heap's growth.
  // That first run is reported too, as what a single cold render of this size costs.
  const firstRunMs = time(oneStage).ms;
  const times: number[] = [];
  let yamlBytes = 0;
  for (let i = 0; i < runs; i++) {
    const run = time(oneStage);
    times.push(run.ms);
    yamlBytes = Buffer.byteLength(run.value);
  }
  let allStagesMs: number | undefined;
  let note: string | undefined;
  // All stages take seconds at the larger sizes, so a single run swings with GC: take the median of 3.
  const allStagesRuns = 3;
  if (implementation === 'stepwise') {
    allStagesMs = median(Array.from({ length: allStagesRuns }, () => time(() => stepwiseAllStages(shape, workloads)).ms));
  } else if (workloads <= PLAIN_ALL_STAGES_LIMIT) {
    allStagesMs = median(
      Array.from({ length: allStagesRuns }, () => time(() => stageNames.forEach((_, i) => plainCdk8sPlusYaml(shape, workloads, i))).ms),
    );
  } else {
    note = `all stages not run above ${PLAIN_ALL_STAGES_LIMIT} workloads (stages × the one-stage time, which grows quadratically)`;
  }
  const phasesMs = implementation === 'stepwise' ? stepwisePhases(shape, workloads) : undefined;
  return {
    implementation,
    shape,
    workloads,
    stages: stageNames.length,
    runs,
    oneStageMs: median(times),
    firstRunMs,
    allStagesMs,
    yamlBytes,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    phasesMs,
    note,
  };
}

if (require.main === module) {
  const [implementation, shape, workloads] = process.argv.slice(2);
  const result = measure(implementation as RenderMeasurement['implementation'], shape as SyntheticShape, Number(workloads));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
