/**
 * The JSON Schema of a stack file, generated from {@link stackFileSchema}: what
 * `schema/stack-file.schema.json` holds, so that editors (yaml-language-server) complete and
 * check stack files as they are written.
 */
import { z } from 'zod';
import { CONFIG_KEYS, CONFIG_NAMESPACE, stackFileSchema } from './stack-file-schema';

/** Where the published schema lives, relative to the project root. */
export const STACK_FILE_SCHEMA_PATH = 'schema/stack-file.schema.json';

/** The `$id` of the published schema. */
export const STACK_FILE_SCHEMA_ID = 'https://github.com/stepwise/stepwise/schema/stack-file.schema.json';

/** A JSON Schema document (plain JSON data). */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * The stack file's JSON Schema (draft-07, the draft editors support best), with keys in the
 * order the zod schema declares them. It describes what a stack file may hold as written
 * (`io: 'input'`): optional keys are optional, defaults are documentation.
 */
export function stackFileJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(stackFileSchema, {
    target: 'draft-07',
    reused: 'inline',
    io: 'input',
    override: ({ jsonSchema, path }) => {
      // `config` allows other namespaces' keys but no unknown `stepwise:` one (as `stepwise:stage` typed `stepwise:stages`).
      if (path.length === 2 && path[0] === 'properties' && path[1] === 'config') {
        jsonSchema.patternProperties = { [`^${CONFIG_NAMESPACE}:(?!(${CONFIG_KEYS.join('|')})$)`]: false };
      }
    },
  });
  return { ...generated, $id: STACK_FILE_SCHEMA_ID, title: 'stepwise stack file' };
}

/**
 * `value` with the keys of every object sorted, so that the published file is the same for the
 * same schema whatever order the generator emits.
 */
export function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortedJson((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The text of `schema/stack-file.schema.json`: the sorted schema, two-space indented, one final newline. */
export function stackFileJsonSchemaText(): string {
  return `${JSON.stringify(sortedJson(stackFileJsonSchema()), null, 2)}\n`;
}
