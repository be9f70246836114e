/**
 * The soak: a wait measured on the wall clock, reporting the time left now and then so a person
 * or a CI log sees the release is alive, and ending early when the run is interrupted.
 */

/** How often the soak reports the time left, in seconds. */
export const SOAK_TICK_SECONDS = 30;

/**
 * A soak piece for `runRelease`: waits `seconds`, calling `tick` with the whole seconds left at the
 * start, every `tickSeconds` and at the end (0). Resolves early, without the final tick, once
 * `signal` aborts.
 */
export function soakClock(
  signal?: AbortSignal,
  tickSeconds = SOAK_TICK_SECONDS,
): (seconds: number, tick: (secondsLeft: number) => void) => Promise<void> {
  return async (seconds, tick) => {
    const end = Date.now() + seconds * 1000;
    tick(seconds);
    for (;;) {
      const left = end - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(tickSeconds * 1000, left), signal);
      if (signal?.aborted) return;
      const secondsLeft = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      if (secondsLeft > 0) tick(secondsLeft);
    }
    tick(0);
  };
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
