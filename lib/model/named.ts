/**
 * Looking items up by name in the lists a plan holds (its workloads, a stage's running workloads),
 * without scanning the list for each one: a release of a thousand workloads asks for every
 * workload by name several times per stage, which a `find` per question makes quadratic.
 */

const indexes = new WeakMap<readonly { readonly name: string }[], ReadonlyMap<string, unknown>>();

/**
 * The item of `items` called `name` (the first one, as `find` would), or undefined. The index is
 * built once per list: the lists of a parsed plan and of a computed stage are never changed after
 * they are made (they are readonly), so it cannot go stale.
 */
export function named<T extends { readonly name: string }>(items: readonly T[], name: string): T | undefined {
  let index = indexes.get(items) as ReadonlyMap<string, T> | undefined;
  if (index === undefined) {
    index = firstByKey(items, (item) => item.name);
    indexes.set(items, index);
  }
  return index.get(name);
}

/** Each item of `items` by `key(item)`; where two items have the same key, the first (as `find` would). */
export function firstByKey<T>(items: readonly T[], key: (item: T) => string): ReadonlyMap<string, T> {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!byKey.has(k)) byKey.set(k, item);
  }
  return byKey;
}
