// Helpers for unit tests that run a state machine on fake time (vitest's fake timers replace setTimeout and
// Date): the timers to inject, and a way to ask whether a promise settled while fake time moved.

/** The `Timers` shape the packages take, on the global timers, so a test's fake timers drive it. */
export const globalTimers = {
  after(ms: number, fn: () => void): () => void {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface Settlement<T> {
  readonly settled: boolean;
  readonly value?: T;
  readonly error?: unknown;
}

/**
 * Moves fake time on by `ms` with `advance` (e.g. `(ms) => vi.advanceTimersByTimeAsync(ms)`) and says whether
 * `promise` settled meanwhile, and how. A promise that has not settled may still settle later.
 */
export async function settleWithin<T>(
  promise: Promise<T>,
  ms: number,
  advance: (ms: number) => Promise<unknown>,
): Promise<Settlement<T>> {
  let outcome: Settlement<T> = { settled: false };
  promise.then(
    (value) => {
      outcome = { settled: true, value };
    },
    (error: unknown) => {
      outcome = { settled: true, error };
    },
  );
  await advance(ms);
  return outcome;
}
