/**
 * Whether a live Deployment runs the pod template a stage renders, robust to what the API server
 * adds and rewrites when it stores the object: every field stepwise renders must be there with the
 * same value, while fields it does not render (defaults such as `terminationMessagePath`, a probe's
 * `timeoutSeconds`, an annotation `kubectl rollout restart` adds) are ignored. Values are compared
 * as the API server would have stored them:
 *  - a zero value stepwise renders (`readOnly: false`, `""`, `[]`, `{}`) equals a missing field,
 *    since the API server drops the fields it marks `omitempty`;
 *  - resource quantities compare by amount (`1024Mi` is `1Gi`, `1000m` is `1`);
 *  - lists compare item by item and must be as long (no env var, arg or container more or less);
 *    lists of named items (containers, env, ports, volumes) by name, in any order;
 *  - resource `requests` and `limits` and a `nodeSelector` must have the same keys: a limit the
 *    stage does not set is a difference, not a default.
 * Pure.
 */
import { quantityAmount } from '../model/quantities';

/** One field of the pod template whose live value is not the rendered one. */
export interface TemplateDifference {
  /** Its path under the pod template, named items by name: `spec.containers.orders-api.env.FEATURE_X.value`. */
  readonly path: string;
  /** The live value as text (JSON for lists and mappings); null when the cluster has none. */
  readonly live: string | null;
  /** The rendered value as text; null when the stage renders none. */
  readonly planned: string | null;
}

/** Mappings whose keys are all meaningful: a key only the live object has is a difference. */
const EXACT_KEY_MAPPINGS = new Set(['limits', 'requests', 'nodeSelector']);

/**
 * The differences between the pod template a stage renders (`rendered`, a Deployment's
 * `spec.template`) and the live one (see the module comment). `ignore` leaves out paths compared
 * elsewhere (the containers' images, which status reports on their own).
 */
export function templateDifferences(
  rendered: unknown,
  live: unknown,
  ignore: (path: string) => boolean = () => false,
): TemplateDifference[] {
  const differences: TemplateDifference[] = [];
  compare(rendered, live, '', '', differences, ignore);
  return differences;
}

function compare(
  rendered: unknown,
  live: unknown,
  path: string,
  key: string,
  into: TemplateDifference[],
  ignore: (path: string) => boolean,
): void {
  if (path !== '' && ignore(path)) return;
  if (live === undefined || live === null) {
    if (!isZero(rendered)) into.push({ path, live: null, planned: text(rendered) });
    return;
  }
  if (Array.isArray(rendered)) {
    if (!Array.isArray(live) || live.length !== rendered.length) {
      into.push({ path, live: text(live), planned: text(rendered) });
      return;
    }
    const names = namesOf(rendered);
    const liveNames = namesOf(live);
    if (names && liveNames) {
      const byName = new Map(live.map((item, i) => [liveNames[i], item]));
      rendered.forEach((item, i) => compare(item, byName.get(names[i]), `${path}.${names[i]}`, names[i], into, ignore));
    } else rendered.forEach((item, i) => compare(item, live[i], `${path}.${i}`, String(i), into, ignore));
    return;
  }
  if (isMapping(rendered)) {
    if (!isMapping(live)) {
      into.push({ path, live: text(live), planned: text(rendered) });
      return;
    }
    const keys = Object.keys(rendered).filter((k) => rendered[k] !== undefined);
    for (const k of keys) compare(rendered[k], live[k], path === '' ? k : `${path}.${k}`, k, into, ignore);
    if (EXACT_KEY_MAPPINGS.has(key)) {
      for (const k of Object.keys(live)
        .filter((k) => live[k] !== undefined && live[k] !== null && !keys.includes(k))
        .sort()) {
        into.push({ path: `${path}.${k}`, live: text(live[k]), planned: null });
      }
    }
    return;
  }
  if (!sameScalar(rendered, live, path)) into.push({ path, live: text(live), planned: text(rendered) });
}

/** The `name` of every item, when every item is a mapping with a distinct string name; else undefined. */
function namesOf(items: readonly unknown[]): string[] | undefined {
  const names = items.map((item) => (isMapping(item) && typeof item.name === 'string' ? item.name : undefined));
  if (names.some((n) => n === undefined) || new Set(names).size !== names.length) return undefined;
  return names as string[];
}

function sameScalar(rendered: unknown, live: unknown, path: string): boolean {
  if (rendered === live) return true;
  if (typeof rendered === 'string' && typeof live === 'string' && /(^|\.)(limits|requests)\.|sizeLimit$/.test(path)) {
    const a = quantityAmount(rendered);
    const b = quantityAmount(live);
    return !Number.isNaN(a) && Math.abs(a - b) <= Math.abs(a) * 1e-12;
  }
  return false;
}

/** A value the API server leaves out when it stores it (`omitempty`). */
function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isMapping(value) && Object.values(value).every((v) => v === undefined);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
