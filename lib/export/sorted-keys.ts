/**
 * A copy of plain JSON data with every mapping's keys sorted (lists keep their order), so exported
 * objects read like rendered ones, whose keys cdk8s sorts.
 */
export function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortedKeys) as T;
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(source)
      .sort()
      .map((key) => [key, sortedKeys(source[key])]),
  ) as T;
}
