import { z } from 'zod';
import { checksSchema, planSchema } from '../schema/plan-schema';
import { WORKLOAD_DEFAULTS as SCHEMA_WORKLOAD_DEFAULTS, WORKLOAD_KEYS } from '../schema/workload-schema';
import { parseAnalysis, type Analysis } from './analysis-section';
import { servicePortProblems } from './api-server-rules';
import { StepwiseError, StepwiseErrors, stepwiseErrorsOf } from './errors';
import { readGitOpsSection } from './gitops-section';
import { parseWithSchema, problemWording, unwrapped } from './schema-problems';
import { kindRuleProblems } from './kind-rules';
import { LabelIndex } from './label-index';
import { type IntOrPercent } from './int-or-percent';
import { labelProblems, workloadSelectorMatches, formatLabels, labelsMatch, sameLabels, type Labels } from './labels';
import { readServices } from './services-section';
import { PlainDataReader, controlCharacterProblems, hasOwnKey, isPlainObject } from './plain-data';
import {
  definitionIn,
  type CheckSettings,
  type DeploymentStrategy,
  type Plan,
  type PlanCore,
  type ReleaseService,
  type Resources,
  type Stage,
  type Workload,
} from './plan';
import { readStages } from './stages-section';
import { containerSpecPortNames, readWorkloads } from './workload-section';
import { intOrPercentProblem } from './workload-wording';
import { isWeighted } from './traffic-routing';
import { readTrafficSection } from './traffic-section';

export { CPU_QUANTITY, HOST_PATH_TYPES, MEMORY_QUANTITY, MEMORY_REQUEST_QUANTITY } from '../schema/workload-schema';

/** Defaults for workload fields a stack leaves out; documented in docs/stack-file.md. */
export const WORKLOAD_DEFAULTS = {
  ...SCHEMA_WORKLOAD_DEFAULTS,
  resources: SCHEMA_WORKLOAD_DEFAULTS.resources as Resources,
  strategy: SCHEMA_WORKLOAD_DEFAULTS.strategy as DeploymentStrategy,
  disruptionBudget: SCHEMA_WORKLOAD_DEFAULTS.disruptionBudget as IntOrPercent,
};

/**
 * Parses and validates a plan from plain data (a stack file's `stepwise:plan`, or Pulumi config).
 * Throws `StepwiseErrors` listing every problem with its key path (relative to the plan) and fix.
 */
export function parsePlan(data: unknown): Plan {
  const { plan, problems } = parsePlanWithProblems(data);
  if (problems.length > 0 || !plan) throw new StepwiseErrors(problems);
  return plan;
}

/** A plan read from plain data, and every problem found in it. */
export interface PlanWithProblems {
  /**
   * The plan, when every field could be read; it may still break a rule (an API server rule, a
   * kind rule, overlapping selectors), and then `problems` says which.
   */
  readonly plan?: Plan;
  /** What `parsePlan` would throw; empty for a valid plan. */
  readonly problems: readonly StepwiseError[];
}

/**
 * `parsePlan` without the throw: the problems, and the plan as far as its fields could be read.
 * For tools that must see what Kubernetes makes of a plan stepwise refuses (the validation
 * differential test renders such plans to show the API server refuses them too); everything else
 * wants `parsePlan`. The kind rules run only on a plan with no other problem, and the problems of
 * the sections (`traffic`, `gitops`, `analysis`) are reported only for a plan with none either,
 * as in `parsePlan`: each section is read against a core that is itself valid.
 */
export function parsePlanWithProblems(data: unknown): PlanWithProblems {
  const reader = new PlainDataReader();
  const read = readPlan(reader, data);
  if (!read) return { problems: reader.errors };
  const coreProblems = reader.errors.length > 0 ? reader.errors : kindRuleProblems(read.core);
  const sections = readSections(read.core, read.sections);
  const plan = sections.plan;
  return { plan, problems: coreProblems.length > 0 ? coreProblems : sections.problems };
}

/** The sections of a plan as written, read once the core is. */
interface RawSections {
  readonly traffic: unknown;
  readonly gitops: unknown;
  readonly analysis: unknown;
  /** Each stage's `traffic` weights, by stage index. */
  readonly stageTraffic: readonly unknown[];
}

/**
 * The whole plan: `core` with its sections read, each on its own so that a problem in one does
 * not hide those in another. An `analysis` left out (or null) is no gate, not a problem.
 */
function readSections(core: PlanCore, raw: RawSections): { plan?: Plan; problems: readonly StepwiseError[] } {
  const r = new PlainDataReader();
  const traffic = readTrafficSection(r, core, raw.traffic, raw.stageTraffic);
  const gitops = readGitOpsSection(r, raw.gitops);
  let analysis: Analysis | undefined;
  if (raw.analysis !== undefined && raw.analysis !== null) {
    try {
      analysis = parseAnalysis(raw.analysis, 'analysis');
    } catch (error) {
      const found = stepwiseErrorsOf(error);
      if (found.length === 0) throw error;
      r.reportAll(found);
    }
  }
  if (r.errors.length > 0 || !traffic || !gitops) return { problems: r.errors };
  const stages = isWeighted(traffic) ? core.stages.map((stage, i) => ({ ...stage, traffic: traffic.stageWeights[i] })) : core.stages;
  return { plan: { ...core, stages, traffic, gitops, ...(analysis ? { analysis } : {}) }, problems: [] };
}

function readPlan(r: PlainDataReader, data: unknown): { core: PlanCore; sections: RawSections } | undefined {
  r.reportAll(controlCharacterProblems(data));
  const parsed = parseWithSchema(planRootSchema, data, '', { size: 1 });
  if ('problems' in parsed) r.reportAll(parsed.problems);
  // The rest is read from the plan as written even when its own keys are wrong, so that every problem is reported at once.
  if (!isPlainObject(data)) return undefined;
  const root = data;
  const own = 'value' in parsed ? parsed.value : undefined;
  const commonLabels = own && labelsOf(r, own.labels);
  const defaults = isPlainObject(root.defaults) ? root.defaults : {};
  const written = new Map<string, Record<string, unknown>>();
  const workloads = readWorkloads(r, root.workloads, defaults, commonLabels ?? {}, written);
  const services = readServices(r, root.services);
  if (services) r.reportAll(servicePortProblems(services));
  const checks = readChecks(r, root.checks);
  const stageTraffic: unknown[] = [];
  const stages =
    workloads && services
      ? readStages(r, root.stages, workloads, services, stageTraffic, { written, commonLabels: commonLabels ?? {} })
      : undefined;
  if (workloads && services && stages) r.reportAll(namedTargetPortProblems(workloads, services, stages));
  if (workloads) checkSelectorsDoNotOverlap(r, workloads, (name) => writesSelector(root.workloads, defaults, name));
  if (!own || !commonLabels || !workloads || !services || !stages || !checks) return undefined;
  const core: PlanCore = {
    kind: own.kind,
    namespace: own.namespace,
    ...(own.createNamespace === undefined ? {} : { createNamespace: own.createNamespace }),
    commonLabels,
    workloads,
    services,
    stages,
    checks,
  };
  return { core, sections: { traffic: root.traffic, gitops: root.gitops, analysis: root.analysis, stageTraffic } };
}

/**
 * The plan's own keys: `kind`, `namespace`, `createNamespace` and `labels` parsed; `defaults` and
 * each workload checked for unknown keys (their values are parsed per workload, merged); the other
 * sections are read on their own, against the rest of the plan.
 */
const workloadKeysSchema = z.strictObject(
  Object.fromEntries(WORKLOAD_KEYS.map((key) => [key, z.unknown().optional()])) as Record<string, z.ZodOptional<z.ZodUnknown>>,
);
const planRootSchema = z.strictObject({
  ...planSchema.shape,
  labels: planSchema.shape.labels.default({}),
  defaults: workloadKeysSchema.nullable().optional(),
  workloads: z.record(z.string(), workloadKeysSchema.nullable()),
  services: z.unknown().optional(),
  stages: z.unknown().optional(),
  checks: z.unknown().optional(),
  traffic: z.unknown().optional(),
  analysis: z.unknown().optional(),
  gitops: z.unknown().optional(),
});

/** The plan's labels, or undefined when Kubernetes would refuse one (reported). */
function labelsOf(r: PlainDataReader, labels: Labels): Labels | undefined {
  const problems = labelProblems(labels, 'labels');
  r.reportAll(problems);
  return problems.length === 0 ? labels : undefined;
}

function readChecks(r: PlainDataReader, value: unknown): CheckSettings | undefined {
  const parsed = parseWithSchema(checksSchema.optional(), value, 'checks');
  if ('problems' in parsed) {
    r.reportAll(parsed.problems);
    return undefined;
  }
  const capacityFloor = parsed.value?.capacityFloor as IntOrPercent | undefined;
  return capacityFloor === undefined ? {} : { capacityFloor };
}

problemWording.add(unwrapped(checksSchema.shape.capacityFloor), {
  problem: (value) => intOrPercentProblem(value, 100),
  fix: 'e.g. 1 or "25%"',
});

/**
 * A Service `targetPort` given by name must name a container port of every workload the Service
 * selects, in every stage (with the stage's pod template): the endpoints of a workload without it
 * would be dropped, and the Service would send it nothing.
 */
function namedTargetPortProblems(
  workloads: readonly Workload[],
  services: readonly ReleaseService[],
  stages: readonly Stage[],
): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const reported = new Set<string>();
  for (const service of services) {
    service.ports.forEach((port, i) => {
      if (typeof port.targetPort !== 'string') return;
      for (const stage of stages) {
        const selector = stage.serviceSelectors[service.name];
        for (const workload of workloads) {
          const state = stage.workloads[workload.name];
          if (!state || !labelsMatch(selector, workload.labels)) continue;
          const definition = definitionIn(workload, state);
          if (containerPortNames(definition).includes(port.targetPort) || reported.has(`${i}/${workload.name}`)) continue;
          reported.add(`${i}/${workload.name}`);
          problems.push(
            new StepwiseError({
              keyPath: `services.${service.name}.ports[${i}].targetPort`,
              problem: `'${port.targetPort}' is not the name of a port of workload '${workload.name}', which the Service selects in stage '${stage.name}': its pods would get no traffic`,
              fix: `name a port of '${workload.name}' ${port.targetPort} (ports: - { name: ${port.targetPort}, containerPort: ... }), or give targetPort as a number`,
            }),
          );
        }
      }
    });
  }
  return problems;
}

/** The names of the main container's ports (the `ports` key and a `containerSpec.ports` passthrough). */
function containerPortNames(workload: Workload): string[] {
  return [...workload.ports.flatMap((p) => (p.name === undefined ? [] : [p.name])), ...containerSpecPortNames(workload.containerSpec)];
}

/** True when the stack file writes a selector for workload `name` (its own, or under `defaults`), rather than leaving it to the labels. */
function writesSelector(workloads: unknown, defaults: Record<string, unknown>, name: string): boolean {
  if (defaults.selector !== undefined) return true;
  const own = isPlainObject(workloads) && hasOwnKey(workloads, name) ? workloads[name] : undefined;
  return isPlainObject(own) && own.selector !== undefined;
}

/**
 * Two workloads with identical pod labels: no Service, PodDisruptionBudget or autoscaler selector
 * can tell their pods apart, so no cutover can move traffic between them. (Selectors that merely
 * overlap are allowed: the Deployment controllers keep the pods apart by controller references,
 * and `check` warns about what does not, see lib/model/workload-overlap.ts.) Reported once per
 * pair, at the later workload's `selector` when the file writes one, else at its `labels`, so the
 * key path is always one the file has.
 */
function checkSelectorsDoNotOverlap(
  r: PlainDataReader,
  workloads: readonly Workload[],
  hasWrittenSelector: (name: string) => boolean,
): void {
  const byLabel = new LabelIndex(workloads, (w) => w.labels);
  const order = new Map(workloads.map((w, i) => [w, i]));
  for (const [i, a] of workloads.entries()) {
    for (const b of byLabel.candidates(a.selector.matchLabels)) {
      if ((order.get(b) ?? i) < i && sameLabels(a.labels, b.labels) && workloadSelectorMatches(a.selector, b.labels)) {
        const written = hasWrittenSelector(a.name);
        r.report(
          `workloads.${a.name}.${written ? 'selector' : 'labels'}`,
          `its pods carry the same labels as the pods of workload '${b.name}' (${formatLabels(b.labels)}): no Service or PodDisruptionBudget selector could tell the two Deployments' pods apart`,
          `give '${a.name}' a label '${b.name}' does not have (e.g. version: v2)${written ? ' and include it in its selector' : ''}`,
        );
      }
    }
  }
}
