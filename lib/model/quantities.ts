/**
 * The amounts behind the CPU and memory quantities a plan accepts (see `CPU_QUANTITY` and
 * `MEMORY_QUANTITY` in parse-plan.ts), so that a request can be compared with its limit. Pure;
 * the cdk8s form of a quantity is in lib/constructs/quantities.ts.
 */

/** A validated CPU quantity (`500m`, `2`, `1.5`) in millicores: `500m` → 500, `1.5` → 1500. */
export function cpuMillicores(quantity: string): number {
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  // At most three decimals, so this is a whole number of millicores once rounding noise is gone.
  return Math.round(Number(quantity) * 1000);
}

/** A validated memory quantity (`256Mi`, `8Gi`, `1Ti`) in MiB: `1Gi` → 1024. */
export function memoryMebibytes(quantity: string): number {
  const amount = Number(quantity.slice(0, -2));
  switch (quantity.slice(-2)) {
    case 'Ti':
      return amount * 1024 * 1024;
    case 'Gi':
      return amount * 1024;
    default:
      return amount;
  }
}

/**
 * The most millicores a CPU quantity may hold: 15 digits, the most a JavaScript number writes back
 * exactly with three decimals (`999999999999.999`), so that what `render` writes is what the plan
 * says (past it, `1e21` cores would be written `1e+21`, which is no quantity at all).
 */
export const MAX_CPU_MILLICORES = 999_999_999_999_999;

/**
 * The most MiB a memory quantity may hold: 2^63 - 1 bytes, the most Kubernetes counts in the
 * 64-bit integer its scheduler and kubelet read a quantity as (`8388607Ti`, `8796093022207Mi`).
 */
export const MAX_MEMORY_MEBIBYTES = 8_796_093_022_207;
