import type { z } from 'zod';

/**
 * `schema` with the text the JSON Schema, editors and docs/stack-file.md show for its key, and the
 * value stepwise uses when the key is left out (documentation only: the parser applies defaults).
 */
export function documented<T extends z.ZodType>(schema: T, description: string, defaultValue?: unknown): T {
  return schema.meta(defaultValue === undefined ? { description } : { description, default: defaultValue as never });
}
