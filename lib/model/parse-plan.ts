import { z } from 'zod';
import { objectName } from '../schema/common-schemas';
import { PLAN_KEYS, checksSchema, stageAsWrittenSchema, stagesAsWrittenSchema } from '../schema/plan-schema';
import {
  CPU_QUANTITY,
  HOST_PATH_TYPES,
  MEMORY_REQUEST_QUANTITY,
  PORT_NAME,
  PRE_STOP_HANDLERS,
  resourcesSchema,
  VOLUME_SOURCES,
  annotationMap,
  containerPortSchema,
  envValueSchema,
  volumeSchema,
  cpuSchema,
  disruptionBudgetSchema,
  memorySchema,
  securityOverridesSchema,
  strategySchema,
  PROBE_HANDLERS,
  execCommandSchema,
  probeSchema,
  workloadSchema,
  STAGE_TEMPLATE_KEYS,
  WORKLOAD_DEFAULTS as SCHEMA_WORKLOAD_DEFAULTS,
  WORKLOAD_KEYS,
} from '../schema/workload-schema';
import { parseAnalysis, type Analysis } from './analysis-section';
import { podTemplateProblems, servicePortProblems } from './api-server-rules';
import { StepwiseError, StepwiseErrors, stepwiseErrorsOf } from './errors';
import { readGitOpsSection } from './gitops-section';
import { parseWithSchema, problemWording, unwrapped } from './schema-problems';
import { kindRuleProblems } from './kind-rules';
import { LabelIndex } from './label-index';
import { isAlwaysZero, MAX_SURGE_PERCENT, type IntOrPercent } from './int-or-percent';
import {
  labelKeyProblem,
  labelValueProblem,
  objectNameProblem,
  workloadSelectorMatches,
  formatLabels,
  labelsMatch,
  sameLabels,
  sortedLabels,
  type Labels,
  type WorkloadSelector,
} from './labels';
import { labelProblems, readServices, serviceSelectorProblems } from './services-section';
import { readStagePolicy } from './stage-policy';

import { cpuMillicores, memoryMebibytes, MAX_CPU_MILLICORES, MAX_MEMORY_MEBIBYTES } from './quantities';
import { containerPassthroughProblems, fragmentProblems, podPassthroughProblems, type PassthroughContext } from './pod-passthrough';
import { INT32_MAX, PlainDataReader, closest, controlCharacterProblems, describe, hasOwnKey, isPlainObject } from './plain-data';
import {
  RELEASE_KINDS,
  definitionIn,
  type CheckSettings,
  type DeploymentStrategy,
  type KubeFields,
  type Plan,
  type PlanCore,
  type ReleaseService,
  type Resources,
  type Stage,
  type Workload,
  type WorkloadInStage,
} from './plan';
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
  const root = r.object(data, '', PLAN_KEYS);
  if (!root) return undefined;
  const kind = r.oneOf(root.kind, 'kind', RELEASE_KINDS);
  const namespace = readName(r, root.namespace, 'namespace');
  const createNamespace = r.optionalBoolean(root.createNamespace, 'createNamespace');
  const commonLabels = readLabels(r, root.labels ?? {}, 'labels');
  const defaults = r.optionalObject(root.defaults, 'defaults', WORKLOAD_KEYS) ?? {};
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
  if (!kind || !namespace || !commonLabels || !workloads || !services || !stages || !checks) return undefined;
  const core: PlanCore = {
    kind,
    namespace,
    ...(createNamespace === undefined ? {} : { createNamespace }),
    commonLabels,
    workloads,
    services,
    stages,
    checks,
  };
  return { core, sections: { traffic: root.traffic, gitops: root.gitops, analysis: root.analysis, stageTraffic } };
}

function readName(r: PlainDataReader, value: unknown, keyPath: string): string | undefined {
  const name = r.string(value, keyPath, 'use a lowercase name such as fop-gate');
  if (name === undefined) return undefined;
  const problem = objectNameProblem(name);
  if (problem) {
    r.report(keyPath, problem, 'use lowercase letters, digits and dashes, e.g. fop-gate');
    return undefined;
  }
  return name;
}

function readLabels(r: PlainDataReader, value: unknown, keyPath: string): Labels | undefined {
  const labels = r.stringMap(value, keyPath, 'quote label values, e.g. version: "2"');
  if (!labels) return undefined;
  let ok = true;
  for (const [key, v] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(v);
    if (problem) {
      r.report(`${keyPath}.${key}`, problem, 'use a valid Kubernetes label, e.g. app: fop-gate');
      ok = false;
    }
  }
  return ok ? labels : undefined;
}

function readWorkloads(
  r: PlainDataReader,
  value: unknown,
  defaults: Record<string, unknown>,
  commonLabels: Labels,
  written: Map<string, Record<string, unknown>>,
): Workload[] | undefined {
  const map = r.object(value, 'workloads');
  if (!map) return undefined;
  const names = Object.keys(map);
  if (names.length === 0) {
    r.report('workloads', 'must declare at least one workload', 'add a workload such as `app: { labels: { app: app } }`');
    return undefined;
  }
  const workloads: Workload[] = [];
  for (const name of names) {
    const keyPath = `workloads.${name}`;
    if (objectNameProblem(name)) {
      r.report(keyPath, objectNameProblem(name) as string, 'rename the workload to a lowercase name such as fop-gate-canary');
      continue;
    }
    const own = r.object(map[name] ?? {}, keyPath, WORKLOAD_KEYS);
    if (!own) continue;
    const merged = mergeWorkloadKeys(defaults, own);
    written.set(name, merged);
    const workload = readWorkload(r, name, (key) => `${keyPath}.${key}`, merged, commonLabels);
    if (workload) r.reportAll(podTemplateProblems(workload, keyPath));
    if (workload) workloads.push(workload);
  }
  return workloads.length === names.length ? workloads : undefined;
}

/**
 * Workload keys written over others (a workload's over `defaults`, a stage's over the workload's):
 * the later ones win; labels, env and podAnnotations are merged key by key.
 */
function mergeWorkloadKeys(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...over };
  for (const mapKey of ['labels', 'env', 'podAnnotations']) {
    if (isPlainObject(base[mapKey]) && isPlainObject(over[mapKey])) {
      merged[mapKey] = { ...(base[mapKey] as object), ...(over[mapKey] as object) };
    }
  }
  return merged;
}

/**
 * The keys of a workload definition parsed with their schema (lib/schema/workload-schema.ts),
 * defaults applied; the others are still read key by key in `readWorkload`. Not strict: a
 * definition is keys merged from places whose unknown keys are reported where they are written.
 */
const workloadDefinitionSchema = z.object({
  command: workloadSchema.shape.command,
  args: workloadSchema.shape.args,
  readinessProbe: workloadSchema.shape.readinessProbe,
  livenessProbe: workloadSchema.shape.livenessProbe,
  startupProbe: workloadSchema.shape.startupProbe,
  preStop: workloadSchema.shape.preStop,
  terminationGracePeriodSeconds: workloadSchema.shape.terminationGracePeriodSeconds,
  minReadySeconds: workloadSchema.shape.minReadySeconds,
  progressDeadlineSeconds: workloadSchema.shape.progressDeadlineSeconds,
  revisionHistoryLimit: workloadSchema.shape.revisionHistoryLimit,
  imagePullPolicy: workloadSchema.shape.imagePullPolicy,
  container: workloadSchema.shape.container,
  ports: workloadSchema.shape.ports,
  env: workloadSchema.shape.env,
  envFrom: workloadSchema.shape.envFrom,
  podAnnotations: workloadSchema.shape.podAnnotations,
  labels: workloadSchema.shape.labels,
  selector: workloadSchema.shape.selector,
  pod: workloadSchema.shape.pod,
  containerSpec: workloadSchema.shape.containerSpec,
  volumes: workloadSchema.shape.volumes,
  // The defaults as parsed values, not parsed again for every workload that leaves them out.
  resources: resourcesSchema.default(WORKLOAD_DEFAULTS.resources as z.output<typeof resourcesSchema>),
  strategy: strategySchema.default(WORKLOAD_DEFAULTS.strategy),
  securityOverrides: workloadSchema.shape.securityOverrides,
  disruptionBudget: disruptionBudgetSchema.default(WORKLOAD_DEFAULTS.disruptionBudget),
});

/** The Kubernetes type of each volume source passed on as written, checked against the official schema. */
const PASSED_ON_VOLUME_TYPES = {
  secret: 'SecretVolumeSource',
  persistentVolumeClaim: 'PersistentVolumeClaimVolumeSource',
  projected: 'ProjectedVolumeSource',
} as const;

problemWording.add(objectName, {
  problem: (value) =>
    typeof value === 'string' && value !== ''
      ? (objectNameProblem(value) ?? 'is not a valid name')
      : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) =>
    typeof value === 'string' && value !== ''
      ? 'use lowercase letters, digits and dashes, e.g. fop-gate'
      : 'use a lowercase name such as fop-gate',
});
problemWording.add(containerPortSchema, {
  problem: (value) =>
    typeof value === 'number'
      ? `must be a whole number from 1 to 65535, got ${describe(value)}`
      : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (typeof value === 'number' ? 'use a whole number from 1 to 65535' : 'write it as `key: value` lines'),
});
const containerPortFields = (unwrapped(containerPortSchema.options[1]) as z.ZodObject).shape;
problemWording.add(unwrapped(containerPortFields.name), {
  problem: (value) =>
    typeof value === 'string' && value !== '' ? portNameProblem(value) : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) => (typeof value === 'string' && value !== '' ? 'use a short name such as http' : 'give a non-empty string'),
});
problemWording.add(envValueSchema, {
  problem: (value) => `must be a string or { valueFrom: ... }, got ${describe(value)}`,
  fix: 'quote the value, e.g. PORT: "8080", or write valueFrom: { secretKeyRef: { name, key } }',
});
problemWording.add((unwrapped(annotationMap) as z.ZodRecord<z.ZodString, z.ZodString>).valueType, {
  problem: (value) => `must be a string, got ${describe(value)}`,
  fix: 'quote the value, e.g. "80" or "true"',
});
problemWording.add(unwrapped(volumeSchema), {
  problem: (value) =>
    isPlainObject(value)
      ? `must set exactly one of ${VOLUME_SOURCES.join(', ')} (got ${VOLUME_SOURCES.filter((key) => value[key] !== undefined).length})`
      : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'e.g. emptyDir: {}' : 'write it as `key: value` lines'),
});
const volumeShape = (unwrapped(volumeSchema) as z.ZodObject).shape;
problemWording.add(unwrapped(volumeShape.mountPath), {
  problem: (value) =>
    typeof value === 'string' && value !== '' ? 'must be an absolute path' : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) => (typeof value === 'string' && value !== '' ? 'start it with /' : 'e.g. /var/log/app'),
});
for (const [key, type] of Object.entries(PASSED_ON_VOLUME_TYPES)) {
  problemWording.add(unwrapped(volumeShape[key]), {
    problem: (value) => `must be a mapping, got ${describe(value)}`,
    fix: `write the Kubernetes ${type} as \`key: value\` lines`,
  });
}
const emptyDirShape = (unwrapped(volumeShape.emptyDir) as z.ZodObject).shape;
problemWording.add(unwrapped(emptyDirShape.sizeLimit), {
  problem: (value) => `must be a memory quantity such as 500Mi, 2Gi, 1.5Gi or 512M, got ${describe(value)}`,
  fix: 'e.g. 500Mi or 2Gi (quote it: sizeLimit: "512M")',
});
const hostPathShape = (unwrapped(volumeShape.hostPath) as z.ZodObject).shape;
problemWording.add(unwrapped(hostPathShape.path), {
  problem: (value) => `must be a non-empty string, got ${describe(value)}`,
  fix: 'the node directory, e.g. /var/log',
});
const NAMED_HOST_PATH_TYPES = HOST_PATH_TYPES.filter((t) => t !== '');
problemWording.add(unwrapped(hostPathShape.type), {
  problem: (value) => `must be a Kubernetes HostPathType (${NAMED_HOST_PATH_TYPES.join(', ')}, or "" for no check), got ${describe(value)}`,
  fix: (value) => {
    const suggestion = typeof value === 'string' ? closest(value, NAMED_HOST_PATH_TYPES) : undefined;
    return suggestion ? `did you mean '${suggestion}'?` : `use one of: ${NAMED_HOST_PATH_TYPES.join(', ')}, or leave type out`;
  },
});

/** The schema of each key of a workload definition. */
const DEFINITION_SHAPE = workloadDefinitionSchema.shape as unknown as Readonly<Record<string, z.ZodType>>;
/** The keys of a workload definition parsed with their schema. */
const DEFINITION_KEYS = Object.keys(DEFINITION_SHAPE);
/** What each key of a definition is when no one writes it: the schema's defaults. */
const DEFINITION_DEFAULTS: Readonly<Record<string, unknown>> = workloadDefinitionSchema.parse({});
/**
 * The parsed value of each mapping or list a definition key was written as, by key: the keys a
 * workload takes from `defaults`, and a stage from its workload, are the same objects in every
 * workload (and stage), and each is parsed once.
 */
const parsedValues: Readonly<Record<string, WeakMap<object, unknown>>> = Object.fromEntries(
  DEFINITION_KEYS.map((key) => [key, new WeakMap<object, unknown>()]),
);

/**
 * `merged` parsed as a workload definition, each key with its schema (`at` gives where a key's
 * problems are reported); undefined, the problems reported to `r`, when any key is wrong.
 */
function parseDefinition(
  r: PlainDataReader,
  merged: Readonly<Record<string, unknown>>,
  at: (key: string) => string,
): ParsedDefinition | undefined {
  const definition: Record<string, unknown> = {};
  let ok = true;
  for (const key of DEFINITION_KEYS) {
    const value = merged[key];
    if (value === undefined) {
      if (DEFINITION_DEFAULTS[key] !== undefined) definition[key] = DEFINITION_DEFAULTS[key];
      continue;
    }
    const cache = typeof value === 'object' && value !== null ? parsedValues[key] : undefined;
    if (cache?.has(value as object)) {
      definition[key] = cache.get(value as object);
      continue;
    }
    const parsed = parseWithSchema(DEFINITION_SHAPE[key], value, at(key));
    if ('problems' in parsed) {
      r.reportAll(parsed.problems);
      ok = false;
      continue;
    }
    definition[key] = parsed.value;
    cache?.set(value as object, parsed.value);
  }
  return ok ? (definition as ParsedDefinition) : undefined;
}

problemWording.add(unwrapped(workloadSchema.shape.pod), {
  problem: (value) => `must be a mapping, got ${describe(value)}`,
  fix: 'write PodSpec fields as `key: value` lines',
});
problemWording.add(unwrapped(workloadSchema.shape.containerSpec), {
  problem: (value) => `must be a mapping, got ${describe(value)}`,
  fix: 'write Container fields as `key: value` lines',
});

/** A workload definition as parsed so far. */
type ParsedDefinition = z.output<typeof workloadDefinitionSchema>;

const CPU_PROBLEM = (value: unknown) => `must be a CPU quantity such as 500m or 2, got ${describe(value)}`;
const CPU_FIX = 'e.g. 500m, 1 or 1.5';
const MEMORY_PROBLEM = (value: unknown) =>
  `must be a memory quantity in Mi, Gi or Ti, or another Kubernetes quantity such as 512M, 1.5Gi or 1e9, got ${describe(value)}`;
const MEMORY_FIX = 'e.g. 256Mi, 8Gi or 512M';
problemWording.add(cpuSchema, { problem: CPU_PROBLEM, fix: CPU_FIX });
problemWording.add(memorySchema, { problem: MEMORY_PROBLEM, fix: MEMORY_FIX });

const strategyShape = (unwrapped(strategySchema) as z.ZodObject).shape;
problemWording.add(unwrapped(strategySchema), {
  problem: (value) =>
    isPlainObject(value) ? "'maxSurge' and 'maxUnavailable' only apply to type RollingUpdate" : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'remove them or use type: RollingUpdate' : 'write it as `key: value` lines'),
});
problemWording.add(unwrapped(strategyShape.maxSurge), {
  problem: (value) => intOrPercentProblem(value, MAX_SURGE_PERCENT),
  fix: 'e.g. 1 or "25%"',
});
problemWording.add(unwrapped(strategyShape.maxUnavailable), {
  problem: (value) => intOrPercentProblem(value, 100),
  fix: 'e.g. 1 or "25%"',
});
problemWording.add(unwrapped(disruptionBudgetSchema), {
  problem: (value) => `must be a mapping, got ${describe(value)}`,
  fix: 'write it as `key: value` lines',
});
const budgetOptions = (unwrapped(disruptionBudgetSchema) as z.ZodUnion<[z.ZodLiteral<false>, z.ZodObject]>).options;
problemWording.add(unwrapped(budgetOptions[1].shape.maxUnavailable), {
  problem: (value) => intOrPercentProblem(value, 100),
  fix: 'e.g. 1 or "25%"',
});
const overridesShape = (unwrapped(securityOverridesSchema) as z.ZodObject).shape;
problemWording.add(unwrapped(overridesShape.reason), {
  problem: (value) => `must be a non-empty string, got ${describe(value)}`,
  fix: 'say why the workload cannot run under the restricted Pod Security Standard',
});
problemWording.add(unwrapped(overridesShape.runAsUser), {
  problem: (value) => `must be a whole number from 0 to ${INT32_MAX}, got ${describe(value)}`,
  fix: `use a whole number from 0 to ${INT32_MAX}`,
});

/**
 * What is wrong in a parsed definition's resources, strategy, disruption budget and security
 * overrides beyond their shape: a quantity stepwise cannot write exactly or that is zero or too
 * large, no request, a rollout that could never progress, a budget that blocks every drain, root
 * by user ID alone.
 */
function deploymentSettingProblems(definition: ParsedDefinition, at: (key: string) => string): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const report = (keyPath: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath, problem, fix }));
  const { resources, strategy, disruptionBudget, securityOverrides } = definition;
  for (const side of ['requests', 'limits'] as const) {
    const amounts = resources[side];
    const keyPath = `${at('resources')}.${side}`;
    // A number is checked as the quantity it writes (1e-7 cores is no quantity).
    if (amounts.cpu !== undefined) {
      if (!CPU_QUANTITY.test(amounts.cpu) || /^0+(m)?$/.test(amounts.cpu)) report(`${keyPath}.cpu`, CPU_PROBLEM(amounts.cpu), CPU_FIX);
      else problems.push(...cpuBoundProblems(amounts.cpu, `${keyPath}.cpu`));
    }
    if (amounts.memory !== undefined) {
      if (!MEMORY_REQUEST_QUANTITY.test(amounts.memory) || memoryMebibytes(amounts.memory) === 0)
        report(`${keyPath}.memory`, MEMORY_PROBLEM(amounts.memory), MEMORY_FIX);
      else problems.push(...memoryBoundProblems(amounts.memory, `${keyPath}.memory`));
    }
  }
  if (resources.requests.cpu === undefined && resources.requests.memory === undefined) {
    report(
      `${at('resources')}.requests`,
      'must request cpu or memory (the scheduler needs requests to place pods safely)',
      'add requests: { cpu: 100m, memory: 128Mi }',
    );
  }
  if (strategy.type === 'RollingUpdate' && isAlwaysZero(strategy.maxSurge) && isAlwaysZero(strategy.maxUnavailable)) {
    report(
      at('strategy'),
      "'maxSurge' and 'maxUnavailable' cannot be both zero (Kubernetes rejects it: the rollout could never progress)",
      'set maxSurge: 1 to add a pod before removing one',
    );
  }
  if (disruptionBudget !== undefined && isAlwaysZero(disruptionBudget)) {
    report(
      `${at('disruptionBudget')}.maxUnavailable`,
      'is zero, which blocks every node drain',
      'use 1, or disruptionBudget: false for none',
    );
  }
  if (securityOverrides?.runAsUser === 0 && !securityOverrides.runAsRoot) {
    report(
      `${at('securityOverrides')}.runAsUser`,
      'is 0 (root) but runAsRoot is not set',
      'set runAsRoot: true as well, or use a non-zero UID',
    );
  }
  return problems;
}

const probeFields = probeSchema.shape;
problemWording.add(probeSchema, {
  problem: (value) =>
    isPlainObject(value)
      ? `must set exactly one of ${PROBE_HANDLERS.join(', ')} (got ${PROBE_HANDLERS.filter((key) => value[key] !== undefined).length})`
      : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'e.g. tcpSocket: { port: 8080 }' : 'write it as `key: value` lines'),
});
problemWording.add(unwrapped(unwrapped(workloadSchema.shape.preStop)), {
  problem: (value) =>
    isPlainObject(value) ? `must set exactly one of ${PRE_STOP_HANDLERS.join(', ')}` : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'e.g. sleep: { seconds: 10 }' : 'write it as `key: value` lines'),
});
problemWording.add(unwrapped((unwrapped(probeFields.httpGet) as z.ZodObject).shape.path), {
  problem: (value) => `must be a non-empty string, got ${describe(value)}`,
  fix: 'e.g. /healthz',
});
problemWording.add(unwrapped((unwrapped(probeFields.grpc) as z.ZodObject).shape.port), {
  problem: (value) =>
    typeof value === 'string'
      ? `must be a port number, got ${describe(value)}`
      : `must be a whole number from 1 to 65535, got ${describe(value)}`,
  fix: (value) =>
    typeof value === 'string'
      ? 'give the number: Kubernetes does not resolve port names for gRPC probes'
      : 'use a whole number from 1 to 65535',
});
problemWording.add(unwrapped(execCommandSchema.shape.command), {
  problem: (value) => (Array.isArray(value) ? 'must list the command to run, got an empty list' : `must be a list, got ${describe(value)}`),
  fix: (value) => (Array.isArray(value) ? 'e.g. command: [cat, /tmp/ready]' : 'write it as `- item` lines'),
});

/**
 * One workload's definition from its keys as written (`merged`: its own over `defaults`, or a
 * stage's over those); `at` gives the key path a key is reported at.
 */
function readWorkload(
  r: PlainDataReader,
  name: string,
  at: (key: string) => string,
  merged: Record<string, unknown>,
  commonLabels: Labels,
): Workload | undefined {
  const errorsBefore = r.errors.length;

  const definition = parseDefinition(r, merged, at);
  const ownLabels = definition?.labels;
  if (merged.labels === undefined) {
    r.report(at('labels'), 'is required', `give the pod labels, e.g. labels: { app: ${name}, track: stable }`);
  } else if (ownLabels) {
    r.reportAll(labelProblems(ownLabels, at('labels')));
    if (Object.keys(ownLabels).length === 0) r.report(at('labels'), 'must have at least one label', `e.g. labels: { app: ${name} }`);
  }
  // Pods carry the plan's common labels too; the default selector uses only the workload's own.
  const labels = ownLabels && sortedLabels({ ...commonLabels, ...ownLabels });
  const selector = definition?.selector ?? (ownLabels ? { matchLabels: ownLabels, matchExpressions: [] } : undefined);
  if (definition?.selector) {
    const selectorProblems = workloadSelectorProblems(definition.selector, at('selector'), isStructuredSelector(merged.selector));
    r.reportAll(selectorProblems);
    if (selectorProblems.length === 0 && labels && !workloadSelectorMatches(definition.selector, labels)) {
      r.report(
        at('selector'),
        `does not select the workload's own pods (labels ${formatLabels(labels)})`,
        'make every selector label one of the workload labels',
      );
    }
  }
  const { command, args, readinessProbe, livenessProbe, startupProbe, preStop } = definition ?? {};
  const { minReadySeconds, progressDeadlineSeconds } = definition ?? {};
  for (const [key, kind] of [
    ['livenessProbe', 'liveness'],
    ['startupProbe', 'startup'],
  ] as const) {
    const successThreshold = definition?.[key]?.successThreshold;
    if (successThreshold !== undefined && successThreshold !== 1) {
      r.report(
        `${at(key)}.successThreshold`,
        `must be 1 for a ${kind} probe, got ${successThreshold}`,
        'remove successThreshold or set it to 1; only a readinessProbe may ask for several successes',
      );
    }
  }
  const containerName = definition?.container;
  const ports = definition?.ports;
  const securityOverrides = definition?.securityOverrides;
  if (definition) {
    r.reportAll(deploymentSettingProblems(definition, at));
    r.reportAll(containerProblems(definition, at));
    r.reportAll(volumeProblems(definition.volumes, at('volumes'), securityOverrides?.hostPath ?? false));
  }
  const context: PassthroughContext = {
    mainContainer: containerName ?? WORKLOAD_DEFAULTS.containerName,
    structuredKeys: new Set(Object.keys(merged).filter((key) => merged[key] !== undefined)),
    allowsHostPath: securityOverrides?.hostPath ?? false,
  };
  const pod = definition?.pod;
  const containerSpec = definition?.containerSpec;
  if (pod) r.reportAll(podPassthroughProblems(pod, at('pod'), context));
  if (containerSpec) r.reportAll(containerPassthroughProblems(containerSpec, at('containerSpec'), context));
  if (ports) {
    const named = new Set([...ports.map((p) => p.name), ...containerSpecPortNames(containerSpec)].filter((n) => n !== undefined));
    const probes = { readinessProbe, livenessProbe, startupProbe } as const;
    for (const [key, probe] of Object.entries(probes)) {
      const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
      const handler = probe?.httpGet ? 'httpGet' : 'tcpSocket';
      if (typeof port === 'string' && !named.has(port)) reportUnknownPortName(r, `${at(key)}.${handler}.port`, port, named);
    }
    if (preStop && 'httpGet' in preStop && typeof preStop.httpGet.port === 'string' && !named.has(preStop.httpGet.port)) {
      reportUnknownPortName(r, `${at('preStop')}.httpGet.port`, preStop.httpGet.port, named);
    }
  }

  if (progressDeadlineSeconds !== undefined && minReadySeconds !== undefined && progressDeadlineSeconds <= minReadySeconds) {
    r.report(
      at('progressDeadlineSeconds'),
      `must be greater than minReadySeconds (${minReadySeconds})`,
      'raise progressDeadlineSeconds or lower minReadySeconds',
    );
  }
  if (r.errors.length > errorsBefore || !definition) return undefined;
  return {
    name,
    labels: labels as Labels,
    selector: selector as WorkloadSelector,
    podAnnotations: definition.podAnnotations,
    containerName: definition.container,
    ports: definition.ports,
    command,
    args,
    env: definition.env,
    resources: definition.resources,
    readinessProbe,
    livenessProbe,
    startupProbe,
    preStop,
    terminationGracePeriodSeconds: definition.terminationGracePeriodSeconds,
    minReadySeconds: definition.minReadySeconds,
    progressDeadlineSeconds: definition.progressDeadlineSeconds,
    revisionHistoryLimit: definition.revisionHistoryLimit,
    strategy: definition.strategy,
    volumes: definition.volumes,
    imagePullPolicy: definition.imagePullPolicy,
    securityOverrides,
    disruptionBudget: definition.disruptionBudget,
    ...(definition.envFrom ? { envFrom: definition.envFrom } : {}),
    ...(pod ? { pod } : {}),
    ...(containerSpec ? { containerSpec } : {}),
  };
}

/** The port names of a `containerSpec.ports` passthrough. */
function containerSpecPortNames(containerSpec: KubeFields | undefined): string[] {
  const ports = containerSpec?.ports;
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((p) => (isPlainObject(p) && typeof p.name === 'string' ? [p.name] : []));
}

function reportUnknownPortName(r: PlainDataReader, keyPath: string, port: string, named: ReadonlySet<string>): void {
  const suggestion = closest(port, [...named]);
  r.report(
    keyPath,
    `'${port}' is not the name of a port of the container${named.size > 0 ? ` (its ports are named ${[...named].join(', ')})` : ' (it has no named port)'}`,
    suggestion
      ? `did you mean '${suggestion}'?`
      : 'name the port under ports, e.g. - { name: http, containerPort: 8080 }, or give the port number',
  );
}

/** What is wrong with `value` where a count or a percentage up to `maxPercent` belongs. */
function intOrPercentProblem(value: unknown, maxPercent: number): string {
  const range = typeof value === 'number' && value > INT32_MAX ? `from 0 to ${INT32_MAX}` : '>= 0';
  const percent = maxPercent === 100 ? 'a percentage from "0%" to "100%"' : 'a percentage like "25%"';
  return `must be a whole number ${range} or ${percent}, got ${describe(value)}`;
}

/**
 * What is wrong in a parsed definition's container beyond its shape: a port name the API server
 * refuses, an environment variable's `valueFrom` or an `envFrom` source Kubernetes would not take.
 */
function containerProblems(definition: ParsedDefinition, at: (key: string) => string): StepwiseError[] {
  const problems: StepwiseError[] = [];
  definition.ports.forEach((port, i) => {
    // An IANA service name, as the API server checks it: no '--' either.
    if (port.name !== undefined && !PORT_NAME.test(port.name)) {
      problems.push(
        new StepwiseError({
          keyPath: `${at('ports')}[${i}].name`,
          problem: portNameProblem(port.name),
          fix: 'use a short name such as http',
        }),
      );
    }
  });
  const container = definition.container;
  for (const [key, value] of Object.entries(definition.env)) {
    if (typeof value === 'string') continue;
    problems.push(
      ...fragmentProblems(value.valueFrom, 'EnvVarSource', `${at('env')}.${key}.valueFrom`, {
        kind: 'Container',
        object: { name: container, env: [{ name: key, valueFrom: value.valueFrom }] },
        prefix: '/env/0/valueFrom',
      }),
    );
  }
  if (definition.envFrom) {
    problems.push(
      ...fragmentProblems(definition.envFrom, 'EnvFromSource[]', at('envFrom'), {
        kind: 'Container',
        object: { name: container, envFrom: definition.envFrom },
        prefix: '/envFrom',
      }),
    );
  }
  return problems;
}

/** What is wrong with a named container port, as the API server sees it. */
function portNameProblem(name: string): string {
  return `'${name}' must be at most 15 lowercase letters, digits and single '-', with at least one letter`;
}

/**
 * What is wrong in parsed volumes beyond their shape: two with one name, a size limit or node path
 * Kubernetes refuses, a hostPath without the override, a Secret, PVC or projected source the
 * official schema refuses. Key paths under `keyPath`, the workload's `volumes`.
 */
function volumeProblems(volumes: ParsedDefinition['volumes'], keyPath: string, allowsHostPath: boolean): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const report = (at: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath: at, problem, fix }));
  const seen = new Set<string>();
  volumes.forEach((volume, i) => {
    const at = `${keyPath}[${i}]`;
    if (seen.has(volume.name)) report(`${at}.name`, `'${volume.name}' is used by another volume`, 'give each volume its own name');
    seen.add(volume.name);
    const source = volume.source;
    if ('emptyDir' in source && source.emptyDir.sizeLimit !== undefined) {
      problems.push(...memoryBoundProblems(source.emptyDir.sizeLimit, `${at}.emptyDir.sizeLimit`));
    }
    if ('hostPath' in source) {
      if (source.hostPath.path.split('/').includes('..')) {
        report(
          `${at}.hostPath.path`,
          `must not contain a '..' element, got ${describe(source.hostPath.path)}`,
          'name the directory itself, e.g. /var/log',
        );
      }
      if (!allowsHostPath) {
        report(
          `${at}.hostPath`,
          'is forbidden by the restricted Pod Security Standard',
          'add securityOverrides: { hostPath: true, reason: "..." } to the workload if the node path is really needed',
        );
      }
    }
    for (const [key, type] of Object.entries(PASSED_ON_VOLUME_TYPES)) {
      const fields = (source as Record<string, KubeFields>)[key];
      if (fields === undefined) continue;
      problems.push(
        ...fragmentProblems(fields, type, `${at}.${key}`, {
          kind: 'PodSpec',
          object: { containers: [{ name: 'main' }], volumes: [{ name: 'volume', [key]: fields }] },
          prefix: `/volumes/0/${key}`,
        }),
      );
    }
  });
  return problems;
}

/** True when a selector is written with `matchLabels` or `matchExpressions` rather than as plain labels. */
function isStructuredSelector(written: unknown): boolean {
  return isPlainObject(written) && (hasOwnKey(written, 'matchLabels') || hasOwnKey(written, 'matchExpressions'));
}

/**
 * What is wrong in a parsed Deployment selector beyond its shape: labels Kubernetes refuses,
 * values that do not fit their operator, or nothing selected at all. Key paths under `keyPath`.
 */
function workloadSelectorProblems(selector: WorkloadSelector, keyPath: string, structured: boolean): StepwiseError[] {
  const problems = labelProblems(selector.matchLabels, structured ? `${keyPath}.matchLabels` : keyPath);
  const report = (at: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath: at, problem, fix }));
  selector.matchExpressions.forEach(({ key, operator, values }, i) => {
    const at = `${keyPath}.matchExpressions[${i}]`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) report(`${at}.key`, keyProblem, 'select on a label key of the pods, e.g. track');
    values.forEach((value, j) => {
      const problem = labelValueProblem(value);
      if (problem) report(`${at}.values[${j}]`, problem, 'use label values of the pods, e.g. stable');
    });
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      report(`${at}.values`, `must not be empty for operator ${operator}`, 'list at least one value');
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      report(`${at}.values`, `must be empty for operator ${operator}`, 'remove values');
    }
  });
  if (problems.length === 0 && Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0) {
    report(keyPath, 'must not be empty (an empty selector selects every pod in the namespace)', 'select on the workload labels');
  }
  return problems;
}

/** A problem when a CPU quantity is more than {@link MAX_CPU_MILLICORES}. */
function cpuBoundProblems(quantity: string, keyPath: string): StepwiseError[] {
  if (cpuMillicores(quantity) <= MAX_CPU_MILLICORES) return [];
  return [
    new StepwiseError({
      keyPath,
      problem: `must be at most ${MAX_CPU_MILLICORES}m (${MAX_CPU_MILLICORES / 1000} cores), got ${describe(quantity)}`,
      fix: 'give the CPU the container needs, e.g. 500m or 4',
    }),
  ];
}

/** A problem when a memory quantity is more than {@link MAX_MEMORY_MEBIBYTES}. */
function memoryBoundProblems(quantity: string, keyPath: string): StepwiseError[] {
  if (memoryMebibytes(quantity) <= MAX_MEMORY_MEBIBYTES) return [];
  return [
    new StepwiseError({
      keyPath,
      problem: `must be at most ${MAX_MEMORY_MEBIBYTES}Mi (${Math.floor(MAX_MEMORY_MEBIBYTES / 1024 ** 2)}Ti), got ${describe(quantity)}`,
      fix: 'give the memory the container needs, e.g. 512Mi or 8Gi',
    }),
  ];
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

problemWording.add(stagesAsWrittenSchema, {
  problem: (value) => (Array.isArray(value) ? 'must list at least one stage' : `must be a list, got ${describe(value)}`),
  fix: (value) => (Array.isArray(value) ? 'add the stage the cluster is in now, e.g. - name: baseline' : 'write it as `- item` lines'),
});

problemWording.add(unwrapped(stageAsWrittenSchema.shape.name), {
  problem: (value) =>
    typeof value === 'string' && value !== ''
      ? `'${value}' must be ${value.length > 63 ? 'at most 63 characters: ' : ''}lowercase letters, digits and '-'`
      : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) => (typeof value === 'string' && value !== '' ? 'e.g. canary-image' : 'name the stage, e.g. canary'),
});

const stageWorkloadFields = (stageAsWrittenSchema.shape.workloads as unknown as z.ZodRecord<z.ZodString, z.ZodObject>).valueType.shape;
problemWording.add(unwrapped(stageWorkloadFields.image), {
  problem: (value) =>
    typeof value === 'string' && value !== ''
      ? `must not contain spaces, got ${describe(value)}`
      : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) =>
    typeof value === 'string' && value !== ''
      ? 'give the image reference only'
      : 'give the image with a tag or digest, e.g. registry.example.com/app:1.4.2',
});

/** A stage as written, its shape checked. */
type StageAsWritten = z.output<typeof stageAsWrittenSchema>;

function readStages(
  r: PlainDataReader,
  value: unknown,
  workloads: readonly Workload[],
  services: readonly ReleaseService[],
  stageTraffic: unknown[],
  definitions: StageDefinitionSource,
): Stage[] | undefined {
  const errorsBefore = r.errors.length;
  const parsed = parseWithSchema(stagesAsWrittenSchema, withoutKeysNotPerStage(r, value), 'stages');
  if ('problems' in parsed) {
    r.reportAll(parsed.problems);
    return undefined;
  }
  if (r.errors.length > errorsBefore) return undefined;
  const seen = new Set<string>();
  const stages = parsed.value.map((s, i): Stage | undefined => {
    const at = `stages[${i}]`;
    if (seen.has(s.name)) r.report(`${at}.name`, `'${s.name}' is used by an earlier stage`, 'give every stage its own name');
    seen.add(s.name);
    const stageWorkloads = readStageWorkloads(r, s.workloads, `${at}.workloads`, workloads, definitions);
    const serviceSelectors = readStageServices(r, s.services, `${at}.services`, services);
    stageTraffic[i] = s.traffic;
    const policy = readStagePolicy(r, s.name, s, at);
    if (!stageWorkloads || !serviceSelectors) return undefined;
    return { name: s.name, description: s.description, workloads: stageWorkloads, serviceSelectors, policy };
  });
  return r.errors.length > errorsBefore ? undefined : (stages as Stage[]);
}

/**
 * `stages` with the workload keys a stage cannot change taken out of its workloads, each
 * reported: they are the workload's, and saying why reads better than "is not a known key".
 */
function withoutKeysNotPerStage(r: PlainDataReader, stages: unknown): unknown {
  if (!Array.isArray(stages)) return stages;
  return stages.map((stage: unknown, i) => {
    if (!isPlainObject(stage) || !isPlainObject(stage.workloads)) return stage;
    const written = stage.workloads;
    let kept: Record<string, unknown> | undefined;
    for (const name in written) {
      const w = written[name];
      if (!isPlainObject(w) || !Object.keys(w).some((key) => hasOwnKey(NOT_PER_STAGE, key))) continue;
      const own: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(w)) {
        if (!hasOwnKey(NOT_PER_STAGE, key)) own[key] = value;
        else {
          r.report(
            `stages[${i}].workloads.${name}.${key}`,
            `cannot change per stage: ${NOT_PER_STAGE[key]}`,
            `set it on the workload (workloads.${name}.${key}) instead`,
          );
        }
      }
      kept ??= { ...written };
      kept[name] = own;
    }
    return kept ? { ...stage, workloads: kept } : stage;
  });
}

/** What a stage's template keys are merged over: each workload's keys as written, and the plan's common labels. */
interface StageDefinitionSource {
  /** Each workload's keys as written (its own over `defaults`), by name. */
  readonly written: ReadonlyMap<string, Record<string, unknown>>;
  /** The plan's labels, which every pod carries. */
  readonly commonLabels: Labels;
}

/** Workload keys a stage cannot change, with why. */
const NOT_PER_STAGE: Readonly<Record<string, string>> = {
  labels: "the pod labels are the workload's identity (Services and the selector select them)",
  selector: "a Deployment's selector cannot change in Kubernetes",
  strategy: 'how a workload rolls out is the same in every stage, so every stage is judged by one rule',
  minReadySeconds: 'a Deployment setting, the same in every stage',
  progressDeadlineSeconds: 'a Deployment setting, the same in every stage',
  revisionHistoryLimit: 'a Deployment setting, the same in every stage',
  disruptionBudget: 'a PodDisruptionBudget setting, the same in every stage',
  securityOverrides: 'departures from the restricted standard are reviewed once, on the workload',
};

function readStageWorkloads(
  r: PlainDataReader,
  written: StageAsWritten['workloads'],
  keyPath: string,
  workloads: readonly Workload[],
  definitions: StageDefinitionSource,
): Record<string, WorkloadInStage> | undefined {
  const known = workloads.map((w) => w.name);
  const errorsBefore = r.errors.length;
  reportUnknownNames(r, Object.keys(written), known, keyPath);
  // No prototype: every reader asks `stage.workloads[name]` for workloads the stage may leave out,
  // and a workload named `constructor` must not find Object's constructor there.
  const result: Record<string, WorkloadInStage> = Object.create(null) as Record<string, WorkloadInStage>;
  // Declaration order, not the stage's order, so that rendering never depends on how a stage lists them.
  for (const name of known) {
    if (!hasOwnKey(written, name)) continue;
    const at = `${keyPath}.${name}`;
    const w = written[name];
    const template = stageTemplate(w);
    let definition: Workload | undefined;
    if (template) {
      const merged = mergeWorkloadKeys(definitions.written.get(name) ?? {}, template);
      const before = r.errors.length;
      definition = readWorkload(
        r,
        name,
        (key) => `${hasOwnKey(template, key) ? at : `workloads.${name}`}.${key}`,
        merged,
        definitions.commonLabels,
      );
      if (definition) r.reportAll(podTemplateProblems(definition, at));
      if (!definition || r.errors.length > before) continue;
    }
    result[name] = { replicas: w.replicas, image: w.image, paused: w.paused, ...(definition ? { definition } : {}) };
  }
  return r.errors.length > errorsBefore ? undefined : result;
}

/** The pod template keys a stage writes for a workload, or undefined when it writes none. */
function stageTemplate(written: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  let template: Record<string, unknown> | undefined;
  for (const key of STAGE_TEMPLATE_KEYS) {
    if (written[key] === undefined) continue;
    template ??= {};
    template[key] = written[key];
  }
  return template;
}

/** Reports each of `names` not among `known` as an unknown key under `keyPath`, with the closest known one. */
function reportUnknownNames(r: PlainDataReader, names: readonly string[], known: readonly string[], keyPath: string): void {
  const knownNames = new Set(known);
  for (const name of names) {
    if (knownNames.has(name)) continue;
    const suggestion = closest(name, known);
    r.report(`${keyPath}.${name}`, 'is not a known key', suggestion ? `did you mean '${suggestion}'?` : `use one of: ${known.join(', ')}`);
  }
}

function readStageServices(
  r: PlainDataReader,
  written: StageAsWritten['services'],
  keyPath: string,
  services: readonly ReleaseService[],
): Record<string, Labels> | undefined {
  const map = written ?? {};
  const errorsBefore = r.errors.length;
  reportUnknownNames(
    r,
    Object.keys(map),
    services.map((s) => s.name),
    keyPath,
  );
  const result: Record<string, Labels> = {};
  for (const service of services) {
    const entry = hasOwnKey(map, service.name) ? map[service.name] : undefined;
    if (entry === undefined) {
      result[service.name] = service.selector;
      continue;
    }
    r.reportAll(serviceSelectorProblems(entry.selector, `${keyPath}.${service.name}.selector`));
    result[service.name] = entry.selector;
  }
  return r.errors.length > errorsBefore ? undefined : result;
}

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
