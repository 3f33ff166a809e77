import type { Timers } from './types.js';

/** Node's timers, unref'd: a pending wait never keeps the process alive. */
export const systemTimers: Timers = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Resolves after `ms` on `timers`; `cancel` drops the wait (the promise then never resolves). */
export function sleepOn(timers: Timers, ms: number): { promise: Promise<void>; cancel: () => void } {
  let cancel: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    cancel = timers.after(ms, resolve);
  });
  return { promise, cancel };
}
