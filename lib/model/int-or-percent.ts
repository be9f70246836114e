import { INT32_MAX } from './plain-data';

/**
 * Kubernetes' IntOrString for `maxSurge` / `maxUnavailable`: an absolute count (`1`) or a
 * percentage of the desired replicas (`"25%"`), resolved the way the Deployment controller does.
 */
export type IntOrPercent = number | `${number}%`;

/**
 * True for a whole number from 0 to 2147483647 (Kubernetes stores an IntOrString's number as an
 * int32) or a whole percent like `25%` from 0 up to `maxPercent`: 100 for `maxUnavailable`, a
 * PodDisruptionBudget and a capacity floor, which Kubernetes (or the meaning) caps there;
 * {@link MAX_SURGE_PERCENT} for `maxSurge`, which Kubernetes does not cap.
 */
export function isIntOrPercent(value: unknown, maxPercent = 100): value is IntOrPercent {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= INT32_MAX;
  if (typeof value === 'string') {
    const match = /^(\d{1,10})%$/.exec(value);
    return match !== null && Number(match[1]) <= maxPercent;
  }
  return false;
}

/**
 * The largest `maxSurge` percent stepwise accepts. Kubernetes only caps `maxUnavailable` at 100%;
 * a surge above 100% is valid (the new ReplicaSet never exceeds the desired count, so anything
 * from 100% up surges the whole count at once). The int32 bound keeps the resolved count exact.
 */
export const MAX_SURGE_PERCENT = INT32_MAX;

/**
 * The count a value means for `replicas` desired pods. Percentages round up for maxSurge and
 * down for maxUnavailable (`roundUp`), as `intstr.GetScaledValueFromIntOrPercent` is called by
 * the Deployment controller.
 */
export function scaledValue(value: IntOrPercent, replicas: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.slice(0, -1));
  // Integer arithmetic first: 0.29 * 100 style float error must not move a boundary.
  const scaled = (percent * replicas) / 100;
  const exact = (percent * replicas) % 100 === 0;
  if (exact) return (percent * replicas) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** True when the value is zero however many replicas there are (`0` or `"0%"`). */
export function isAlwaysZero(value: IntOrPercent): boolean {
  return value === 0 || value === '0%';
}

/**
 * The surge and unavailability the controller will actually use for `replicas` pods
 * (`deploymentutil.ResolveFenceposts`): when both resolve to zero, unavailability becomes 1 so
 * that a rollout can make progress.
 */
export function resolveRollingUpdate(
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  replicas: number,
): { readonly surge: number; readonly unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
