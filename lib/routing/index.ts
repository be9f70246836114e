/**
 * Traffic routing beyond replica ratios: the `traffic` and `gitops` sections, the weight math and
 * the router objects, all pure. The cdk8s construct (`traffic-routing.ts`) and the sync-wave
 * annotations (`sync-wave-annotations.ts`) are imported by path by the constructs, so importing
 * this module never loads cdk8s.
 */
export * from './gitops-section';
export * from './routed-traffic';
export * from './routing-findings';
export * from './routing-objects';
export * from './sync-waves';
export * from './traffic-section';
