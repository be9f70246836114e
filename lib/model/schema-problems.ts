/**
 * Zod's issues as stepwise problems: the key path, what is wrong in the words the rest of
 * stepwise uses (`must be true or false, got "yes"`), the fix, and "did you mean" for a misspelt
 * key or choice. A section parsed with its schema from lib/schema reports exactly as one read by
 * hand with {@link PlainDataReader}.
 */
import { z } from 'zod';
import { StepwiseError, joinKeyPath } from './errors';
import { INT32_MAX, closest, describe, hasOwnKey, isPlainObject } from './plain-data';

/** How the problems of one schema are worded, where the generic wording is not enough. */
export interface ProblemWording {
  /** What is wrong with `value`, e.g. `must be a whole number >= 0 or a percentage from "0%" to "100%", got "150%"`. */
  problem(value: unknown): string;
  /** How to fix it (for `value`, where the fix depends on what was written). */
  readonly fix: string | ((value: unknown) => string);
}

/**
 * Wordings by schema: a schema registered here reports every issue of its own (a wrong type, a
 * value out of range, a failed refinement) with its wording. Registered where the parse is.
 */
export const problemWording = z.registry<ProblemWording>();

/** The wording of a key that takes a non-empty string, with how to write one there. */
export function nonEmptyString(fix: string): ProblemWording {
  return { problem: (value) => `must be a non-empty string, got ${describe(value)}`, fix };
}

/** The wording of a key that takes a mapping, with how to write one there. */
export function mapping(fix: string): ProblemWording {
  return { problem: (value) => `must be a mapping, got ${describe(value)}`, fix };
}

/**
 * Where the keys of a parsed value are reported: under one key path (`gitops`), or each top-level
 * key at its own (a workload's keys at `defaults`' workload or at a stage's, wherever written).
 */
export type KeyPathOf = string | ((key: string) => string);

/** The key path of an issue path under `keyPath`: `['stages', 2, 'name']` → `stages[2].name`. */
export function issueKeyPath(keyPath: KeyPathOf, path: readonly PropertyKey[]): string {
  if (typeof keyPath !== 'string') {
    if (path.length === 0) return keyPath('').replace(/\.$/, '');
    return issueKeyPath(keyPath(String(path[0])), path.slice(1));
  }
  return path.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : joinKeyPath(at, String(key))), keyPath);
}

/** The schemas compiled by {@link schemaFor}, by schema. */
const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/** How many values of a kind a schema must check before its compiled fast path pays for compiling it. */
const COMPILE_FROM = 100;

/** `schema` with zod's generated fast path (`z.compile`), compiled once, on first use. */
function compiled<T extends z.ZodType>(schema: T): T {
  let fast = compiledSchemas.get(schema);
  if (!fast) {
    fast = z.compile(schema);
    compiledSchemas.set(schema, fast);
  }
  return fast as T;
}

/**
 * How a value is parsed. By default zod compiles a checker for each object shape the first time it
 * checks one, which pays off for shapes checked many times and only costs time for a few.
 */
export interface ParseOptions {
  /**
   * How many values of their kind the data holds (Services, a stage's workloads...): for a few
   * (1: a plan's own keys, one workload key's value) zod checks them as it walks the schema; for
   * many, the whole schema is compiled to one fast path (`z.compile`; a value it rejects is parsed
   * by the schema itself, so the problems are the same).
   */
  readonly size?: number;
}

/**
 * Parses `data` with `schema`. Returns the typed value, or the problems (key paths under
 * `keyPath`, e.g. `gitops`), one for every issue and one for every unknown key.
 */
export function parseWithSchema<T extends z.ZodType>(
  schema: T,
  data: unknown,
  keyPath: KeyPathOf,
  options: ParseOptions = {},
): { readonly value: z.output<T> } | { readonly problems: readonly StepwiseError[] } {
  const result =
    options.size === undefined
      ? schema.safeParse(data)
      : options.size >= COMPILE_FROM
        ? compiled(schema).safeParse(data)
        : schema.safeParse(data, { jitless: true });
  if (result.success) return { value: result.data };
  // Several issues at one key path may read the same (a string failing its pattern and a
  // refinement both, worded by their schema): each problem is reported once.
  const problems = result.error.issues.flatMap((issue) => issueProblems(schema, data, keyPath, issue));
  return { problems: problems.filter((p, i) => problems.findIndex((q) => q.message === p.message) === i) };
}

function issueProblems(root: z.ZodType, data: unknown, keyPath: KeyPathOf, issue: z.core.$ZodIssue): StepwiseError[] {
  const at = issueKeyPath(keyPath, issue.path);
  const value = valueAt(data, issue.path);
  const problem = (text: string, fix: string) => [new StepwiseError({ keyPath: at, problem: text, fix })];
  if (issue.code === 'invalid_union') {
    // The problems of the option the file wrote (a mapping where a number or a mapping may go).
    const union = schemaAt(root, issue.path, data, false);
    const index = union?._zod.def.type === 'union' ? unionOptionIndex(union, value) : -1;
    if (index >= 0) {
      return issue.errors[index].flatMap((inner) =>
        issueProblems(root, data, keyPath, { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue),
      );
    }
  }
  const worded = issue.code === 'unrecognized_keys' ? undefined : wordingAt(root, issue.path, data);
  if (worded) return problem(worded.problem(value), typeof worded.fix === 'string' ? worded.fix : worded.fix(value));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(root, issue.path, data);
      return issue.keys.map((key) => {
        const suggestion = closest(key, allowed);
        return new StepwiseError({
          keyPath: joinKeyPath(at, key),
          problem: 'is not a known key',
          fix: suggestion ? `did you mean '${suggestion}'?` : `use one of: ${allowed.join(', ')}`,
        });
      });
    }
    case 'invalid_value': {
      const choices = issue.values.map(String);
      const suggestion = typeof value === 'string' ? closest(value, choices) : undefined;
      return problem(
        `must be one of ${choices.join(', ')}, got ${describe(value)}`,
        suggestion ? `did you mean '${suggestion}'?` : `use one of: ${choices.join(', ')}`,
      );
    }
    case 'invalid_type':
    case 'too_small':
    case 'too_big':
      return typeProblem(schemaAt(root, issue.path, data), value, problem) ?? problem(issue.message, 'see docs/stack-file.md');
    default:
      return problem(issue.message, 'see docs/stack-file.md');
  }
}

/** The problem for a value of the wrong type or out of range, worded by what `schema` expects. */
function typeProblem(
  schema: z.ZodType | undefined,
  value: unknown,
  problem: (text: string, fix: string) => StepwiseError[],
): StepwiseError[] | undefined {
  switch (schema?._zod.def.type) {
    case 'object':
    case 'record':
      return problem(`must be a mapping, got ${describe(value)}`, 'write it as `key: value` lines');
    case 'array':
      return problem(`must be a list, got ${describe(value)}`, 'write it as `- item` lines');
    case 'boolean':
      return problem(`must be true or false, got ${describe(value)}`, 'write true or false');
    case 'string':
      return problem(`must be a non-empty string, got ${describe(value)}`, 'give a non-empty string');
    case 'number': {
      const { minValue, maxValue } = schema as z.ZodNumber;
      const min = minValue ?? 0;
      // As PlainDataReader's `count`: the int32 bound is named only to a number beyond it.
      const bounded =
        maxValue !== null &&
        maxValue < Number.MAX_SAFE_INTEGER &&
        (maxValue !== INT32_MAX || (typeof value === 'number' && value > INT32_MAX));
      const range = bounded ? `from ${min} to ${maxValue}` : `>= ${min}`;
      return problem(`must be a whole number ${range}, got ${describe(value)}`, `use a whole number ${range}`);
    }
    default:
      return undefined;
  }
}

/** The wording registered for the schema at `path`, if any. */
function wordingAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): ProblemWording | undefined {
  const at = schemaAt(root, path, data);
  return at && problemWording.get(at);
}

/**
 * The part of `schema` that checks the value at `path` (through optional, nullable, lists and
 * maps; through a union, the option the value in `data` is written as).
 */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[], data: unknown, intoUnion = true): z.ZodType | undefined {
  if (path.length === 0) return intoUnion ? unwrappedAt(schema, data) : unwrapped(schema);
  let current: z.ZodType | undefined = unwrappedAt(schema, data);
  let value = data;
  for (const [i, key] of path.entries()) {
    if (!current) return undefined;
    const def = current._zod.def as unknown as Record<string, unknown>;
    const next =
      def.type === 'object'
        ? (def.shape as Record<string, z.ZodType>)[String(key)]
        : def.type === 'array'
          ? (def.element as z.ZodType)
          : def.type === 'record'
            ? (def.valueType as z.ZodType)
            : undefined;
    value = valueAt(value, [key]);
    current = next && (intoUnion || i < path.length - 1 ? unwrappedAt(next, value) : unwrapped(next));
  }
  return current;
}

/** `schema` unwrapped; for a union whose option for `value` can be told, that option unwrapped (the union itself when it cannot). */
function unwrappedAt(schema: z.ZodType, value: unknown): z.ZodType {
  const at = unwrapped(schema);
  if (at._zod.def.type !== 'union') return at;
  const index = unionOptionIndex(at, value);
  const option = index < 0 ? undefined : (at._zod.def as unknown as { options: z.ZodType[] }).options[index];
  // Only a mapping is looked into: a wording registered on the union itself words everything else.
  return option && unwrapped(option)._zod.def.type === 'object' ? unwrappedAt(option, value) : at;
}

/**
 * Which option of `union` the file wrote `value` as: the one of its type; of several mappings, one
 * that declares a key the value has, before a map of any keys. -1 when none is of its type.
 */
function unionOptionIndex(union: z.ZodType, value: unknown): number {
  const options = (union._zod.def as unknown as { options: z.ZodType[] }).options;
  const candidates = options.map((option, i) => [unwrapped(option), i] as const).filter(([option]) => typeMatches(option, value));
  if (candidates.length > 1 && isPlainObject(value)) {
    const declaring = candidates.find(
      ([option]) => option._zod.def.type === 'object' && Object.keys(value).some((key) => hasOwnKey((option as z.ZodObject).shape, key)),
    );
    if (declaring) return declaring[1];
    const map = candidates.find(([option]) => option._zod.def.type === 'record');
    if (map) return map[1];
  }
  return candidates.length > 0 ? candidates[0][1] : -1;
}

/** True when `value` is of the type `schema` (unwrapped) checks for. */
function typeMatches(schema: z.ZodType, value: unknown): boolean {
  const def = schema._zod.def as unknown as { type: string; values?: unknown[]; options?: z.ZodType[] };
  switch (def.type) {
    case 'object':
    case 'record':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === def.type;
    case 'literal':
      return (def.values ?? []).includes(value);
    case 'union':
      return (def.options ?? []).some((option) => typeMatches(unwrapped(option), value));
    default:
      return false;
  }
}

/** `schema` without its optional, nullable, default and prefault wrappers, and a transform's input side (what the file writes). */
export function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let def = current._zod.def; ; def = current._zod.def) {
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'prefault') {
      current = (def as unknown as { innerType: z.ZodType }).innerType;
    } else if (def.type === 'pipe') {
      current = (def as unknown as { in: z.ZodType }).in;
    } else {
      return current;
    }
  }
}

/** The keys the object schema at `path` declares, in declared order (none when it is not an object). */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  const at = schemaAt(schema, path, data);
  return at?._zod.def.type === 'object' ? Object.keys((at as z.ZodObject).shape) : [];
}

/** The value at `path` in plain data, or undefined. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current)) current = current[String(key)];
    else return undefined;
  }
  return current;
}
