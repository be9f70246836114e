/**
 * The benchmark's targets and the rows of its tables: each measured number next to the target it
 * is held to, so a missed target is visible in the output and in bench/results/latest.json.
 */
import type { BigStackSection } from './cli-big-stacks';
import type { CliSection } from './cli-latency';
import type { RenderMeasurement } from './measure-render';
import type { StatusMeasurement } from './status-big-stacks';

/** A table row: column → cell. */
export type Row = Record<string, string | number | undefined>;

/** What stepwise is held to (issue 5). */
export const TARGETS = {
  /** Plan data → YAML of one stage of 1,000 workloads. */
  oneStage1000Ms: 500,
  /** Plan data → YAML of every stage of 1,000 workloads. */
  allStages1000Ms: 2000,
  /** Plain cdk8s-plus time over stepwise time, one stage of 1,000 workloads. */
  speedupOverPlain1000: 3,
  /** Cold `stepwise plan|check|diff <stack>`. */
  cliMs: 500,
  /** t(2N)/t(N): linear growth. */
  growthPerDoubling: 2.2,
  /** Cold `plan` / `check` of 1,000 workloads over the same command on the smallest example stack. */
  bigStackReadRatio: 2,
  /** Cold `diff` of 1,000 workloads over `diff` on the smallest example stack. */
  bigStackDiffRatio: 3,
  /** Cold `render` of one stage of 1,000 workloads, the whole process. */
  bigStackRenderMs: 500,
} as const;

const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0));
const find = (all: readonly RenderMeasurement[], impl: RenderMeasurement['implementation'], shape: string, n: number) =>
  all.find((m) => m.implementation === impl && m.shape === shape && m.workloads === n);

/** One row per measurement, with the ratio to plain cdk8s-plus beside stepwise's rows. */
export function renderRows(all: readonly RenderMeasurement[]): Row[] {
  return all.map((m) => {
    const plain = find(all, 'plain-cdk8s-plus', m.shape, m.workloads);
    const ratio = (a?: number, b?: number) => (m.implementation === 'stepwise' && a !== undefined && b ? `${(a / b).toFixed(1)}×` : '');
    return {
      shape: m.shape,
      workloads: m.workloads,
      implementation: m.implementation,
      'one stage ms': ms(m.oneStageMs),
      'first run ms': ms(m.firstRunMs),
      'MB/s': (m.yamlBytes / 1e6 / (m.oneStageMs / 1000)).toFixed(1),
      'YAML MB': (m.yamlBytes / 1e6).toFixed(2),
      [`all stages ms`]: ms(m.allStagesMs),
      'peak RSS MB': m.peakRssMb.toFixed(0),
      'ratio 1 stage': ratio(plain?.oneStageMs, m.oneStageMs),
      'ratio all': ratio(plain?.allStagesMs, m.allStagesMs),
      'parse/construct+toJson/validate/yaml ms': m.phasesMs
        ? [m.phasesMs.parse, m.phasesMs.constructsAndToJson, m.phasesMs.schemaValidation, m.phasesMs.yaml].map(ms).join('/')
        : '',
    };
  });
}

/** Growth factor per doubling between consecutive sizes: t2/t1 normalised to a doubling of workloads. */
export function perDoubling(t1: number, t2: number, n1: number, n2: number): number {
  return Math.pow(t2 / t1, Math.log(2) / Math.log(n2 / n1));
}

/** For each implementation, shape and step between sizes: growth of the one-stage and all-stages times. */
export function growthRows(all: readonly RenderMeasurement[]): Row[] {
  const rows: Row[] = [];
  const keys = [...new Set(all.map((m) => `${m.implementation}|${m.shape}`))];
  for (const key of keys) {
    const series = all.filter((m) => `${m.implementation}|${m.shape}` === key).sort((a, b) => a.workloads - b.workloads);
    for (let i = 1; i < series.length; i++) {
      const [a, b] = [series[i - 1], series[i]];
      const all1 =
        a.allStagesMs !== undefined && b.allStagesMs !== undefined
          ? perDoubling(a.allStagesMs, b.allStagesMs, a.workloads, b.workloads)
          : undefined;
      const one = perDoubling(a.oneStageMs, b.oneStageMs, a.workloads, b.workloads);
      rows.push({
        implementation: a.implementation,
        shape: a.shape,
        step: `${a.workloads} → ${b.workloads}`,
        'one stage': one.toFixed(2),
        'all stages': all1 === undefined ? '-' : all1.toFixed(2),
        linear: a.implementation === 'stepwise' ? (Math.max(one, all1 ?? 0) <= TARGETS.growthPerDoubling ? 'yes' : 'NO') : '',
      });
    }
  }
  return rows;
}

/** One row per CLI command and stack. */
export function cliRows(cli: Exclude<CliSection, { skipped: string }>): Row[] {
  return cli.rows.map((r) => ({
    command: `stepwise ${r.command} ${r.stack}`,
    'median ms': ms(r.medianMs),
    runs: r.runsMs.map((t) => t.toFixed(0)).join(' '),
    exit: r.exitCode ?? '',
    note: r.problem ?? '',
  }));
}

/** Every target with the measured value and whether it is met. */
export function targetRows(all: readonly RenderMeasurement[], cli: CliSection): Row[] {
  const rows: Row[] = [];
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED');
  for (const shape of [...new Set(all.map((m) => m.shape))]) {
    const ours = find(all, 'stepwise', shape, 1000);
    const plain = find(all, 'plain-cdk8s-plus', shape, 1000);
    rows.push({
      target: `one stage, 1,000 workloads (${shape}) ≤ ${TARGETS.oneStage1000Ms} ms`,
      measured: `${ms(ours?.oneStageMs)} ms`,
      verdict: verdict(ours && ours.oneStageMs <= TARGETS.oneStage1000Ms),
    });
    rows.push({
      target: `all ${ours?.stages ?? '?'} stages, 1,000 workloads (${shape}) ≤ ${TARGETS.allStages1000Ms} ms`,
      measured: `${ms(ours?.allStagesMs)} ms`,
      verdict: verdict(ours?.allStagesMs === undefined ? undefined : ours.allStagesMs <= TARGETS.allStages1000Ms),
    });
    const speedup = ours && plain ? plain.oneStageMs / ours.oneStageMs : undefined;
    rows.push({
      target: `≥ ${TARGETS.speedupOverPlain1000}× plain cdk8s-plus, one stage, 1,000 workloads (${shape})`,
      measured: speedup === undefined ? '-' : `${speedup.toFixed(1)}×`,
      verdict: verdict(speedup === undefined ? undefined : speedup >= TARGETS.speedupOverPlain1000),
    });
  }
  const growth = growthRows(all).filter((r) => r.implementation === 'stepwise');
  const worst = Math.max(...growth.flatMap((r) => [Number(r['one stage']), Number(r['all stages'])].filter((v) => !Number.isNaN(v))));
  rows.push({
    target: `growth per doubling ≤ ${TARGETS.growthPerDoubling} (every step, stepwise)`,
    measured: `worst ${worst.toFixed(2)}`,
    verdict: verdict(worst <= TARGETS.growthPerDoubling),
  });
  if ('skipped' in cli) {
    rows.push({ target: `CLI plan|check|diff ≤ ${TARGETS.cliMs} ms`, measured: '-', verdict: `skipped: ${cli.skipped}` });
  } else {
    for (const command of [...new Set(cli.rows.map((r) => r.command))]) {
      const rs = cli.rows.filter((r) => r.command === command);
      const failed = rs.filter((r) => r.medianMs === undefined);
      const slowest = Math.max(...rs.filter((r) => r.medianMs !== undefined).map((r) => r.medianMs as number));
      rows.push({
        target: `stepwise ${command} <stack> ≤ ${TARGETS.cliMs} ms (slowest example stack)`,
        measured: failed.length === rs.length ? '-' : `${ms(slowest)} ms`,
        verdict: failed.length > 0 ? `not measured (${failed[0].problem})` : verdict(slowest <= TARGETS.cliMs),
      });
    }
  }
  return rows;
}

/** One row per command and stack of the big-stack section, with the ratio to the smallest example. */
export function bigStackRows(section: Exclude<BigStackSection, { skipped: string }>): Row[] {
  return section.rows.map((r) => {
    const base = section.rows.find((b) => b.command === r.command && b.stack === section.baselineStack);
    return {
      command: `stepwise ${r.command}`,
      stack: r.stack,
      workloads: r.workloads,
      'file KB': (r.fileBytes / 1024).toFixed(0),
      'median ms': ms(r.medianMs),
      runs: r.runsMs.map((t) => t.toFixed(0)).join(' '),
      '× smallest': base?.medianMs && r.medianMs ? `${(r.medianMs / base.medianMs).toFixed(1)}×` : '',
      note: r.problem ?? '',
    };
  });
}

/** The big-stack targets: ratios to the smallest example at 1,000 workloads, cold render time, growth to 4,000. */
export function bigStackTargetRows(section: BigStackSection): Row[] {
  if ('skipped' in section) return [{ target: 'CLI on big stacks', measured: '-', verdict: `skipped: ${section.skipped}` }];
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED');
  const at = (command: string, stack: string) => section.rows.find((r) => r.command === command && r.stack === stack)?.medianMs;
  const rows: Row[] = [];
  for (const [command, limit] of [
    ['plan', TARGETS.bigStackReadRatio],
    ['check', TARGETS.bigStackReadRatio],
    ['diff', TARGETS.bigStackDiffRatio],
  ] as const) {
    const big = at(command, 'synthetic-1000');
    const small = at(command, section.baselineStack);
    const ratio = big !== undefined && small !== undefined ? big / small : undefined;
    rows.push({
      target: `stepwise ${command}, 1,000 workloads ≤ ${limit}× the smallest example (${section.baselineStack})`,
      measured: ratio === undefined ? '-' : `${ratio.toFixed(1)}× (${ms(big)} / ${ms(small)} ms)`,
      verdict: verdict(ratio === undefined ? undefined : ratio <= limit),
    });
  }
  const render = at('render', 'synthetic-1000');
  rows.push({
    target: `stepwise render of one stage, 1,000 workloads, cold process ≤ ${TARGETS.bigStackRenderMs} ms`,
    measured: `${ms(render)} ms`,
    verdict: verdict(render === undefined ? undefined : render <= TARGETS.bigStackRenderMs),
  });
  for (const command of [...new Set(section.rows.map((r) => r.command))]) {
    const series = section.rows
      .filter((r) => r.command === command && r.stack.startsWith('synthetic-'))
      .sort((a, b) => a.workloads - b.workloads);
    const steps = series.slice(1).map((b, i) => {
      const a = series[i];
      return a.medianMs && b.medianMs ? perDoubling(a.medianMs, b.medianMs, a.workloads, b.workloads) : undefined;
    });
    const worst = steps.some((s) => s === undefined) ? undefined : Math.max(...(steps as number[]));
    rows.push({
      target: `stepwise ${command} growth per doubling ≤ ${TARGETS.growthPerDoubling} up to 4,000 workloads`,
      measured: worst === undefined ? '-' : `worst ${worst.toFixed(2)} (${steps.map((s) => s?.toFixed(2)).join(', ')})`,
      verdict: verdict(worst === undefined ? undefined : worst <= TARGETS.growthPerDoubling),
    });
  }
  return rows;
}

/** Match plus report, ms: what `status` waits for once the cluster is read. */
function statusMs(m: StatusMeasurement): number {
  return m.matchMs + m.reportMs;
}

/** One row per size of the status section, with the growth from the size before. */
export function statusRows(all: readonly StatusMeasurement[]): Row[] {
  return all.map((m, i) => ({
    workloads: m.workloads,
    'match every stage ms': ms(m.matchMs),
    'report ms': ms(m.reportMs),
    'total ms': ms(statusMs(m)),
    'growth per doubling': i > 0 ? statusGrowth(all[i - 1], m).toFixed(2) : '',
  }));
}

/** The growth per doubling of match plus report from `before` to `after`. */
function statusGrowth(before: StatusMeasurement, after: StatusMeasurement): number {
  return perDoubling(statusMs(before), statusMs(after), before.workloads, after.workloads);
}

/** The status section's target: linear growth up to 4,000 workloads. */
export function statusTargetRows(all: readonly StatusMeasurement[]): Row[] {
  const steps = all.slice(1).map((m, i) => statusGrowth(all[i], m));
  const worst = steps.length > 0 ? Math.max(...steps) : undefined;
  return [
    {
      target: `stepwise status (after reading the cluster) growth per doubling ≤ ${TARGETS.growthPerDoubling} up to 4,000 workloads`,
      measured: worst === undefined ? '-' : `worst ${worst.toFixed(2)} (${steps.map((s) => s.toFixed(2)).join(', ')})`,
      verdict: worst === undefined ? 'not measured' : worst <= TARGETS.growthPerDoubling ? 'met' : 'MISSED',
    },
  ];
}
