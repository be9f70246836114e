import type { TransitionPhase } from '../model';
import { renderRelease, resolveService, resolveWorkload, restrictedNamespace, type ReleaseStageProps } from '../constructs';
import type { ReleaseKind } from '../model';
import { validateObject } from '../synth/schema-validation';
import { applyOrder } from './apply-order';
import type { ReleaseRegistration } from './release-component';
import { stageOutputs } from './release-outputs';

/**
 * Args of a release component: one stage, stated as the cdk8s constructs take it (workloads with
 * this stage's replicas and image, Services with this stage's selectors, an optional router),
 * plus what a `pulumi up` of it needs to know.
 */
export interface ReleaseComponentArgs extends ReleaseStageProps {
  /** The stage's name, exported as the `stage` output (e.g. `canary`). */
  readonly stage: string;
  /**
   * The stage the cluster is in before this update, exported as the `fromStage` output.
   * @default - `stage`
   */
  readonly fromStage?: string;
  /**
   * How this update changes each workload, by name, for make-before-break: `make` (created,
   * scaled up or given a new image: applied first, and awaited until ready), `break` (scaled
   * down: applied once the Services and router objects are), `none` (unchanged: not ordered).
   * @default - `break` for the workloads in `syncWaves.scaledDown`, `make` for every other: the
   * Services and router objects wait for every Deployment
   */
  readonly phases?: Readonly<Record<string, TransitionPhase>>;
  /**
   * Create `namespace`, enforcing the restricted Pod Security Standard (only warning and
   * auditing when a workload has `securityOverrides`), and keep it when the stack is destroyed.
   * @default - true when `namespace` is set
   */
  readonly createNamespace?: boolean;
}

/**
 * What a component of practice `kind` named `name` registers for `args`: the objects the cdk8s
 * construct of `kind` renders, each validated against its Kubernetes schema. Throws
 * StepwiseErrors naming the arg (`workloads[1].replicas`) before anything registers.
 */
export function registrationFromArgs(kind: ReleaseKind, name: string, args: ReleaseComponentArgs): ReleaseRegistration {
  const { stage, fromStage, phases, createNamespace, ...props } = args;
  const objects = renderRelease(kind, props);
  for (const object of objects) validateObject(object, `stepwise:index:${kind} '${name}'`);
  const workloads = props.workloads.map(resolveWorkload);
  const scaledDown = new Set(props.syncWaves?.scaledDown ?? []);
  const defaultPhases = Object.fromEntries(
    workloads.map(({ workload }) => [workload.name, scaledDown.has(workload.name) ? 'break' : 'make']),
  );
  const namespace =
    props.namespace !== undefined && (createNamespace ?? true)
      ? restrictedNamespace(
          props.namespace,
          workloads.some((w) => w.workload.securityOverrides !== undefined),
        )
      : undefined;
  return {
    ordered: applyOrder(objects, phases ?? (defaultPhases as Record<string, TransitionPhase>)),
    namespace,
    outputs: stageOutputs({
      stage,
      fromStage: fromStage ?? stage,
      workloads,
      services: props.services.map(resolveService),
      trafficRouter: props.trafficRouter,
    }),
  };
}
