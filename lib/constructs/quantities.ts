import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** A validated CPU quantity (`500m`, `2`, `1.5`) as cdk8s-plus wants it. */
export function cpuQuantity(quantity: string): kplus.Cpu {
  return quantity.endsWith('m') ? kplus.Cpu.millis(Number(quantity.slice(0, -1))) : kplus.Cpu.units(Number(quantity));
}

/** A validated memory quantity (`256Mi`, `8Gi`, `1Ti`) as cdk8s-plus wants it (rendered in Mi). */
export function memoryQuantity(quantity: string): Size {
  const amount = Number(quantity.slice(0, -2));
  switch (quantity.slice(-2)) {
    case 'Gi':
      return Size.gibibytes(amount);
    case 'Ti':
      return Size.tebibytes(amount);
    default:
      return Size.mebibytes(amount);
  }
}
