import { systemTimers } from './timers.js';
import type { Timers } from './types.js';

/** Fails with `onTimeout()` if `promise` has not settled after `ms`. The timer never keeps the process alive. */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  timers: Timers = systemTimers,
): Promise<T> {
  let cancel: () => void = () => undefined;
  const timeout = new Promise<never>((_, reject) => {
    cancel = timers.after(ms, () => reject(onTimeout()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    cancel();
  }
}
