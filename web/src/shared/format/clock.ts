import { signal, type ReadonlySignal } from '@preact/signals';

/**
 * The time, as a signal that moves every 30 s while someone reads it, so
 * relative ages ("12 分钟前") stay true without each row keeping a timer.
 */
export function createClock(intervalMs = 30_000): { now: ReadonlySignal<number>; stop(): void } {
  const now = signal(Date.now());
  const handle = setInterval(() => {
    now.value = Date.now();
  }, intervalMs);
  return { now, stop: () => clearInterval(handle) };
}
