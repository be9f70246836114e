/**
 * Traffic routing beyond replica ratios: the `traffic` and `gitops` sections, the weight math, the
 * router objects as plain JSON, the sync waves and the list of kinds that route traffic, all pure.
 * Nothing here imports the rendering library or the constructs; the constructs that render these objects and put
 * the sync-wave annotations on them (`TrafficRouter`, `annotateSyncWaves`) are in lib/constructs.
 */
export * from '../model/gitops-section';
export * from './routed-traffic';
export * from './routing-findings';
export * from './routing-kinds';
export * from './routing-objects';
export * from './sync-waves';
export * from '../model/traffic-routing';
