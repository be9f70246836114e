/**
 * The gate report for people (a table) and for scripts (`--json`). Both are deterministic: no
 * timestamps, metrics in analysis order, keys in a fixed order.
 */
import type { GateReport, MetricResult } from './evaluate';
import { describeThreshold, formatValue, type Threshold } from './threshold';
import { gateExitCode, type GateVerdict } from './verdict';

/** One metric in the `--json` output. Numbers that are not finite (NaN) are `null`; the reason says why. */
export interface MetricResultJson {
  /** The metric's name. */
  readonly name: string;
  /** `pass`, `fail` or `inconclusive`. */
  readonly result: GateVerdict;
  /** The canary's value, or null when there is no finite number. */
  readonly value: number | null;
  /** The stable workload's value for relative limits, or null. */
  readonly stableValue: number | null;
  /** The limits that are set (`min`, `max`, `relativeTo`, `maxIncrease`, `maxDecrease`). */
  readonly threshold: Threshold;
  /** Why, in plain words. */
  readonly reason: string;
  /** The PromQL run for the canary. */
  readonly query: string;
  /** The PromQL run for the stable workload, or null. */
  readonly stableQuery: string | null;
}

/** The `stepwise gate --json` document. */
export interface GateReportJson {
  /** `pass`, `fail` or `inconclusive`. */
  readonly verdict: GateVerdict;
  /** The exit code `stepwise gate` returns: 0 pass, 1 fail, 2 inconclusive. */
  readonly exitCode: number;
  /** The namespace of the workloads. */
  readonly namespace: string;
  /** The canary Deployment's name. */
  readonly canary: string;
  /** The stable Deployment's name, or null. */
  readonly stable: string | null;
  /** The Prometheus queried. */
  readonly prometheus: string;
  /** The PromQL range the queries looked back over. */
  readonly interval: string;
  /** One entry per metric, in analysis order. */
  readonly metrics: readonly MetricResultJson[];
}

const VERDICT_WORDS: Readonly<Record<GateVerdict, string>> = {
  pass: 'PASS: every metric is within its threshold; the release may continue',
  fail: 'FAIL: a metric is outside its threshold; roll back or investigate',
  inconclusive: 'INCONCLUSIVE: some metric could not be measured, which is never a pass; wait and run the gate again, or investigate',
};

/**
 * The report as text: a header naming what was measured, a table (metric, value, threshold,
 * result, reason) and the verdict line.
 */
export function formatGateReport(report: GateReport): string {
  const compared = report.stable ? `, compared with ${report.stable}` : '';
  const header = `Metric gate for ${report.canary} in namespace ${report.namespace}${compared} (Prometheus ${report.prometheusUrl}, interval ${report.interval})`;
  const rows = [['METRIC', 'VALUE', 'THRESHOLD', 'RESULT', 'REASON'], ...report.metrics.map(tableRow)];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) =>
    row
      .map((cell, column) => (column < widths.length ? cell.padEnd(widths[column]) : cell))
      .join('  ')
      .trimEnd(),
  );
  return [header, '', ...table, '', `Verdict: ${VERDICT_WORDS[report.verdict]}`].join('\n') + '\n';
}

function tableRow(metric: MetricResult): string[] {
  const value = metric.value === undefined ? '-' : formatValue(metric.value);
  const shown = metric.stableValue === undefined ? value : `${value} (stable ${formatValue(metric.stableValue)})`;
  return [metric.name, shown, describeThreshold(metric.threshold), metric.result, metric.reason];
}

/** The report as the plain JSON document `stepwise gate --json` prints. */
export function toJson(report: GateReport): GateReportJson {
  return {
    verdict: report.verdict,
    exitCode: gateExitCode(report.verdict),
    namespace: report.namespace,
    canary: report.canary,
    stable: report.stable ?? null,
    prometheus: report.prometheusUrl,
    interval: report.interval,
    metrics: report.metrics.map((metric) => ({
      name: metric.name,
      result: metric.result,
      value: finiteOrNull(metric.value),
      stableValue: finiteOrNull(metric.stableValue),
      threshold: metric.threshold,
      reason: metric.reason,
      query: metric.query,
      stableQuery: metric.stableQuery ?? null,
    })),
  };
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}
