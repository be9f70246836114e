/** The pure rollout model: plan types, parsing, selector matching and capacity math. */
export * from './errors';
export * from './int-or-percent';
export * from './labels';
export * from './plan';
export * from './parse-plan';
export * from './deployment-pods';
export * from './stage-state';
export * from './transition';
export * from './kind-rules';
export * from './api-server-rules';
export * from './finding';
export * from './canary-pair';
export * from './stage-policy';
