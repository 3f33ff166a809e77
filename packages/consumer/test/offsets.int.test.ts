import { createKafka, createTopic, produceMessages, withAdmin } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { ConsumerError, createOffsetCommitter } from '../src/index.js';
import {
  collect,
  createCompactingTopic,
  deps,
  offsetsOf,
  overwriteKeys,
  readOnceCompacted,
  readSelected,
  recordingLogger,
  testConfig,
} from './support.js';

const conn = inject('broker');

const values = (prefix: string, count: number, partition = 0) =>
  Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `${prefix}${i}`, partition }));

describe('transactions', () => {
  it('hands out only committed messages under read_committed and finishes past the control records', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-txn', partitions: 2 });
    await produceMessages(conn, topic, values('c0-', 3, 0), { transaction: 'commit' });
    await produceMessages(conn, topic, values('a0-', 3, 0), { transaction: 'abort' });
    await produceMessages(conn, topic, values('a1-', 3, 1), { transaction: 'abort' });
    await produceMessages(conn, topic, values('c1-', 2, 1), { transaction: 'commit' });
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    const read = await readSelected(config, { starts: [] }, deps);
    // 3 records + commit marker, 3 aborted records + abort marker.
    expect(read.ranges.map((r) => r.end)).toEqual(['8', '7']);
    const { records, summary } = await collect(read);
    expect(records.map((r) => r.value?.toString()).sort()).toEqual(['c0-0', 'c0-1', 'c0-2', 'c1-0', 'c1-1']);
    expect(summary.stopReason).toBe('end');
    expect(offsetsOf(summary)).toEqual({ [`${topic}:0`]: '8', [`${topic}:1`]: '7' });

    const uncommitted = await collect(
      await readSelected({ ...config, isolationLevel: 'read_uncommitted' }, { starts: [] }, deps),
    );
    expect(uncommitted.records).toHaveLength(11);
  });

  it('stops at the last stable offset while a transaction is open, at the high watermark under read_uncommitted', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-txn-open', partitions: 1 });
    await produceMessages(conn, topic, values('before-', 2));
    const producer = createKafka(conn).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `consumer-open-${topic}`,
    });
    await producer.connect();
    const transaction = await producer.transaction();
    try {
      await transaction.send({ topic, messages: [{ value: 'open-0', partition: 0 }] });
      await produceMessages(conn, topic, values('after-', 1));
      const config = testConfig(conn.plaintext.brokers, {
        subscription: { type: 'subscribe', pattern: topic },
      });
      const read = await readSelected(config, { starts: [] }, deps);
      expect(read.ranges[0]?.end).toBe('2');
      const { records, summary } = await collect(read);
      expect(records.map((r) => r.value?.toString())).toEqual(['before-0', 'before-1']);
      expect(offsetsOf(summary)).toEqual({ [`${topic}:0`]: '2' });

      // read_uncommitted ends at the high watermark instead, open transaction included.
      const uncommitted = await readSelected(
        { ...config, isolationLevel: 'read_uncommitted' },
        { starts: [] },
        deps,
      );
      expect(uncommitted.ranges[0]?.end).toBe('4');
      const all = await collect(uncommitted);
      expect(all.records.map((r) => r.value?.toString())).toEqual([
        'before-0',
        'before-1',
        'open-0',
        'after-0',
      ]);
      expect(offsetsOf(all.summary)).toEqual({ [`${topic}:0`]: '4' });
    } finally {
      await transaction.abort();
      await producer.disconnect();
    }
  });
});

describe('offset edge cases', () => {
  it('reports the records lost to retention and continues from the log start (the caller decides whether a gap fails)', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-retention', partitions: 1 });
    await produceMessages(conn, topic, values('r', 10));
    await withAdmin(conn, async (admin) => {
      // kafkajs' deleteTopicRecords needs the topic's metadata loaded first.
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
    });
    const { logger, lines } = recordingLogger();
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    const read = await readSelected(
      config,
      { starts: [{ topic, partition: 0, offset: '2' }] },
      { ...deps, logger },
    );
    expect(read.reports).toEqual([
      { kind: 'retention_gap', topic, partition: 0, requestedOffset: '2', logStart: '6', lostOffsets: '4' },
    ]);
    expect(lines.some((l) => l.startsWith('warn') && l.includes('4 offsets were deleted by retention'))).toBe(
      true,
    );
    const { records } = await collect(read);
    expect(records.map((r) => r.offset)).toEqual(['6', '7', '8', '9']);
  });

  it('stops cleanly as stalled, with exact offsets, when the records before the end vanish mid-read', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-stall', partitions: 1 });
    await produceMessages(conn, topic, values('s', 10));
    const { logger, lines } = recordingLogger();
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    const read = await readSelected(config, { starts: [], stallTimeoutMs: 3_000 }, { ...deps, logger });
    expect(read.ranges[0]?.end).toBe('10');
    // Retention removes everything after the snapshot: nothing left between the position and the end.
    await withAdmin(conn, async (admin) => {
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '10' }] });
    });
    const { records, summary } = await collect(read);
    expect(records).toHaveLength(0);
    expect(summary.stopReason).toBe('stalled');
    expect(offsetsOf(summary)).toEqual({ [`${topic}:0`]: '0' });
    expect(lines.some((l) => l.startsWith('warn') && l.includes(`${topic}:0 at offset 0 (end 10)`))).toBe(
      true,
    );
  });

  it('applies the stall timeout only once the group is joined: a tiny one stops as stalled, not as a join failure', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-stall-join', partitions: 1 });
    await produceMessages(conn, topic, values('s', 4));
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    // 1 ms is far shorter than any group join; the join keeps its own deadline (3 x request timeout).
    const read = await readSelected(config, { starts: [], stallTimeoutMs: 1 }, deps);
    await withAdmin(conn, async (admin) => {
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
    });
    const { records, summary } = await collect(read);
    expect(records).toHaveLength(0);
    expect(summary.stopReason).toBe('stalled');
    expect(offsetsOf(summary)).toEqual({ [`${topic}:0`]: '0' });
  });

  it('detects a state offset beyond the end (recreated topic) and reads from the start position', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-beyond', partitions: 1 });
    await produceMessages(conn, topic, values('b', 3));
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    const read = await readSelected(config, { starts: [{ topic, partition: 0, offset: '500' }] }, deps);
    expect(read.reports).toEqual([
      { kind: 'offset_beyond_end', topic, partition: 0, requestedOffset: '500', end: '3' },
    ]);
    const { records } = await collect(read);
    expect(records.map((r) => r.offset)).toEqual(['0', '1', '2']);
  });

  it('fails a partition without state under auto_offset_reset none, naming it', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-none', partitions: 1 });
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
      startPosition: { type: 'none' },
    });
    await expect(readSelected(config, { starts: [] }, deps)).rejects.toThrowError(`${topic}:0 has no offset`);
  });

  it('reads a compacted topic with offset gaps to its end, and resumes from a compacted-away offset', async () => {
    const topic = await createCompactingTopic(conn, 'consumer-compacted');
    // 5 keys overwritten 40 times each. The fixture producer is idempotent, so the cleaner leaves empty batch
    // headers behind (each producer's last batch): the read must step over them, where plain kafkajs would
    // fetch the same offset until the stall timeout.
    const latest = await overwriteKeys(conn, topic, { rounds: 40, keys: 5, padding: 100 });
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
      maxPollRecords: 3,
    });
    const result = await readOnceCompacted(() => readSelected(config, { starts: [] }, deps), 200);
    const offsets = result.records.map((r) => Number(r.offset));
    expect(offsets.length).toBeLessThan(200);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(result.summary.stopReason).toBe('end');
    expect(offsetsOf(result.summary)).toEqual({ [`${topic}:0`]: '200' });
    const lastByKey = new Map<string, string>();
    for (const r of result.records) lastByKey.set(r.key?.toString() ?? '', r.value?.toString() ?? '');
    expect(lastByKey).toEqual(latest);

    // The first hole, counting one before offset 0 (the cleaner may have emptied the head of the log).
    const gap = offsets.findIndex((o, i) => o - (offsets[i - 1] ?? -1) > 1);
    expect(gap).toBeGreaterThanOrEqual(0);
    const missing = String((offsets[gap - 1] ?? -1) + 1);
    const resumed = await collect(
      await readSelected(config, { starts: [{ topic, partition: 0, offset: missing }] }, deps),
    );
    // The cleaner may keep working between the two reads: it only ever removes, never adds.
    const resumedOffsets = resumed.records.map((r) => Number(r.offset));
    expect(resumedOffsets.length).toBeGreaterThan(0);
    expect(resumedOffsets[0]).toBeGreaterThan(Number(missing));
    expect(resumedOffsets.every((o) => offsets.includes(o))).toBe(true);
    expect(resumedOffsets).toEqual([...resumedOffsets].sort((a, b) => a - b));
    expect(offsetsOf(resumed.summary)).toEqual({ [`${topic}:0`]: '200' });
  });
});

describe('commitOffsets', () => {
  it('writes checkpointed offsets to config.groupId for lag dashboards', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-commit', partitions: 2 });
    const groupId = `consumer-commit-${topic}`;
    const config = testConfig(conn.plaintext.brokers, { groupId });
    const committer = createOffsetCommitter(config, config.groupId, deps);
    try {
      await committer.commit([
        { topic, partition: 0, offset: '0' },
        { topic, partition: 1, offset: '0' },
      ]);
      await produceMessages(conn, topic, values('c', 3, 1));
      await committer.commit([{ topic, partition: 1, offset: '3' }]);
    } finally {
      await committer.close();
    }
    const committed = await withAdmin(conn, (admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
    expect(committed[0]?.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '0'],
      [1, '3'],
    ]);
  });

  it('commits several topics and partitions as a standalone consumer, without joining the group', async () => {
    const topics = await Promise.all(
      [1, 3, 2].map((partitions) => createTopic(conn, { prefix: 'consumer-commit-many', partitions })),
    );
    const [one, three, two] = topics as [string, string, string];
    await produceMessages(
      conn,
      three,
      [0, 1, 2].flatMap((p) => values(`p${p}-`, 5 + p, p)),
    );
    await produceMessages(conn, two, [...values('a', 4, 0), ...values('b', 9, 1)]);
    await produceMessages(conn, one, values('o', 2, 0));
    const groupId = `consumer-commit-many-${one}`;
    const committer = createOffsetCommitter(testConfig(conn.plaintext.brokers), groupId, deps);
    try {
      await committer.commit([
        { topic: three, partition: 0, offset: '5' },
        { topic: three, partition: 1, offset: '1' },
        { topic: three, partition: 2, offset: '7' },
        { topic: two, partition: 1, offset: '9' },
        { topic: one, partition: 0, offset: '2' },
      ]);
      // A later checkpoint moves some partitions on and leaves the others as they were.
      await committer.commit([
        { topic: three, partition: 1, offset: '6' },
        { topic: two, partition: 0, offset: '4' },
      ]);
    } finally {
      await committer.close();
    }
    const { committed, state } = await withAdmin(conn, async (admin) => ({
      committed: await admin.fetchOffsets({ groupId, topics }),
      state: (await admin.describeGroups([groupId])).groups[0],
    }));
    const byTopic = Object.fromEntries(
      committed.map(({ topic, partitions }) => [
        topic,
        partitions.map((p) => [p.partition, p.offset]).sort((a, b) => Number(a[0]) - Number(b[0])),
      ]),
    );
    expect(byTopic).toEqual({
      [one]: [[0, '2']],
      [three]: [
        [0, '5'],
        [1, '6'],
        [2, '7'],
      ],
      [two]: [
        [0, '4'],
        [1, '9'],
      ],
    });
    // Standalone commits never make the committer a member: the group holds offsets only.
    expect(state).toMatchObject({ groupId, state: 'Empty', members: [] });
  });

  it('refuses with GROUP_HAS_ACTIVE_MEMBERS while another consumer is a member of the group', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-commit-busy', partitions: 2 });
    const groupId = `consumer-commit-busy-${topic}`;
    const member = createKafka(conn).consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const joined = new Promise<void>((resolve) => {
      member.on(member.events.GROUP_JOIN, () => resolve());
    });
    await member.connect();
    const committer = createOffsetCommitter(testConfig(conn.plaintext.brokers), groupId, deps);
    try {
      await member.subscribe({ topics: [topic], fromBeginning: true });
      await member.run({ eachMessage: async () => undefined });
      await joined;
      const error = await committer.commit([{ topic, partition: 0, offset: '0' }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConsumerError);
      expect(error).toMatchObject({ code: 'GROUP_HAS_ACTIVE_MEMBERS', retriable: false });
      expect((error as Error).message).toContain(`consumer group "${groupId}"`);
      expect((error as Error).message).toContain('another consumer is an active member');
    } finally {
      await committer.close();
      await member.disconnect();
    }
    const committed = await withAdmin(conn, (admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
    // Nothing was written: both partitions still have no committed offset.
    expect(committed[0]?.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
  });
});
