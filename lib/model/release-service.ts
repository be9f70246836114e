/**
 * A Service of a release plan: its type, default selector and ports. Pure data; the types are
 * the output of the Service schema in lib/schema/plan-schema.ts.
 */
import type { servicePortSchema, serviceSchema } from '../schema/plan-schema';
import type { Parsed } from './parsed';

/**
 * A Service port: its name (required when the Service has several), the Service's `port`, the
 * pods' `targetPort` (a number, or the name of a container port every selected workload has;
 * `port` when the file leaves it out), a fixed `nodePort` for NodePort/LoadBalancer Services, and
 * the protocol (TCP when left out).
 */
export type ServicePort = Parsed<typeof servicePortSchema>;

/** A Service in front of the workloads: its type, the selector stages use when they set none, and its ports. Its selector may change from stage to stage. */
export interface ReleaseService extends Parsed<typeof serviceSchema> {
  /** Service name. */
  readonly name: string;
}
