/** A Service of a release plan: its type, default selector and ports. Pure data. */
import type { Labels } from './labels';

/** A Service port. */
export interface ServicePort {
  /** Port name. */
  readonly name?: string;
  /** The Service's port. */
  readonly port: number;
  /** The pods' port: a number, or the name of a container port every selected workload has (`http`). */
  readonly targetPort: number | string;
  /** Fixed node port for NodePort/LoadBalancer Services. */
  readonly nodePort?: number;
  /** TCP (default), UDP or SCTP. */
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A Service in front of the workloads. Its selector may change from stage to stage. */
export interface ReleaseService {
  /** Service name. */
  readonly name: string;
  /** ClusterIP, NodePort or LoadBalancer. */
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** The selector used by stages that do not set their own. */
  readonly selector: Labels;
  /** Ports. */
  readonly ports: readonly ServicePort[];
}
