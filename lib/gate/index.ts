/**
 * The metric gate: decides from Prometheus metrics whether a canary release may continue
 * (`stepwise gate <stack>`). Parse the plan's `analysis` section, run the gate for the canary,
 * print the report and exit with `gateExitCode(report.verdict)`.
 */
export * from '../model/analysis-section';
export * from './evaluate';
export * from './prometheus-client';
export * from './promql';
export * from './report';
export * from './target';
export * from './threshold';
export * from './verdict';
