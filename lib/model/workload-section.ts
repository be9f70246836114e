/**
 * Reading the `workloads` of a plan (and `defaults`, and a stage's pod template): the keys as
 * written are merged, then parsed with the workload schema once per value, then checked by the
 * rules the schema cannot say (workload-rules.ts).
 */
import { z } from 'zod';
import { workloadDefinitionSchema, WORKLOAD_DEFAULTS as SCHEMA_WORKLOAD_DEFAULTS } from '../schema/workload-schema';
import { podTemplateProblems } from './api-server-rules';
import { parseWithSchema } from './schema-problems';
import {
  labelProblems,
  objectNameProblem,
  workloadSelectorMatches,
  formatLabels,
  sortedLabels,
  type Labels,
  type WorkloadSelector,
} from './labels';
import { containerPassthroughProblems, podPassthroughProblems, type PassthroughContext } from './pod-passthrough';
import { PlainDataReader, closest, isPlainObject } from './plain-data';
import { type KubeFields, type Workload } from './plan';
import {
  containerProblems,
  deploymentSettingProblems,
  isStructuredSelector,
  volumeProblems,
  workloadSelectorProblems,
  type ParsedDefinition,
} from './workload-rules';
import './workload-wording';

/**
 * Reads a plan's `workloads` (`value`), each over `defaults`, in declaration order; `written` gets
 * each workload's keys as merged, which its stages' pod template keys are merged over. Problems go
 * to `r`; undefined when there is any.
 */
export function readWorkloads(
  r: PlainDataReader,
  value: unknown,
  defaults: Record<string, unknown>,
  commonLabels: Labels,
  written: Map<string, Record<string, unknown>>,
): Workload[] | undefined {
  // Its shape and each workload's keys are checked with the plan's own keys (parse-plan.ts).
  if (!isPlainObject(value)) return undefined;
  const map = value;
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
    const own = map[name] ?? {};
    if (!isPlainObject(own)) continue;
    const merged = mergeWorkloadKeys(defaults, own);
    written.set(name, merged);
    const at = (key: string) => `${keyPath}.${key}`;
    // A value the workload takes from `defaults` as it is is reported there, once for every workload.
    const writtenAt = (key: string) => (own[key] === undefined && defaults[key] !== undefined ? `defaults.${key}` : at(key));
    const workload = readWorkload(r, name, at, merged, commonLabels, writtenAt);
    if (workload) r.reportAll(podTemplateProblems(workload, keyPath));
    if (workload) workloads.push(workload);
  }
  return workloads.length === names.length ? workloads : undefined;
}

/**
 * Workload keys written over others (a workload's over `defaults`, a stage's over the workload's):
 * the later ones win; labels, env and podAnnotations are merged key by key.
 */
export function mergeWorkloadKeys(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...over };
  for (const mapKey of ['labels', 'env', 'podAnnotations']) {
    if (isPlainObject(base[mapKey]) && isPlainObject(over[mapKey])) {
      merged[mapKey] = { ...(base[mapKey] as object), ...(over[mapKey] as object) };
    }
  }
  return merged;
}

/** The schema of each key of a workload definition. */
const DEFINITION_SHAPE = workloadDefinitionSchema.shape as unknown as Readonly<Record<string, z.ZodType>>;
/** The keys of a workload definition parsed with their schema. */
const DEFINITION_KEYS = Object.keys(DEFINITION_SHAPE);
/** What each key of a definition is when no one writes it: the schema's defaults. */
const DEFINITION_DEFAULTS: Readonly<Record<string, unknown>> = Object.fromEntries(
  DEFINITION_KEYS.map((key) => [key, DEFINITION_SHAPE[key].parse(undefined)]),
);
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
    const parsed = parseWithSchema(DEFINITION_SHAPE[key], value, at(key), { size: 1 });
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

/**
 * One workload's definition from its keys as written (`merged`: its own over `defaults`, or a
 * stage's over those). `at` gives the key path a key is reported at in a rule about the workload;
 * `writtenAt` where a value that is wrong on its own was written (`defaults.<key>` for one taken
 * from defaults as it is).
 */
export function readWorkload(
  r: PlainDataReader,
  name: string,
  at: (key: string) => string,
  merged: Record<string, unknown>,
  commonLabels: Labels,
  writtenAt: (key: string) => string = at,
): Workload | undefined {
  const errorsBefore = r.errors.length;

  const definition = parseDefinition(r, merged, writtenAt);
  const ownLabels = definition?.labels;
  if (merged.labels === undefined) {
    r.report(at('labels'), 'is required', `give the pod labels, e.g. labels: { app: ${name}, track: stable }`);
  } else if (ownLabels) {
    r.reportAll(labelProblems(ownLabels, writtenAt('labels')));
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
    mainContainer: containerName ?? SCHEMA_WORKLOAD_DEFAULTS.containerName,
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
export function containerSpecPortNames(containerSpec: KubeFields | undefined): string[] {
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
