/** Handing a plan's release to a progressive-delivery controller: Argo Rollouts or Flagger. */
export * from './argo-rollout';
export * from './flagger-analysis';
export * from './flagger-canary';
export * from './hand-over';
