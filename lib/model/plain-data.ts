import { StepwiseError, joinKeyPath } from './errors';

/**
 * Collects the problems of a plan as it is read, each with its key path, so a user sees all of
 * them in one run rather than one by one. The shapes are checked by the schemas (lib/schema,
 * through `parseWithSchema`); the few checks here are for values read against the rest of the
 * plan (the traffic section's Service, say), worded as the schemas' problems are.
 */
export class PlainDataReader {
  private readonly problems: StepwiseError[];
  /** The problems reported so far, so that one found again (a value every workload takes from `defaults`) is listed once. */
  private readonly seen = new Set<string>();

  constructor(problems: StepwiseError[] = []) {
    this.problems = problems;
  }

  /** Everything reported so far. */
  get errors(): readonly StepwiseError[] {
    return this.problems;
  }

  /** Records a problem at `keyPath`. */
  report(keyPath: string, problem: string, fix?: string): void {
    this.add(new StepwiseError({ keyPath, problem, fix }));
  }

  /** Records problems found by a rule that returns them (key paths as the rule gives them). */
  reportAll(errors: readonly StepwiseError[]): void {
    for (const error of errors) this.add(error);
  }

  private add(error: StepwiseError): void {
    const key = `${error.keyPath}\0${error.problem}\0${error.fix ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push(error);
  }

  /** A mapping (YAML object) at `keyPath`, or undefined (reported) when it is something else. */
  object(value: unknown, keyPath: string, allowedKeys?: readonly string[]): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) {
      this.report(keyPath, `must be a mapping, got ${describe(value)}`, 'write it as `key: value` lines');
      return undefined;
    }
    if (allowedKeys) {
      for (const key of Object.keys(value)) {
        if (!allowedKeys.includes(key)) {
          const suggestion = closest(key, allowedKeys);
          this.report(
            joinKeyPath(keyPath, key),
            'is not a known key',
            suggestion ? `did you mean '${suggestion}'?` : `use one of: ${allowedKeys.join(', ')}`,
          );
        }
      }
    }
    return value;
  }

  /** A whole number in [min, max] at `keyPath`. */
  wholeNumber(value: unknown, keyPath: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      this.report(keyPath, `must be a whole number ${range}, got ${describe(value)}`, `use a whole number ${range}`);
      return undefined;
    }
    return value;
  }

  /**
   * A count Kubernetes stores as a 32-bit integer (replicas, seconds, probe thresholds), >= `min`.
   * A number above {@link INT32_MAX} is reported here, at the plan key, rather than later by the
   * schema check of the rendered object; below `min` reads like any whole number (`>= 0`).
   */
  count(value: unknown, keyPath: string, min = 0): number | undefined {
    if (typeof value === 'number' && Number.isInteger(value) && value > INT32_MAX) {
      const range = `from ${min} to ${INT32_MAX}`;
      this.report(keyPath, `must be a whole number ${range}, got ${describe(value)}`, `use a whole number ${range}`);
      return undefined;
    }
    return this.wholeNumber(value, keyPath, min);
  }

  /** A boolean. */
  boolean(value: unknown, keyPath: string): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.report(keyPath, `must be true or false, got ${describe(value)}`, 'write true or false');
      return undefined;
    }
    return value;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(value: unknown, keyPath: string, choices: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      const suggestion = typeof value === 'string' ? closest(value, choices) : undefined;
      this.report(
        keyPath,
        `must be one of ${choices.join(', ')}, got ${describe(value)}`,
        suggestion ? `did you mean '${suggestion}'?` : `use one of: ${choices.join(', ')}`,
      );
      return undefined;
    }
    return value as T;
  }
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * A problem for every key and string anywhere in `data` holding a control character other than a
 * tab or a line break (e.g. a NUL written `"\0"` in YAML): no Kubernetes field needs one, a NUL
 * cannot reach a process (argv and environment end at it), and printed by `plan` or `diff` it
 * would drive the terminal. Key paths are under `keyPath`. Walks with an explicit stack, so the
 * depth of `data` does not matter.
 */
export function controlCharacterProblems(data: unknown, keyPath = ''): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const report = (at: string, text: string) => {
    const match = CONTROL_CHARACTER.exec(text);
    if (!match) return;
    const codePoint = `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    problems.push(
      new StepwiseError({
        keyPath: at,
        problem: `contains the control character ${codePoint}, which stepwise does not pass on to Kubernetes or print`,
        fix: 'remove it (in YAML it is written as an escape such as \\0 or \\e inside double quotes)',
      }),
    );
  };
  const pending: { value: unknown; at: string }[] = [{ value: data, at: keyPath }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, at } = next;
    if (typeof value === 'string') report(at, value);
    else if (Array.isArray(value)) value.forEach((item, i) => pending.push({ value: item, at: `${at}[${i}]` }));
    else if (isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        const keyAt = joinKeyPath(at, key);
        report(keyAt, key);
        pending.push({ value: value[key], at: keyAt });
      }
    }
  }
  return problems;
}

/** The largest value of a Kubernetes `int32` field (replicas, minReadySeconds, probe thresholds...). */
export const INT32_MAX = 2147483647;

/**
 * True when `map` has `key` itself: user-given names such as `constructor` must not find what
 * every object inherits from Object.prototype (`key in map` and `map[key]` both would).
 */
export function hasOwnKey(map: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/** True for `{...}` objects parsed from YAML/JSON (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value for error messages: `-1`, `"abc"`, `a list`, `nothing`. */
export function describe(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** The choice closest to `word` by edit distance, when it is close enough to be a typo. */
export function closest(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const d = editDistance(word.toLowerCase(), choice.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = choice;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
