import { globalTimers } from '@source-kafka/testkit/fake-time';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  finalStatus,
  RecordCap,
  SKIP_LOG_LIMIT,
  SkippedMessages,
  settlesWithin,
  TimeCap,
} from './read-rules.js';

const timers = globalTimers;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the record cap', () => {
  it('bounds incremental streams only, across batches, and then passes their batches over', () => {
    const cap = new RecordCap(5);
    expect(cap.allowance('full_refresh')).toBe(Number.POSITIVE_INFINITY);
    expect(cap.allowance('incremental')).toBe(5);
    cap.count('incremental', 3, false);
    cap.count('full_refresh', 100, false);
    expect(cap.allowance('incremental')).toBe(2);
    expect(cap.reached).toBe(false);
    cap.count('incremental', 2, true);
    expect(cap.reached).toBe(true);
    expect(cap.skips('incremental')).toBe(true);
    expect(cap.skips('full_refresh')).toBe(false);
    expect(cap.allowance('incremental')).toBe(0);
  });

  it('is never reached without a cap', () => {
    const cap = new RecordCap(undefined);
    cap.count('incremental', 1_000_000, true);
    expect(cap.reached).toBe(false);
    expect(cap.allowance('incremental')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the time cap', () => {
  it('is reached when the clock passes the deadline between batches', () => {
    let now = 1_000;
    const onReached = vi.fn();
    const cap = new TimeCap(60_000, { now: () => now }, timers, onReached);
    now += 59_999;
    expect(cap.reached).toBe(false);
    now += 1;
    expect(cap.reached).toBe(true);
    cap.cancel();
  });

  it('fires during a wait for the next batch and ends that wait', async () => {
    const onReached = vi.fn();
    const cap = new TimeCap(60_000, { now: () => Date.now() }, timers, onReached);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(onReached).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onReached).toHaveBeenCalledTimes(1);
    expect(cap.reached).toBe(true);
  });

  it('does nothing without a cap, and nothing once cancelled', async () => {
    const onReached = vi.fn();
    expect(new TimeCap(undefined, { now: () => Date.now() }, timers, onReached).reached).toBe(false);
    const cancelled = new TimeCap(10, { now: () => 0 }, timers, onReached);
    cancelled.cancel();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onReached).not.toHaveBeenCalled();
  });
});

describe('the final status of a stream', () => {
  const ended = { aborted: false, stalled: false };
  it.each([
    ['reached its end', ended, { syncMode: 'incremental', reachedEnd: true }, 'COMPLETE'],
    ['incremental, stopped by a cap', ended, { syncMode: 'incremental', reachedEnd: false }, 'COMPLETE'],
    [
      'full refresh, stopped by the time cap',
      ended,
      { syncMode: 'full_refresh', reachedEnd: false },
      'INCOMPLETE',
    ],
    [
      'incremental, the brokers stalled',
      { aborted: false, stalled: true },
      { syncMode: 'incremental', reachedEnd: false },
      'INCOMPLETE',
    ],
    [
      'reached its end before the brokers stalled',
      { aborted: false, stalled: true },
      { syncMode: 'incremental', reachedEnd: true },
      'COMPLETE',
    ],
    [
      'stopped by a signal',
      { aborted: true, stalled: false },
      { syncMode: 'incremental', reachedEnd: true },
      'INCOMPLETE',
    ],
  ] as const)('is %s: %s', (_what, ending, stream, expected) => {
    expect(finalStatus(ending, stream)).toBe(expected);
  });
});

describe('skipped messages', () => {
  it('logs the first ones, says once that it stops logging, and counts them all', () => {
    const warnings: string[] = [];
    const skipped = new SkippedMessages({
      log() {},
      debug() {},
      info() {},
      warn: (m) => warnings.push(m),
      error() {},
    });
    for (let i = 0; i < SKIP_LOG_LIMIT + 5; i++)
      skipped.skip(`topic "t", partition 0, offset ${i}`, 'invalid JSON');
    expect(skipped.total).toBe(SKIP_LOG_LIMIT + 5);
    expect(warnings).toHaveLength(SKIP_LOG_LIMIT + 1);
    expect(warnings[0]).toBe('Skipped the message at topic "t", partition 0, offset 0: invalid JSON');
    expect(warnings.at(-1)).toBe(
      'More messages were skipped; they are counted but no longer logged one by one.',
    );
  });
});

describe('settlesWithin', () => {
  it('stops waiting for what does not settle in time', async () => {
    const never = new Promise<never>(() => undefined);
    let settled: boolean | undefined;
    void settlesWithin(never, 5_000, timers).then((s) => {
      settled = s;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(false);
  });

  it('says a promise settled in time, rejected or not', async () => {
    expect(await settlesWithin(Promise.resolve(1), 5_000, timers)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('x')), 5_000, timers)).toBe(true);
  });
});
