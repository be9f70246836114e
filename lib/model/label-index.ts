import type { Labels } from './labels';

/**
 * Items (workloads) indexed by the label pairs they carry, so that "which workloads could this
 * selector match?" costs the size of the smallest matching bucket instead of a scan of every
 * workload. A release with a thousand canary pairs would otherwise compare every workload with
 * every other one (quadratic) while parsing and again per stage.
 */
export class LabelIndex<T> {
  private readonly byPair = new Map<string, T[]>();

  /** Indexes `items` (kept in the order given) by the labels `labelsOf` returns. */
  constructor(
    private readonly items: readonly T[],
    labelsOf: (item: T) => Labels,
  ) {
    for (const item of items) {
      for (const [key, value] of Object.entries(labelsOf(item))) {
        const pair = pairKey(key, value);
        const bucket = this.byPair.get(pair);
        if (bucket) bucket.push(item);
        else this.byPair.set(pair, [item]);
      }
    }
  }

  /**
   * The items that could match a selector requiring every pair of `required`, in the original
   * order: a superset of the matches (callers still test each one). Without required pairs (a
   * selector of expressions only) every item is a candidate.
   */
  candidates(required: Labels): readonly T[] {
    let smallest: readonly T[] | undefined;
    for (const [key, value] of Object.entries(required)) {
      const bucket = this.byPair.get(pairKey(key, value)) ?? [];
      if (!smallest || bucket.length < smallest.length) smallest = bucket;
    }
    return smallest ?? this.items;
  }
}

function pairKey(key: string, value: string): string {
  // A label key cannot contain '=', so the pair is unambiguous.
  return `${key}=${value}`;
}
