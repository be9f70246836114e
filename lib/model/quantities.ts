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
