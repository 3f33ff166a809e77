import type { KafkaMessage } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsumerError } from './errors.js';
import {
  assertKafkajsFenced,
  isSeekBeforeRunError,
  type KafkajsRequestQueue,
  kafkajsHookStatuses,
  kafkajsVersionRefusal,
  PROVEN_KAFKAJS_VERSIONS,
  scheduleCheckPendingRequests,
  timestampTypeOf,
} from './kafkajs-internals.js';

const recordBatchEntry = (extra: object): KafkaMessage =>
  ({
    key: null,
    value: null,
    timestamp: '5',
    attributes: 0,
    offset: '7',
    headers: {},
    ...extra,
  }) as KafkaMessage;

describe('the kafkajs version check', () => {
  it('accepts the proven version and refuses any other with a system error naming both', () => {
    expect(kafkajsVersionRefusal({ version: '2.2.4', root: '/x/kafkajs' })).toBeUndefined();
    const refusal = kafkajsVersionRefusal({ version: '2.2.5', root: '/x/kafkajs' });
    expect(refusal).toBeInstanceOf(ConsumerError);
    expect(refusal).toMatchObject({ code: 'KAFKAJS_NOT_PROVEN', retriable: false });
    expect(refusal?.message).toBe(
      'kafkajs 2.2.5 is installed, but @source-kafka/consumer replaces kafkajs internals proven only on kafkajs 2.2.4: install exactly that version.',
    );
    expect(refusal?.cause).toMatchObject({ message: expect.stringContaining('/x/kafkajs') });
  });

  it('refuses when kafkajs/package.json cannot be read (a bundler inlined kafkajs)', () => {
    const cause = new Error("Cannot find module 'kafkajs/package.json'");
    const refusal = kafkajsVersionRefusal(cause);
    expect(refusal).toMatchObject({ code: 'KAFKAJS_HOOK_MISSING', retriable: false, cause });
  });

  it('lets this repository run: the installed kafkajs is proven and the load-time hooks are in place', () => {
    expect(PROVEN_KAFKAJS_VERSIONS).toEqual(['2.2.4']);
    expect(() => assertKafkajsFenced()).not.toThrow();
    const installed = Object.fromEntries(kafkajsHookStatuses().map((s) => [s.hook, s.installed]));
    expect(installed).toMatchObject({
      version: true,
      'empty-batches': true,
      'private-cluster': true,
      'seek-before-run': true,
      'idle-request-queue': true,
    });
  });
});

describe('the request queue check (idle-request-queue)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const queue = (pending: number, throttledUntil: number) => {
    const checks = { count: 0 };
    const q: KafkajsRequestQueue = {
      throttledUntil,
      throttleCheckTimeoutId: null,
      pending: Array.from({ length: pending }),
      checkPendingRequests: () => {
        checks.count++;
      },
    };
    return { q, checks };
  };

  it('schedules nothing when nothing is pending and the queue is not throttled (kafkajs looped every 1 ms)', () => {
    vi.useFakeTimers();
    const { q, checks } = queue(0, -1);
    scheduleCheckPendingRequests.call(q);
    expect(q.throttleCheckTimeoutId).toBeNull();
    vi.advanceTimersByTime(100);
    expect(checks.count).toBe(0);
  });

  it('checks pending requests after 10 ms, or when a throttle ends, once', () => {
    vi.useFakeTimers();
    const pending = queue(2, -1);
    scheduleCheckPendingRequests.call(pending.q);
    scheduleCheckPendingRequests.call(pending.q); // already scheduled: no second timer
    vi.advanceTimersByTime(9);
    expect(pending.checks.count).toBe(0);
    vi.advanceTimersByTime(1);
    expect(pending.checks.count).toBe(1);
    expect(pending.q.throttleCheckTimeoutId).toBeNull();

    const throttled = queue(0, Date.now() + 50);
    scheduleCheckPendingRequests.call(throttled.q);
    vi.advanceTimersByTime(49);
    expect(throttled.checks.count).toBe(0);
    vi.advanceTimersByTime(1);
    expect(throttled.checks.count).toBe(1);
  });
});

describe('timestampTypeOf', () => {
  it("reads the timestamp type from the record's batch context", () => {
    expect(timestampTypeOf(recordBatchEntry({ batchContext: { timestampType: 1 } }))).toBe('LogAppendTime');
    expect(timestampTypeOf(recordBatchEntry({ batchContext: { timestampType: 0 } }))).toBe('CreateTime');
  });

  it('reads it from the attributes of an old message-set entry, which has no batch', () => {
    const entry = (attributes: number) =>
      ({ key: null, value: null, timestamp: '5', attributes, offset: '7', size: 30 }) as KafkaMessage;
    expect(timestampTypeOf(entry(0x08))).toBe('LogAppendTime');
    expect(timestampTypeOf(entry(0))).toBe('CreateTime');
  });

  it('throws KAFKAJS_HOOK_MISSING for a record batch entry without its batch context, never guessing', () => {
    expect(() => timestampTypeOf(recordBatchEntry({}))).toThrow(
      expect.objectContaining({ code: 'KAFKAJS_HOOK_MISSING', retriable: false }),
    );
    expect(() => timestampTypeOf(recordBatchEntry({ batchContext: {} }))).toThrow(/batch-context/);
  });
});

describe('isSeekBeforeRunError', () => {
  it("matches kafkajs' refusal of a seek before run, and nothing else", () => {
    const refusal = new Error('Consumer group was not initialized, consumer#run must be called first');
    expect(isSeekBeforeRunError(refusal)).toBe(true);
    expect(isSeekBeforeRunError(new Error('Offset must not be a negative number'))).toBe(false);
    expect(isSeekBeforeRunError('consumer#run must be called first')).toBe(false);
  });
});

describe('the kafkajs pin', () => {
  it('is exact in package.json, and a proven version', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(PROVEN_KAFKAJS_VERSIONS).toContain(manifest.dependencies.kafkajs);
  });
});
