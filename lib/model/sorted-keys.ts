/**
 * A copy of plain JSON data with every mapping's keys sorted (lists keep their order), so output
 * is the same whatever order the data was built in: rendered stages do not depend on cdk8s'
 * own sorting (which `CDK8S_DISABLE_SORT` turns off), and exported objects read like rendered ones.
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
