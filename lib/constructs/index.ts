/** The cdk8s constructs that render one stage of a plan. */
export * from './batched-rollout';
export * from './canary-service';
export * from './pod-security';
export * from './release-chart';
export * from './release-service';
export * from './release-stage';
export * from './selector-cutover';
export * from './sync-wave-annotations';
export * from './traffic-router';
export * from './workload-deployment';
