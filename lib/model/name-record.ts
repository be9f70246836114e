/**
 * An empty record for keys that are names from the stack file (workloads, Services, images): what
 * a per-Service record keyed by workload names, such as a Service's traffic shares, is made with.
 *
 * V8 gives a plain `{}` a hidden class for each first key it receives, and the class all empty
 * objects share holds at most 1,536 of those. A record per Service keyed by its workloads' names
 * used them all on a stack of a few thousand Services. After that, every object in the process
 * that starts empty and gets a key no earlier object had gets a class of its own: cdk8s'
 * `toJson()` and the YAML writer ran at half speed, and a 4,000-workload `render` took 3 s instead
 * of 2 s (docs/performance.md). A copy made with a spread (`{ ...traffic }`) does the same: pass
 * the record itself on.
 *
 * A record made without a prototype is a dictionary from the start and adds no hidden class; its
 * prototype is then set back to `Object.prototype`, so that it is an ordinary object to everyone
 * else (`deepStrictEqual`, `JSON.stringify`, key order).
 */
export function nameRecord<T>(): Record<string, T> {
  return Object.setPrototypeOf(Object.create(null), Object.prototype) as Record<string, T>;
}
