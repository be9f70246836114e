import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Plan, ServiceInStage } from '../model';
import { MANAGED_BY } from './workload-deployment';

/** Props of {@link ReleaseServiceObject}. */
export interface ReleaseServiceObjectProps {
  /** The plan the Service belongs to (namespace, common labels). */
  readonly plan: Plan;
  /** The Service and its selector in the stage being rendered. */
  readonly service: ServiceInStage;
}

/** One Service of a plan in one stage; only its selector changes between stages. */
export class ReleaseServiceObject extends Construct {
  /** The rendered Service. */
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: ReleaseServiceObjectProps) {
    super(scope, id);
    const { plan, service } = props;
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: service.service.name, namespace: plan.namespace, labels: { ...plan.commonLabels, ...MANAGED_BY } },
      type: service.service.type as kplus.ServiceType,
      ports: service.service.ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.targetPort,
        nodePort: p.nodePort,
        protocol: p.protocol as kplus.Protocol,
      })),
    });
    for (const key of Object.keys(service.selector).sort()) this.service.selectLabel(key, service.selector[key]);
  }
}
