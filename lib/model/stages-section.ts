/**
 * Reading the `stages` of a plan: their shape from the stage schema (lib/schema/plan-schema.ts),
 * parsed once; a stage's pod template keys merged over its workload's and parsed as a workload;
 * unique names, known workload and Service names, and keys a stage cannot change checked by hand.
 */
import { z } from 'zod';
import { stageAsWrittenSchema, stagesAsWrittenSchema } from '../schema/plan-schema';
import { STAGE_TEMPLATE_KEYS } from '../schema/workload-schema';
import { podTemplateProblems } from './api-server-rules';
import { parseWithSchema, problemWording, unwrapped } from './schema-problems';
import { type Labels } from './labels';
import { serviceSelectorProblems } from './services-section';
import { readStagePolicy } from './stage-policy';
import { PlainDataReader, closest, describe, hasOwnKey, isPlainObject } from './plain-data';
import { type ReleaseService, type Stage, type Workload, type WorkloadInStage } from './plan';
import { mergeWorkloadKeys, readWorkload } from './workload-section';

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

/**
 * Reads a plan's `stages` against its parsed workloads and Services; each stage's `traffic` goes
 * to `stageTraffic` (by index) for the traffic section. Problems go to `r`; undefined when any.
 */
export function readStages(
  r: PlainDataReader,
  value: unknown,
  workloads: readonly Workload[],
  services: readonly ReleaseService[],
  stageTraffic: unknown[],
  definitions: StageDefinitionSource,
): Stage[] | undefined {
  const errorsBefore = r.errors.length;
  const written = withoutKeysNotPerStage(r, value);
  const parsed = parseWithSchema(stagesAsWrittenSchema, written, 'stages', { size: stageWorkloadCount(written) });
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

/** How many workloads the stages list, all stages together (0 for stages that are not a list of mappings). */
function stageWorkloadCount(stages: unknown): number {
  if (!Array.isArray(stages)) return 0;
  return stages.reduce(
    (n: number, stage: unknown) => n + (isPlainObject(stage) && isPlainObject(stage.workloads) ? Object.keys(stage.workloads).length : 0),
    0,
  );
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
export interface StageDefinitionSource {
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
