import type { PartitionRange, RecordBatch } from '@source-kafka/consumer';
import { describe, expect, it } from 'vitest';
import { sourceConfig } from '../test/fixtures/source-config.js';
import { InvalidStateError } from './errors.js';
import type { KafkaPort, ReadStart } from './ports.js';
import type { AirbyteMessage, AirbyteMessageSink } from './protocol.js';
import { readStreams } from './read.js';
import { parseTopicState } from './state.js';

const OLD_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const NEW_ID = 'BBBBBBBBBBBBBBBBBBBBBB';

const config = sourceConfig;

/** A topic of two empty partitions whose ID the port reports: the read only plans where each partition starts. */
function port(topicId: string | undefined): KafkaPort & { opened: ReadStart[] } {
  const fake = {
    opened: [] as ReadStart[],
    listTopics: async () => [{ name: 'orders', partitions: 2 }],
    topicIds: async () => (topicId === undefined ? undefined : new Map([['orders', topicId]])),
    async openRead(starts: readonly ReadStart[]) {
      fake.opened = [...starts];
      const ranges: PartitionRange[] = starts.map((s) => {
        const start = s.offset ?? '0';
        return { topic: s.topic, partition: s.partition, logStart: '0', start, end: start };
      });
      return {
        ranges,
        reports: [],
        batches: (async function* (): AsyncGenerator<RecordBatch> {})(),
        commit: async () => {},
        finalOffsets: () => ranges.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.start })),
        stopReason: () => 'end' as const,
        close: async () => {},
      };
    },
    sampleLatest: async () => new Map(),
    checkTopicReadable: async () => {},
    close: async () => {},
  };
  return fake;
}

async function read(kafka: KafkaPort, state: unknown) {
  const messages: AirbyteMessage[] = [];
  const logs: string[] = [];
  const writer: AirbyteMessageSink = {
    write: (m) => messages.push(structuredClone(m)) > 0,
    writeRecord: () => true,
    writeRecordData: () => true,
    ready: async () => {},
    flush: async () => {},
  };
  const logger = {
    log: () => {},
    debug: () => {},
    info: () => {},
    warn: (m: string) => logs.push(m),
    error: () => {},
  };
  await readStreams({
    config,
    streams: [{ name: 'orders', syncMode: 'incremental' }],
    states: new Map([['orders', state]]),
    kafka,
    decoders: { key: () => null, value: () => null },
    ctx: { writer, logger, clock: { now: () => 0 }, signal: new AbortController().signal },
  });
  const states = messages.flatMap((m) => (m.type === 'STATE' ? [m.state.stream?.stream_state] : []));
  return { logs, last: states.at(-1) };
}

describe('a topic deleted and recreated since the last sync', () => {
  it('is noticed by its new topic ID, whatever its size: the saved offsets are dropped with a warning', async () => {
    const kafka = port(NEW_ID);
    const { logs, last } = await read(kafka, {
      version: 1,
      partitions: { '0': '100', '1': '7' },
      topic_id: OLD_ID,
    });
    expect(kafka.opened).toEqual([
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ]);
    expect(logs.join('\n')).toMatch(
      new RegExp(`Topic "orders" was deleted and recreated since the last sync: its topic ID is ${NEW_ID}`),
    );
    expect(last).toEqual({ version: 1, partitions: { '0': '0', '1': '0' }, topic_id: NEW_ID });
  });

  it('keeps the offsets of the same topic, and records its ID in a state written before IDs were kept', async () => {
    const same = port(OLD_ID);
    await read(same, { version: 1, partitions: { '0': '100', '1': '7' }, topic_id: OLD_ID });
    expect(same.opened).toEqual([
      { topic: 'orders', partition: 0, offset: '100' },
      { topic: 'orders', partition: 1, offset: '7' },
    ]);
    const legacy = port(OLD_ID);
    const { logs, last } = await read(legacy, { version: 1, partitions: { '0': '100', '1': '7' } });
    expect(legacy.opened.map((s) => s.offset)).toEqual(['100', '7']);
    expect(logs).toEqual([]);
    expect(last).toEqual({ version: 1, partitions: { '0': '100', '1': '7' }, topic_id: OLD_ID });
  });

  it('keeps the offsets, and writes no ID, when the cluster has no topic IDs', async () => {
    const kafka = port(undefined);
    const { last } = await read(kafka, {
      version: 1,
      partitions: { '0': '100', '1': '7' },
      topic_id: OLD_ID,
    });
    expect(kafka.opened.map((s) => s.offset)).toEqual(['100', '7']);
    expect(last).toEqual({ version: 1, partitions: { '0': '100', '1': '7' } });
  });
});

describe('topic_id in a stream state', () => {
  it('is optional (null counts as absent) and must look like a Kafka topic ID', () => {
    expect(parseTopicState('s', { version: 1, partitions: {}, topic_id: null })).toEqual({
      version: 1,
      partitions: {},
    });
    expect(parseTopicState('s', { version: 1, partitions: {}, topic_id: NEW_ID }).topicId).toBe(NEW_ID);
    expect(() => parseTopicState('s', { version: 1, partitions: {}, topic_id: 'nope' })).toThrow(
      InvalidStateError,
    );
    expect(() => parseTopicState('s', { version: 1, partitions: {}, topic_id: 5 })).toThrow(/topic_id/);
  });
});
