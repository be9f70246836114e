/** The stack file's schema: its shape, inferred types, the published JSON Schema and the reference page. */
export * from './common-schemas';
export * from './workload-schema';
export * from './traffic-schema';
export * from './analysis-schema';
export * from './plan-schema';
export * from './stack-file-schema';
export * from './json-schema';
export * from './stack-file-reference';
