/**
 * A copy of plain JSON data with every mapping's keys sorted (lists keep their order), so output
 * is the same whatever order the data was built in: rendered stages do not depend on cdk8s'
 * own sorting (which `CDK8S_DISABLE_SORT` turns off), and exported objects read like rendered ones.
 * Written as plain loops: it runs over every rendered object, and entry arrays per mapping showed
 * up as garbage-collection time at a thousand workloads.
 */
export function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) {
    const list: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) list[i] = sortedKeys(value[i]);
    return list as T;
  }
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).sort();
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    // A data key named __proto__ (an env var may be) must become a property, not the prototype.
    if (key === '__proto__')
      Object.defineProperty(copy, key, { value: sortedKeys(source[key]), enumerable: true, writable: true, configurable: true });
    else copy[key] = sortedKeys(source[key]);
  }
  return copy as T;
}

/**
 * Sorts every mapping's keys of `value` in place and returns it: for data the caller owns and has
 * just built (a rendered stage). A mapping already in order — all of them when cdk8s has sorted
 * the objects, as it does by default — is only checked, not copied.
 */
export function sortKeysInPlace<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) sortKeysInPlace(item);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const mapping = value as Record<string, unknown>;
  const keys = Object.keys(mapping);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = keys[i - 1] < keys[i];
  for (const key of keys) sortKeysInPlace(mapping[key]);
  if (!ordered) {
    const entries = keys.sort().map((key) => [key, mapping[key]] as const);
    for (const key of keys) delete mapping[key];
    for (const [key, item] of entries)
      Object.defineProperty(mapping, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return value;
}
