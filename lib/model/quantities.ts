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

/** The factor of each Kubernetes quantity suffix. */
const QUANTITY_SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** The amount of a Kubernetes quantity (`1.5Gi` → 1610612736, `250m` → 0.25, `1e9`), NaN when it is none. */
export function quantityAmount(quantity: string): number {
  const match = /^([+-]?[\d.]+)(?:[eE]([+-]?\d+)|([a-zA-Z]*))$/.exec(quantity);
  if (!match) return Number.NaN;
  const amount = Number(match[1]);
  return match[2] !== undefined ? amount * 10 ** Number(match[2]) : amount * (QUANTITY_SUFFIXES[match[3]] ?? Number.NaN);
}

/**
 * A validated memory quantity (`256Mi`, `8Gi`, `1.5Gi`, `512M`, `1e9`, `1073741824`) in MiB, not
 * always whole: `1Gi` → 1024, `512M` → 488.28125. For comparing a request with its limit.
 */
export function memoryMebibytes(quantity: string): number {
  return quantityAmount(quantity) / 1024 ** 2;
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
