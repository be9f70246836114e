/**
 * A workload's pod template as the model sees it: which of its fields make up the template (a
 * change to any of them replaces every pod), an identity for the template a stage runs (the
 * image and the stage's definition), and the changes between two templates in words.
 */
import { STAGE_TEMPLATE_KEYS, type StageTemplateKey } from '../schema/workload-schema';
import { definitionIn, type PlainValue, type Workload, type WorkloadInStage } from './plan';

/** The model's name for a key a stage may change: the stack file's `container` is the model's `containerName`. */
type TemplateField<K extends StageTemplateKey> = K extends 'container' ? 'containerName' : K;

/**
 * The fields of a workload's definition that are part of its pod template: changing one replaces
 * every pod. They are the keys a stage may change (STAGE_TEMPLATE_KEYS, in that order) with the
 * two a stage may not: the labels (the workload's identity) and its security overrides.
 */
export const POD_TEMPLATE_KEYS: readonly (TemplateField<StageTemplateKey> | 'labels' | 'securityOverrides')[] = [
  'labels',
  ...STAGE_TEMPLATE_KEYS.map((key) => (key === 'container' ? 'containerName' : key) as TemplateField<typeof key>),
  'securityOverrides',
] satisfies readonly (keyof Workload)[];

const templateTexts = new WeakMap<Workload, string>();

/** The template fields of `definition` as one text, computed once per definition. */
function templateText(definition: Workload): string {
  let text = templateTexts.get(definition);
  if (text === undefined) {
    text = JSON.stringify(POD_TEMPLATE_KEYS.map((key) => definition[key] ?? null));
    templateTexts.set(definition, text);
  }
  return text;
}

/**
 * The identity of the pod template `workload` runs with in a stage where its state is `state`:
 * two states with the same identity render the same template, so moving between them rolls no
 * pod. The image alone when the stage runs the plan's definition (or one equal to it).
 */
export function podTemplateKey(workload: Workload, state: WorkloadInStage): string {
  const definition = definitionIn(workload, state);
  if (definition === workload) return state.image;
  const text = templateText(definition);
  return text === templateText(workload) ? state.image : `${state.image}\n${text}`;
}

/**
 * What differs between two definitions' pod templates, one line per changed value with its key
 * path and both values, in template order: `env.FEATURE_X off → on`,
 * `resources.limits.memory 256Mi → 512Mi`, `pod.tolerations (none) → [...]`. Empty when the
 * templates are the same, or when either is undefined (a workload created or deleted).
 */
export function templateChanges(before: Workload | undefined, after: Workload | undefined): string[] {
  if (!before || !after || before === after || templateText(before) === templateText(after)) return [];
  const changes: string[] = [];
  for (const key of POD_TEMPLATE_KEYS) {
    const from = flatten(before[key] as PlainValue | undefined, key);
    const to = flatten(after[key] as PlainValue | undefined, key);
    for (const path of [...new Set([...from.keys(), ...to.keys()])]) {
      const a = from.get(path);
      const b = to.get(path);
      if (a !== b) changes.push(`${path} ${a ?? '(none)'} → ${b ?? '(none)'}`);
    }
  }
  return changes;
}

/** Leaf values of `value` by key path under `at` (mappings walked; lists and scalars as one value each). */
function flatten(value: PlainValue | undefined, at: string, into = new Map<string, string>()): Map<string, string> {
  if (value === undefined) return into;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value)) flatten((value as Record<string, PlainValue>)[key], `${at}.${key}`, into);
    return into;
  }
  into.set(at, typeof value === 'string' ? value : JSON.stringify(value));
  return into;
}
