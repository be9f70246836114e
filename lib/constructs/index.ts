/** The cdk8s constructs that render one stage of a release, and the stack-file front end that feeds them a plan's stage. */
export * from './batched-rollout';
export * from './canary-service';
export * from './plan-stage-props';
export * from './pod-security';
export * from './release-chart';
export * from './release-namespace';
export * from './release-service';
export * from './release-stage';
export * from './release-stage-props';
export * from './selector-cutover';
export * from './service-props';
export * from './stage-rules';
export * from './sync-wave-annotations';
export * from './traffic-router';
export * from './workload-deployment';
export * from './workload-props';
