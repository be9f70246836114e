import { StepwiseError, serviceNameProblem, servicePortProblems, type Labels, type ReleaseService } from '../model';

/** A port of {@link ServiceProps}. */
export interface ServicePortProps {
  /**
   * Port name.
   * @default - unnamed (allowed when the Service has one port)
   */
  readonly name?: string;
  /** The Service's port. */
  readonly port: number;
  /**
   * The pods' port: a number, or the name of a container port of every workload the Service selects.
   * @default - `port`
   */
  readonly targetPort?: number | string;
  /**
   * Fixed node port, for a NodePort or LoadBalancer Service.
   * @default - one the cluster picks
   */
  readonly nodePort?: number;
  /**
   * The protocol.
   * @default 'TCP'
   */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** A Service in front of the workloads, with its selector in the stage being rendered. */
export interface ServiceProps {
  /** Service name; keep it across stages. */
  readonly name: string;
  /**
   * The selector in this stage. A canary pair or batched rollout selects the label every workload
   * shares (`app`) in every stage; a selector cutover moves it from one version's label to the next.
   */
  readonly selector: Labels;
  /** Ports. */
  readonly ports: readonly ServicePortProps[];
  /**
   * Service type.
   * @default 'ClusterIP'
   */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
}

/** A Service's definition and its selector in the stage, with every default resolved. */
export interface ResolvedService {
  /** The definition (its `selector` is the stage's). */
  readonly service: ReleaseService;
  /** The selector in the stage. */
  readonly selector: Labels;
}

/** `props` with every default resolved (once, here). */
export function resolveService(props: ServiceProps): ResolvedService {
  const service: ReleaseService = {
    name: props.name,
    type: props.type ?? 'ClusterIP',
    selector: props.selector,
    ports: props.ports.map((p) => ({ ...p, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? 'TCP' })),
  };
  return { service, selector: props.selector };
}

/**
 * What the API server would refuse in the stage's Services (a bad name, two ports alike, two
 * Services on one node port), with key paths under `services[i]`.
 */
export function serviceProblems(services: readonly ResolvedService[]): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const index = new Map<string, number>();
  services.forEach(({ service, selector }, i) => {
    index.set(service.name, i);
    const nameProblem = serviceNameProblem(service.name);
    if (nameProblem)
      problems.push(new StepwiseError({ keyPath: `services[${i}].name`, problem: nameProblem, fix: 'use a DNS label, e.g. api' }));
    if (Object.keys(selector).length === 0) {
      problems.push(
        new StepwiseError({
          keyPath: `services[${i}].selector`,
          problem: 'is empty: Kubernetes would manage no endpoints for the Service',
          fix: 'select the label the workloads share, e.g. { app: api }',
        }),
      );
    }
  });
  // servicePortProblems speaks of `services.<name>`; the props are a list.
  for (const problem of servicePortProblems(services.map((s) => s.service))) {
    const [, name, rest] = /^services\.([^.]+)(\..*)?$/.exec(problem.keyPath ?? '') ?? [];
    const keyPath = name !== undefined && index.has(name) ? `services[${index.get(name)}]${rest ?? ''}` : problem.keyPath;
    problems.push(new StepwiseError({ keyPath, problem: problem.problem, fix: problem.fix }));
  }
  return problems;
}
