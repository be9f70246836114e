import { renderRelease, resolveService, resolveWorkload, restrictedNamespace, type ReleaseStageProps } from '../constructs';
import { StepwiseError, StepwiseErrors, stepwiseErrorsOf, type KubeObject, type ReleaseKind, type TransitionPhase } from '../model';
import { validateObject } from '../synth/schema-validation';
import { applyOrder } from './apply-order';
import type { ReleaseRegistration } from './release-component';
import { stageOutputs } from './release-outputs';
import { awaitsRouteAccepted } from './route-accepted';

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
  // Every problem at once: the component's own args, then the construct's props.
  const problems = argProblems(args);
  let objects: KubeObject[] = [];
  try {
    objects = renderRelease(kind, props);
  } catch (error) {
    const found = stepwiseErrorsOf(error);
    if (found.length === 0) throw error;
    problems.push(...found);
  }
  if (problems.length > 0) throw new StepwiseErrors(problems);
  for (const object of objects) validateObject(object, `stepwise:index:${kind} '${name}'`);
  const workloads = props.workloads.map(resolveWorkload);
  const scaledDown = new Set(props.syncWaves?.scaledDown ?? []);
  const defaultPhases: Record<string, TransitionPhase> = {};
  for (const { workload } of workloads) defaultPhases[workload.name] = scaledDown.has(workload.name) ? 'break' : 'make';
  const namespace =
    props.namespace !== undefined && (createNamespace ?? true)
      ? restrictedNamespace(
          props.namespace,
          workloads.some((w) => w.workload.securityOverrides !== undefined),
        )
      : undefined;
  return {
    ordered: applyOrder(objects, phases ?? defaultPhases),
    namespace,
    outputs: stageOutputs({
      stage,
      fromStage: fromStage ?? stage,
      workloads,
      services: props.services.map(resolveService),
      trafficRouter: props.trafficRouter,
    }),
    // A paused workload may have rolled out before (then its await ends at once) or not (then it
    // never would): the args do not say, so no paused Deployment is awaited.
    createdPaused: workloads.filter((w) => w.state.paused).map((w) => w.workload.name),
    awaitRouteAccepted: props.trafficRouter !== undefined && awaitsRouteAccepted(props.trafficRouter.routing),
  };
}

/** What the component's own args (not the construct's props) get wrong, naming the arg. */
function argProblems(args: ReleaseComponentArgs): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const names = args.workloads.map((w) => w.name);
  for (const name of Object.keys(args.phases ?? {})) {
    if (!names.includes(name)) {
      problems.push(
        new StepwiseError({
          keyPath: `phases.${name}`,
          problem: `'${name}' is not one of the stage's workloads`,
          fix: `use one of: ${names.join(', ')}`,
        }),
      );
    }
  }
  if (args.createNamespace === true && args.namespace === undefined) {
    problems.push(
      new StepwiseError({
        keyPath: 'createNamespace',
        problem: "is true but 'namespace' is not set",
        fix: 'set namespace, or leave createNamespace out',
      }),
    );
  }
  return problems;
}
