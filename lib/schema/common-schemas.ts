/**
 * Small value shapes the sections of a stack file share: names, labels, ports, counts and
 * Kubernetes IntOrString values. Structure only; the parser adds the rules a schema cannot say.
 */
import { z } from 'zod';

/** The largest value of a Kubernetes `int32` field (replicas, minReadySeconds, probe thresholds...). */
export const INT32_MAX = 2147483647;

/** A lowercase Kubernetes object name (RFC 1123 label). */
export const objectName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);

/** A label value as a stack file writes it (quoted when it looks like a number). */
export const labelValue = z.string();

/**
 * Labels or a label selector: string keys to string values, parsed into a mapping sorted by key,
 * so that what is rendered and compared never depends on the order a file writes them in.
 */
export const labelMap = z.record(z.string(), labelValue).transform(sortedByKey);

/** `map` with its keys sorted. */
export function sortedByKey<T>(map: Readonly<Record<string, T>>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(map).sort()) sorted[key] = map[key] as T;
  return sorted;
}

/** A whole number from `min` to {@link INT32_MAX}, as Kubernetes stores counts and seconds. */
export function count(min = 0): z.ZodNumber {
  return z.number().int().min(min).max(INT32_MAX);
}

/** A TCP/UDP port number. */
export const portNumber = z.number().int().min(1).max(65535);

/** A named container port, as the API server checks it: at most 15 characters, lowercase letters, digits and single '-', one letter at least. */
export const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;

/** A container port by number, or by the name of one of the container's ports (`http`). */
export const portRef = z.union([portNumber, z.string().regex(PORT_NAME)]);

/** TCP (default), UDP or SCTP. */
export const protocol = z.enum(['TCP', 'UDP', 'SCTP']);

/** Kubernetes' IntOrString for a count or a percentage: `1` or `"25%"`. */
export const intOrPercent = z.union([count(), z.string().regex(/^\d{1,10}%$/)]);

/** A count, or a percentage of at most `maxPercent` (`"80%"`): a new schema each call, so each use can be worded on its own. */
export function intOrPercentUpTo(maxPercent: number): z.ZodUnion<[z.ZodNumber, z.ZodString]> {
  return z.union([count(), z.string().regex(/^\d{1,10}%$/).refine((text) => Number(text.slice(0, -1)) <= maxPercent)]);
}

/** A value as a stack file writes it (YAML scalars, lists and mappings), passed on to Kubernetes as it is. */
export type PlainValue = string | number | boolean | null | readonly PlainValue[] | { readonly [key: string]: PlainValue };

/** Fields of a Kubernetes object (a PodSpec, a Container, a volume source) passed on as written, validated against the official schema. */
export type KubeFields = { readonly [key: string]: PlainValue };

/**
 * Fields passed on to Kubernetes as written (checked against the official schema when the plan is
 * read), their mappings' keys sorted so that what is rendered and compared never depends on the
 * order a file writes keys in. A new schema each call, so each use can be worded on its own.
 */
export function kubeFields(): z.ZodPipe<z.ZodRecord<z.ZodString, z.ZodUnknown>, z.ZodTransform<KubeFields, Record<string, unknown>>> {
  return z.record(z.string(), z.unknown()).transform((fields) => sortedPlain(fields) as KubeFields);
}

/** Plain data with every mapping's keys sorted. */
export function sortedPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedPlain);
  if (typeof value === 'object' && value !== null) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortedPlain((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}
