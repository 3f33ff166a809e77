// The caller's side of a bounded read on fake time: the client side is this test, feeding events as kafkajs
// would, and every wait runs on vitest's fake timers and clock.
import { globalTimers, settleWithin } from '@source-kafka/testkit/fake-time';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsumerError } from './errors.js';
import { emptyWaitVerdict, ReadLoop, type WaitRules, waitLimitMs } from './read-loop.js';
import type { KafkaRecord, PartitionRange, RecordBatch } from './types.js';

const rules: WaitRules = { stallTimeoutMs: 30_000, joinTimeoutMs: 60_000 };

function record(offset: number): KafkaRecord {
  return {
    offset: String(offset),
    timestamp: '0',
    timestampType: 'CreateTime',
    key: null,
    value: null,
    headers: [],
  };
}

function batch(topic: string, partition: number, from: number, to: number): RecordBatch {
  const records = Array.from({ length: to - from }, (_, i) => record(from + i));
  return { topic, partition, records, nextOffset: String(to) };
}

function range(topic: string, partition: number, start: number, end: number): PartitionRange {
  return { topic, partition, logStart: '0', start: String(start), end: String(end) };
}

function loop(ranges: PartitionRange[], options: { capacity?: number } = {}) {
  const warnings: string[] = [];
  const calls = { start: 0, release: 0 };
  const read = new ReadLoop(
    {
      ranges,
      rules,
      capacity: options.capacity ?? 10,
      where: 'group g.read.1 on b:9092',
      start: async () => {
        calls.start++;
      },
      release: async () => {
        calls.release++;
      },
    },
    {
      clock: { now: () => Date.now() },
      timers: globalTimers,
      logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} },
    },
  );
  return { read, warnings, calls };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  settleWithin(promise, ms, (t) => vi.advanceTimersByTimeAsync(t));

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the wait rules', () => {
  it('waits until the join deadline before the join, and one stall timeout after it', () => {
    expect(waitLimitMs(rules, { joined: false, joinStartedAt: 0 }, 10_000)).toBe(50_000);
    expect(waitLimitMs(rules, { joined: false, joinStartedAt: 0 }, 70_000)).toBe(1);
    expect(waitLimitMs(rules, { joined: true, joinStartedAt: 0 }, 10_000)).toBe(30_000);
  });

  it('calls an empty wait a join timeout, a stall, or neither', () => {
    const notJoined = { joined: false, joinStartedAt: 0 };
    const joined = { joined: true, joinStartedAt: 0 };
    expect(emptyWaitVerdict(rules, notJoined, { from: 0, joinedBefore: false }, 59_999)).toBe('join_timeout');
    expect(emptyWaitVerdict(rules, notJoined, { from: 0, joinedBefore: false }, 30_000)).toBeUndefined();
    expect(emptyWaitVerdict(rules, joined, { from: 5_000, joinedBefore: true }, 35_000)).toBe('stalled');
    expect(emptyWaitVerdict(rules, joined, { from: 5_000, joinedBefore: true }, 20_000)).toBeUndefined();
    // The join interrupted a wait that began before it: the stall clock starts at the join, not then.
    expect(emptyWaitVerdict(rules, joined, { from: 5_000, joinedBefore: false }, 65_000)).toBeUndefined();
  });
});

describe('a read loop on fake time', () => {
  it('hands out batches in order and ends once every partition reached its end', async () => {
    const { read, calls } = loop([range('t', 0, 0, 4), range('t', 1, 2, 2)]);
    const first = read.next();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.start).toBe(1);
    read.onJoined();
    void read.push(batch('t', 0, 0, 2));
    void read.push(batch('t', 0, 2, 4));
    expect((await first).value).toEqual(batch('t', 0, 0, 2));
    expect((await read.next()).value).toEqual(batch('t', 0, 2, 4));
    expect(await read.next()).toEqual({ done: true, value: undefined });
    expect(read.summary()).toEqual({
      stopReason: 'end',
      recordsRead: 4,
      nextOffsets: [
        { topic: 't', partition: 0, offset: '4' },
        { topic: 't', partition: 1, offset: '2' },
      ],
    });
  });

  it('stops as stalled after the stall timeout with no batch once joined, offsets exact', async () => {
    const { read, warnings } = loop([range('t', 0, 0, 10)]);
    const first = read.next();
    await vi.advanceTimersByTimeAsync(0);
    read.onJoined();
    void read.push(batch('t', 0, 0, 3));
    expect((await first).value?.records).toHaveLength(3);

    const waiting = read.next();
    expect((await within(waiting, rules.stallTimeoutMs - 1_000)).settled).toBe(false);
    const ended = await within(waiting, 1_000);
    expect(ended).toMatchObject({ settled: true, value: { done: true } });
    expect(read.summary()).toMatchObject({
      stopReason: 'stalled',
      nextOffsets: [{ topic: 't', partition: 0, offset: '3' }],
    });
    expect(warnings).toEqual([expect.stringContaining('Partitions still open: t:0 at offset 3 (end 10)')]);
  });

  it('does not stall while batches keep coming, however long the read takes', async () => {
    const { read } = loop([range('t', 0, 0, 100)]);
    const first = read.next();
    await vi.advanceTimersByTimeAsync(0);
    read.onJoined();
    let pending = first;
    for (let from = 0; from < 100; from += 10) {
      // Each batch comes just before the stall timeout would pass.
      await vi.advanceTimersByTimeAsync(rules.stallTimeoutMs - 10);
      void read.push(batch('t', 0, from, from + 10));
      expect((await pending).value?.records[0]?.offset).toBe(String(from));
      pending = read.next();
    }
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(read.summary().stopReason).toBe('end');
  });

  it('gives the group join its own deadline: a slow join is no stall, a missed one is a retriable TIMEOUT', async () => {
    const { read } = loop([range('t', 0, 0, 10)]);
    const waiting = read.next();
    // Past the stall timeout but within the join deadline: still waiting for the join.
    expect((await within(waiting, rules.stallTimeoutMs + 5_000)).settled).toBe(false);
    const failed = await within(waiting, rules.joinTimeoutMs);
    expect(failed.settled).toBe(true);
    expect(failed.error).toBeInstanceOf(ConsumerError);
    expect(failed.error).toMatchObject({ code: 'TIMEOUT', retriable: true });
    expect((failed.error as Error).message).toContain('group g.read.1 on b:9092');
  });

  it('starts the stall clock at the join, not at the start of the wait the join interrupted', async () => {
    const { read } = loop([range('t', 0, 0, 10)]);
    const waiting = read.next();
    // A slow join: longer than the stall timeout, within the join deadline.
    await vi.advanceTimersByTimeAsync(rules.stallTimeoutMs + 5_000);
    read.onJoined();
    // 1 s after the join is well within the stall timeout, though the wait began 36 s earlier.
    expect((await within(waiting, 1_000)).settled).toBe(false);
    expect((await within(waiting, rules.stallTimeoutMs)).value).toEqual({ done: true, value: undefined });
    expect(read.summary().stopReason).toBe('stalled');
  });

  it('throws a failure the client side reports, and releases the client', async () => {
    const { read, calls } = loop([range('t', 0, 0, 10)]);
    const waiting = read.next();
    await vi.advanceTimersByTimeAsync(0);
    const crash = ConsumerError.retriable('BROKERS_UNREACHABLE', 'Could not reach the Kafka brokers b:9092');
    read.fail(crash);
    await expect(waiting).rejects.toBe(crash);
    await read.stop('closed');
    expect(calls.release).toBe(1);
  });

  it('moves past offsets that hold no record for the caller, so a partition ending in markers finishes', async () => {
    const { read } = loop([range('t', 0, 0, 5)]);
    const first = read.next();
    await vi.advanceTimersByTimeAsync(0);
    read.onJoined();
    void read.push(batch('t', 0, 0, 3));
    await first;
    // Offsets 3 and 4 are a commit marker and an aborted message: no batch, only a move.
    expect(read.advance('t', 0, 5n)).toBe(5n);
    expect(await read.next()).toEqual({ done: true, value: undefined });
    expect(read.summary()).toMatchObject({ stopReason: 'end', recordsRead: 3 });
  });

  it('ends a wait when closed, without waiting for the client to let go', async () => {
    let letGo: () => void = () => undefined;
    const read = new ReadLoop(
      {
        ranges: [range('t', 0, 0, 10)],
        rules,
        capacity: 10,
        where: 'group g',
        start: async () => {},
        release: () =>
          new Promise<void>((resolve) => {
            letGo = resolve;
          }),
      },
      {
        clock: { now: () => Date.now() },
        timers: globalTimers,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      },
    );
    const waiting = read.next();
    await vi.advanceTimersByTimeAsync(0);
    read.onJoined();
    const closing = read.stop('closed');
    expect((await within(waiting, 0)).value).toEqual({ done: true, value: undefined });
    // Leaving the group (a frozen broker) is still under way: only close()/stop() wait for it.
    expect((await within(closing, 60_000)).settled).toBe(false);
    letGo();
    await closing;
    expect(read.summary().stopReason).toBe('closed');
  });

  it('holds the client back while the caller has a full hand-off', async () => {
    const { read } = loop([range('t', 0, 0, 20)], { capacity: 5 });
    const pushedA = read.push(batch('t', 0, 0, 5));
    const pushedB = read.push(batch('t', 0, 5, 10));
    expect((await within(pushedA, 0)).settled).toBe(true);
    expect((await within(pushedB, 10_000)).settled).toBe(false);
    expect((await read.next()).value?.records).toHaveLength(5);
    expect((await within(pushedB, 0)).settled).toBe(true);
  });
});
