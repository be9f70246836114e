/**
 * The gate's verdict and the exit code `stepwise gate` returns for it. Missing evidence is never
 * a pass: a metric the gate could not measure makes the whole gate inconclusive.
 */

/** The result of one metric, and of the gate as a whole. */
export type GateVerdict = 'pass' | 'fail' | 'inconclusive';

/** Exit code of `stepwise gate` per verdict: scripts continue on 0, roll back on 1, wait or ask a person on 2. */
export const GATE_EXIT_CODES: Readonly<Record<GateVerdict, number>> = { pass: 0, fail: 1, inconclusive: 2 };

/**
 * The gate's verdict from its metrics' results: `fail` if any metric failed, else `inconclusive`
 * if any could not be decided, else `pass`. No metrics at all is `inconclusive`, not a pass.
 */
export function overallVerdict(results: readonly GateVerdict[]): GateVerdict {
  if (results.includes('fail')) return 'fail';
  if (results.length === 0 || results.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

/** The exit code for `verdict`: pass 0, fail 1, inconclusive 2. */
export function gateExitCode(verdict: GateVerdict): number {
  return GATE_EXIT_CODES[verdict];
}
