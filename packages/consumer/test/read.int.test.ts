import { createTopic, produceMessages } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { collect, deps, offsetsOf, readSelected, recordingLogger, testConfig } from './support.js';

const conn = inject('broker');

function messages(count: number, partition: number, prefix = 'v') {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${i}`,
    value: `${prefix}${partition}-${i}`,
    partition,
  }));
}

describe('bounded reads', () => {
  it('reads a single-partition topic from the beginning to the snapshot end, bytes and metadata intact', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-single', partitions: 1 });
    await produceMessages(conn, topic, [
      { key: 'a', value: 'one', headers: { h1: 'x', h2: ['y', 'z'] }, partition: 0 },
      { key: null, value: null, partition: 0 },
      { key: Buffer.from([0, 255]), value: Buffer.from([1, 2, 3]), partition: 0 },
    ]);
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    const read = await readSelected(config, { starts: [] }, deps);
    expect(read.ranges).toEqual([{ topic, partition: 0, logStart: '0', end: '3', start: '0' }]);
    const { records, summary } = await collect(read);
    expect(records.map((r) => r.offset)).toEqual(['0', '1', '2']);
    expect(records[0]?.key?.toString()).toBe('a');
    expect(records[0]?.value?.toString()).toBe('one');
    expect(records[0]?.headers.map((h) => [h.key, h.value?.toString()])).toEqual([
      ['h1', 'x'],
      ['h2', 'y'],
      ['h2', 'z'],
    ]);
    expect(records[0]?.timestampType).toBe('CreateTime');
    expect(Number(records[0]?.timestamp)).toBeGreaterThan(1_600_000_000_000);
    expect(records[1]?.key).toBeNull();
    expect(records[1]?.value).toBeNull();
    expect(records[2]?.key?.equals(Buffer.from([0, 255]))).toBe(true);
    expect(records[2]?.value?.equals(Buffer.from([1, 2, 3]))).toBe(true);
    expect(summary).toMatchObject({ stopReason: 'end', recordsRead: 3 });
    expect(offsetsOf(summary)).toEqual({ [`${topic}:0`]: '3' });
  });

  it('reads all 12 partitions, resumes from given offsets and finishes empty partitions at once', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-twelve', partitions: 12 });
    // One request per partition: kafkajs' non-idempotent producer, retrying a request that half failed, would
    // duplicate the partitions that had succeeded.
    for (let p = 0; p < 11; p++) await produceMessages(conn, topic, messages(20, p));
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: `${topic}` },
      maxPollRecords: 7,
    });
    const firstRead = await readSelected(config, { starts: [] }, deps);
    const first = await collect(firstRead);
    expect(first.records).toHaveLength(220);
    const expectedEnd = Object.fromEntries(
      Array.from({ length: 12 }, (_, p) => [`${topic}:${p}`, p === 11 ? '0' : '20']),
    );
    expect(offsetsOf(first.summary)).toEqual(expectedEnd);
    for (let p = 0; p < 11; p++) {
      const values = first.records.filter((r) => r.partition === p).map((r) => r.value?.toString());
      expect(values).toEqual(messages(20, p).map((m) => m.value));
    }
    expect(Math.max(...first.batches.map((b) => b.records.length))).toBeLessThanOrEqual(7);

    const starts = Array.from({ length: 12 }, (_, p) => ({
      topic,
      partition: p,
      offset: p === 3 ? '15' : '20',
    }));
    starts[11] = { topic, partition: 11, offset: '0' };
    const resumed = await collect(await readSelected(config, { starts }, deps));
    expect(resumed.records.map((r) => `${r.partition}@${r.offset}`)).toEqual([
      '3@15',
      '3@16',
      '3@17',
      '3@18',
      '3@19',
    ]);
    expect(resumed.summary.stopReason).toBe('end');
  });

  it('reads exactly the snapshotted range while another producer keeps writing', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-live', partitions: 2 });
    for (const p of [0, 1]) await produceMessages(conn, topic, messages(300, p));
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    const read = await readSelected(config, { starts: [] }, deps);
    expect(read.ranges.map((r) => r.end)).toEqual(['300', '300']);
    let writing = true;
    const writer = (async () => {
      let round = 0;
      while (writing) {
        await produceMessages(conn, topic, [
          ...messages(50, 0, `late${round}-`),
          ...messages(50, 1, `late${round}-`),
        ]);
        round++;
      }
      return round;
    })();
    const { records, summary } = await collect(read);
    writing = false;
    const rounds = await writer;
    expect(rounds).toBeGreaterThan(0);
    expect(records).toHaveLength(600);
    expect(records.every((r) => !r.value?.toString().startsWith('late'))).toBe(true);
    expect(offsetsOf(summary)).toEqual({ [`${topic}:0`]: '300', [`${topic}:1`]: '300' });
  });

  it('gives the exact next offset of every partition when the caller stops early, and resumes without loss', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-early-stop', partitions: 3 });
    for (const p of [0, 1, 2]) await produceMessages(conn, topic, messages(40, p));
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
      maxPollRecords: 16,
    });
    const seen = new Map<number, string[]>();
    let starts: { topic: string; partition: number; offset: string }[] = [];
    for (let round = 0; round < 10; round++) {
      const read = await readSelected(config, { starts }, deps);
      const records: { partition: number; offset: string }[] = [];
      // The caller (the app's record cap, a stop signal) closes the read after 50 records or more.
      for await (const batch of read) {
        for (const r of batch.records) records.push({ partition: batch.partition, offset: r.offset });
        if (records.length >= 50) break;
      }
      await read.close();
      const summary = read.summary();
      for (const r of records) seen.set(r.partition, [...(seen.get(r.partition) ?? []), r.offset]);
      // Each next offset is one past the last record handed out for its partition.
      for (const next of summary.nextOffsets) {
        const mine = records.filter((r) => r.partition === next.partition);
        const last = mine[mine.length - 1];
        const previous = starts.find((s) => s.partition === next.partition)?.offset ?? '0';
        expect(next.offset).toBe(last === undefined ? previous : String(Number(last.offset) + 1));
      }
      starts = summary.nextOffsets.map((o) => ({ ...o }));
      if (summary.stopReason === 'end') break;
      expect(summary.stopReason).toBe('closed');
    }
    for (let p = 0; p < 3; p++) {
      expect(seen.get(p)).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    }
  });

  it('starts from latest and from a timestamp without state', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-startpos', partitions: 1 });
    const t0 = Date.now() - 100_000;
    await produceMessages(
      conn,
      topic,
      Array.from({ length: 10 }, (_, i) => ({
        value: `m${i}`,
        partition: 0,
        timestamp: String(t0 + i * 1000),
      })),
    );
    const base = testConfig(conn.plaintext.brokers, { subscription: { type: 'subscribe', pattern: topic } });
    const latest = await collect(
      await readSelected({ ...base, startPosition: { type: 'latest' } }, { starts: [] }, deps),
    );
    expect(latest.records).toHaveLength(0);
    expect(offsetsOf(latest.summary)).toEqual({ [`${topic}:0`]: '10' });
    const fromTs = await collect(
      await readSelected(
        { ...base, startPosition: { type: 'timestamp', timestampMs: t0 + 6500 } },
        { starts: [] },
        deps,
      ),
    );
    expect(fromTs.records.map((r) => r.value?.toString())).toEqual(['m7', 'm8', 'm9']);
  });

  it('reads to the end across many small fetches, each record once and in order', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-small-fetch', partitions: 3 });
    // Twenty produce requests make twenty record batches per partition; a 1 KB fetch holds only a few of them.
    const all = [0, 1, 2].map((p) => messages(200, p));
    for (let i = 0; i < 200; i += 10) {
      await produceMessages(
        conn,
        topic,
        all.flatMap((list) => list.slice(i, i + 10)),
      );
    }
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
      maxPollRecords: 500,
    });
    const read = await readSelected(
      config,
      { starts: [], fetchMaxBytes: 2048, fetchMaxBytesPerPartition: 1024 },
      deps,
    );
    const { records, batches, summary } = await collect(read);
    // With maxPollRecords far above a fetch, every batch is one fetch's worth: many fetches per partition.
    expect(batches.length).toBeGreaterThan(3 * 2);
    for (const p of [0, 1, 2]) {
      expect(records.filter((r) => r.partition === p).map((r) => r.value?.toString())).toEqual(
        messages(200, p).map((m) => m.value),
      );
    }
    expect(summary).toMatchObject({ stopReason: 'end', recordsRead: 600 });
  });

  it('keeps its group membership while a slow caller holds back the read', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-slow', partitions: 2 });
    for (const p of [0, 1]) await produceMessages(conn, topic, messages(30, p));
    const { logger, lines } = recordingLogger();
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
      maxPollRecords: 10,
    });
    // The caller pauses longer than the session timeout: only heartbeats sent while waiting keep the member.
    const read = await readSelected(config, { starts: [], sessionTimeoutMs: 6_000 }, { ...deps, logger });
    const offsets = new Map<number, string[]>();
    let pauses = 0;
    for await (const batch of read) {
      offsets.set(batch.partition, [
        ...(offsets.get(batch.partition) ?? []),
        ...batch.records.map((r) => r.offset),
      ]);
      if (pauses < 2) {
        pauses++;
        await new Promise((resolve) => setTimeout(resolve, 8_000));
      }
    }
    await read.close();
    for (const p of [0, 1]) expect(offsets.get(p)).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    expect(read.summary().stopReason).toBe('end');
    expect(lines.filter((l) => l.startsWith('warn'))).toEqual([]);
  });

  it('reads exactly the assigned partitions', async () => {
    const topic = await createTopic(conn, { prefix: 'consumer-assign', partitions: 4 });
    await produceMessages(
      conn,
      topic,
      [0, 1, 2, 3].flatMap((p) => messages(5, p)),
    );
    const config = testConfig(conn.plaintext.brokers, {
      subscription: {
        type: 'assign',
        partitions: [
          { topic, partition: 1 },
          { topic, partition: 3 },
        ],
      },
    });
    const { records } = await collect(await readSelected(config, { starts: [] }, deps));
    expect([...new Set(records.map((r) => r.partition))].sort()).toEqual([1, 3]);
    expect(records).toHaveLength(10);
  });
});
