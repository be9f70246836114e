/**
 * The model's types are what its schemas (lib/schema) parse into: `Parsed<typeof schema>` is a
 * schema's output, read-only throughout, so that a type is written once, as the schema.
 */
import type { z } from 'zod';

/** `T` with every property and list read-only, all the way down. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The value `schema` parses into, read-only. */
export type Parsed<S extends z.ZodType> = DeepReadonly<z.output<S>>;
