/**
 * The Pulumi components, for a Pulumi program of your own: `CanaryService`, `BatchedRollout` and
 * `SelectorCutover` take one stage as typed args (no stack file), and `deployStack` deploys a
 * stage of a stack file. Import this, never `lib/pulumi/index` (that is the stepwise program).
 */
export * from './batched-rollout';
export * from './canary-service';
export * from './deploy-stack';
export * from './release-component';
export * from './release-component-args';
export * from './release-outputs';
export * from './selector-cutover';
