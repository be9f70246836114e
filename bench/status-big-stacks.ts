/**
 * `stepwise status` on big stacks, after the cluster is read: comparing the live objects with every
 * stage (`matchStage`) and building the report (`statusReport`), what `status` runs once and
 * `release` on every poll. The cluster is a synthetic canary-pair stack's current stage applied and
 * settled (test/support/live-cluster.ts); rendering the stages is measured by the render section.
 * Run in a child process per size: `status-big-stacks.ts <workloads>` prints one JSON line.
 */
import { median } from './measure-render';
import { syntheticStackConfig } from './synthetic-stack';
import { stackFromConfig } from '../lib/stacks';
import { matchStage } from '../lib/status/stage-match';
import { renderedTemplates } from '../lib/status/stage-spec';
import { statusReport } from '../lib/status/status-report';
import { renderStackStage } from '../lib/synth/render-stack';
import { settledCluster } from '../test/support/live-cluster';

/** The synthetic sizes, in workloads. */
export const STATUS_SIZES = [1000, 2000, 4000] as const;

/** Timed runs per size; the median is reported. */
export const STATUS_RUNS = 3;

/** One size. */
export interface StatusMeasurement {
  readonly workloads: number;
  /** `matchStage` against every stage, pod templates included, ms (median). */
  readonly matchMs: number;
  /** `statusReport` of the matched stage, ms (median). */
  readonly reportMs: number;
}

/** Measures one size, after one discarded run. */
export function measureStatus(workloads: number): StatusMeasurement {
  const stack = stackFromConfig('bench', 'bench.yaml', syntheticStackConfig('canary-pairs', workloads));
  const live = settledCluster(stack, stack.stage);
  const stages = stack.plan.stages.map((s) => renderStackStage(stack, s.name).files.map((f) => f.object));
  const templates = stages.map(renderedTemplates);
  const routing = stack.plan.traffic;
  const cluster = { context: 'bench', server: 'https://bench.invalid' };
  const once = () => {
    const start = performance.now();
    const match = matchStage(stack.plan, routing, live, undefined, stack.stage, stack.fromStage, templates);
    const matched = performance.now();
    const rendered = stages[stack.plan.stages.findIndex((s) => s.name === (match.stage ?? stack.stage))];
    const report = statusReport({ stack, routing, cluster, live, weights: undefined, match, rendered });
    if (report.stage !== stack.stage) throw new Error(`the settled cluster matched ${report.stage}, not ${stack.stage}`);
    return { matchMs: matched - start, reportMs: performance.now() - matched };
  };
  once();
  const runs = Array.from({ length: STATUS_RUNS }, once);
  return { workloads, matchMs: median(runs.map((r) => r.matchMs)), reportMs: median(runs.map((r) => r.reportMs)) };
}

if (require.main === module) {
  process.stdout.write(`${JSON.stringify(measureStatus(Number(process.argv[2])))}\n`);
}
