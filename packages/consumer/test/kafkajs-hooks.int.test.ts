// Canaries for the kafkajs hooks (src/kafkajs-internals.ts): each test asserts that its hook is in place AND that
// the behaviour it buys happens against the real broker, so a kafkajs whose internals moved fails here, loudly,
// rather than in a user's sync. The README's "kafkajs hooks" section maps each hook to its test.
import { createKafka, createTopic, produceMessages, withAdmin } from '@source-kafka/testkit';
import { describe, expect, inject, it, vi } from 'vitest';
import { createOffsetCommitter } from '../src/index.js';
import {
  assertKafkajsFenced,
  batchContextStatus,
  emptyBatchesStatus,
  emptyBatchesStepped,
  idleRequestQueueStatus,
  isSeekBeforeRunError,
  kafkajsVersionStatus,
  PROVEN_KAFKAJS_VERSIONS,
  privateClusterStatus,
  seekBeforeRunStatus,
} from '../src/kafkajs-internals.js';
import {
  collect,
  createCompactingTopic,
  deps,
  offsetsOf,
  overwriteKeys,
  readOnceCompacted,
  readSelected,
  testConfig,
} from './support.js';

const conn = inject('broker');

describe('kafkajs hooks (canaries)', () => {
  it('version: the kafkajs in node_modules is a proven one, and the package lets clients be made', () => {
    const status = kafkajsVersionStatus();
    expect(status.installed, status.detail).toBe(true);
    expect(PROVEN_KAFKAJS_VERSIONS.some((v) => status.detail.startsWith(`kafkajs ${v} at `))).toBe(true);
    expect(() => assertKafkajsFenced()).not.toThrow();
  });

  it('empty-batches: a compacted topic whose cleaner left empty batches is read to its end, stepping over them', async () => {
    const status = emptyBatchesStatus();
    expect(status.installed, status.detail).toBe(true);
    const topic = await createCompactingTopic(conn, 'canary-empty-batches');
    // 3 keys overwritten 20 times, each round by a new idempotent producer: once the cleaner has run, every
    // round but the last is an empty batch header (a producer's last batch is kept), whole segments of them.
    const rounds = 20;
    const latest = await overwriteKeys(conn, topic, { rounds, keys: 3, padding: 200 });
    const end = String(rounds * 3);
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    let before = 0;
    const result = await readOnceCompacted(
      () => readSelected(config, { starts: [] }, deps),
      rounds * 3,
      () => {
        before = emptyBatchesStepped();
      },
    );
    expect(result.records.length).toBeLessThan(rounds * 3);
    // The read got past the empty batches to the snapshot end, where plain kafkajs refetches the first one until
    // the read stops as stalled...
    expect(result.summary.stopReason).toBe('end');
    expect(offsetsOf(result.summary)).toEqual({ [`${topic}:0`]: end });
    // ...because the replacement decoder saw them in this read's fetches.
    expect(emptyBatchesStepped()).toBeGreaterThan(before);
    const lastByKey = new Map(
      result.records.map((r) => [r.key?.toString() ?? '', r.value?.toString() ?? '']),
    );
    expect(lastByKey).toEqual(latest);
  });

  it('private-cluster: read_uncommitted ends at the high watermark past an open transaction, and commits join no group', async () => {
    const status = privateClusterStatus();
    expect(status.installed, status.detail).toBe(true);
    const topic = await createTopic(conn, { prefix: 'canary-private-cluster', partitions: 1 });
    await produceMessages(conn, topic, [{ value: 'committed', partition: 0 }]);
    const producer = createKafka(conn).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `canary-open-${topic}`,
    });
    await producer.connect();
    const transaction = await producer.transaction();
    try {
      await transaction.send({ topic, messages: [{ value: 'open', partition: 0 }] });
      const config = testConfig(conn.plaintext.brokers, {
        subscription: { type: 'subscribe', pattern: topic },
        isolationLevel: 'read_uncommitted',
      });
      // kafkajs' public admin only knows the last stable offset (1 here); the high watermark is 2.
      const { records, summary } = await collect(await readSelected(config, { starts: [] }, deps));
      expect(records.map((r) => r.value?.toString())).toEqual(['committed', 'open']);
      expect(offsetsOf(summary)).toEqual({ [`${topic}:0`]: '2' });
    } finally {
      await transaction.abort();
      await producer.disconnect();
    }

    const groupId = `canary-commit-${topic}`;
    const committer = createOffsetCommitter(testConfig(conn.plaintext.brokers), groupId, deps);
    try {
      await committer.commit([{ topic, partition: 0, offset: '1' }]);
    } finally {
      await committer.close();
    }
    const { committed, group } = await withAdmin(conn, async (admin) => ({
      committed: await admin.fetchOffsets({ groupId, topics: [topic] }),
      group: (await admin.describeGroups([groupId])).groups[0],
    }));
    expect(committed[0]?.partitions.map((p) => [p.partition, p.offset])).toEqual([[0, '1']]);
    // A standalone OffsetCommit (generation -1): the group has offsets and never had a member.
    expect(group).toMatchObject({ groupId, state: 'Empty', members: [] });
  });

  it('batch-context: each record keeps its batch timestamp type, LogAppendTime as well as CreateTime', async () => {
    const appendTime = await createTopic(conn, {
      prefix: 'canary-log-append-time',
      config: { 'message.timestamp.type': 'LogAppendTime' },
    });
    const createTime = await createTopic(conn, { prefix: 'canary-create-time' });
    const written = '1000000000000';
    for (const topic of [appendTime, createTime]) {
      await produceMessages(conn, topic, [{ value: 'a', timestamp: written, partition: 0 }]);
    }
    const readOne = async (topic: string) => {
      const config = testConfig(conn.plaintext.brokers, {
        subscription: { type: 'subscribe', pattern: topic },
      });
      const { records } = await collect(await readSelected(config, { starts: [] }, deps));
      expect(records).toHaveLength(1);
      return records[0];
    };
    const appended = await readOne(appendTime);
    expect(appended?.timestampType).toBe('LogAppendTime');
    // The broker's clock, not the producer's.
    expect(appended?.timestamp).not.toBe(written);
    const created = await readOne(createTime);
    expect(created).toMatchObject({ timestampType: 'CreateTime', timestamp: written });
    const status = batchContextStatus();
    expect(status.installed, status.detail).toBe(true);
  });

  it('seek-before-run: kafkajs still refuses a seek on a consumer not running with the text the read matches', async () => {
    const status = seekBeforeRunStatus();
    expect(status.installed, status.detail).toBe(true);
    const consumer = createKafka(conn).consumer({ groupId: `canary-seek-${Date.now()}` });
    await consumer.connect();
    try {
      let thrown: unknown;
      try {
        consumer.seek({ topic: 'canary-seek', partition: 0, offset: '0' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(isSeekBeforeRunError(thrown)).toBe(true);
    } finally {
      await consumer.disconnect();
    }
  });

  it('idle-request-queue: a connected client with nothing to send sets no timers and Node prints no warning', async () => {
    const status = idleRequestQueueStatus();
    expect(status.installed, status.detail).toBe(true);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    // Every timer kafkajs asks for while the client is connected and idle; unpatched, each connection asked
    // for one with a delay of minus the current time, every millisecond.
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      callback: () => void,
      delay?: number,
    ) => {
      delays.push(delay ?? 0);
      return realSetTimeout(callback, delay);
    }) as typeof setTimeout);
    try {
      await withAdmin(conn, async (admin) => {
        await admin.listTopics();
        delays.length = 0;
        await new Promise<void>((resolve) => realSetTimeout(resolve, 300));
        expect(delays.filter((d) => d <= 1)).toEqual([]);
        await admin.listTopics();
      });
    } finally {
      spy.mockRestore();
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutNegativeWarning');
  });
});
