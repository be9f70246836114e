import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Labels, ReleaseService } from '../model';
import { MANAGED_BY } from './workload-deployment';

/** Props of {@link ReleaseServiceObject}. */
export interface ReleaseServiceObjectProps {
  /**
   * Namespace of the Service.
   * @default - the chart's namespace, else the one it is applied to
   */
  readonly namespace?: string;
  /**
   * Labels on the Service (team, …).
   * @default - none
   */
  readonly commonLabels?: Labels;
  /** The Service's definition, every default resolved (see `resolveService`). */
  readonly service: ReleaseService;
  /** Its selector in the stage being rendered. */
  readonly selector: Labels;
}

/** One Service in one stage; only its selector changes between stages. */
export class ReleaseServiceObject extends Construct {
  /** The rendered Service. */
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: ReleaseServiceObjectProps) {
    super(scope, id);
    const { namespace, service, selector } = props;
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: service.name, namespace, labels: { ...props.commonLabels, ...MANAGED_BY } },
      type: service.type as kplus.ServiceType,
      ports: service.ports.map((p) => ({
        name: p.name,
        port: p.port,
        // cdk8s-plus takes a number only: a named targetPort is patched in below.
        targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port,
        nodePort: p.nodePort,
        protocol: p.protocol as kplus.Protocol,
      })),
    });
    for (const key of Object.keys(selector).sort()) this.service.selectLabel(key, selector[key]);
    // After cdk8s-plus's typed pass, which reads an IntOrString as an object and would drop the name.
    const named = service.ports.flatMap((p, i) =>
      typeof p.targetPort === 'string' ? [JsonPatch.add(`/spec/ports/${i}/targetPort`, p.targetPort)] : [],
    );
    if (named.length > 0) {
      const object = ApiObject.of(this.service);
      const typed = object.toJson.bind(object);
      object.toJson = () => JsonPatch.apply(typed(), ...named) as unknown;
    }
  }
}
