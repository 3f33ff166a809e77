import { Writable } from 'node:stream';
import { type AirbyteRecordMessageMeta, MessageWriter } from '@source-kafka/airbyte-protocol';
import {
  ConsumerError,
  consumerErrorCodes,
  type KafkaRecord,
  type OffsetReport,
  type PartitionRange,
  type RecordBatch,
  type StopReason,
  type Timers,
} from '@source-kafka/consumer';
import { createDeserializer, createJsonTextDeserializer, type JsonValue } from '@source-kafka/deserializers';
import type { KafkaSourceConfig } from '@source-kafka/spec';
import { globalTimers, settleWithin as settleOnFakeTime } from '@source-kafka/testkit/fake-time';
import { describe, expect, it, vi } from 'vitest';
import { decoders, msg } from '../test/fixtures/records.js';
import { sourceConfig } from '../test/fixtures/source-config.js';
import {
  InvalidCatalogError,
  InvalidStateError,
  PoisonMessageError,
  ReadStalledError,
  RetentionGapError,
} from './errors.js';
import { failureTypeOf } from './failure-types.js';
import type { Decoders, KafkaPort, ReadStart, TopicOffset } from './ports.js';
import type { AirbyteMessage, AirbyteMessageSink } from './protocol.js';
import { type ConfiguredStream, readStreams } from './read.js';

const baseConfig = sourceConfig;

/** An in-memory topic: partition -> messages at offsets 0..n-1. */
type Topics = Record<string, KafkaRecord[][]>;

class FakeKafka implements KafkaPort {
  opened: ReadStart[] = [];
  commits: TopicOffset[][] = [];
  refuseCommits = false;
  commitHook: () => Promise<void> = async () => {};
  /** Batches handed out per topic. */
  readonly batchesHanded = new Map<string, number>();
  closed = false;
  /** Thrown by listTopics (e.g. bad credentials) or openRead, to fail the sync before anything is read. */
  listTopicsError: Error | undefined;
  openReadError: Error | undefined;
  /**
   * After this many batches in all, the brokers go quiet: with `stallEnds` the read ends as stalled (what the
   * consumer does after its stall timeout), otherwise it waits until it is closed.
   */
  quietAfterBatches: number | undefined;
  stallEnds = true;
  /** close() never settles, as leaving a group on a frozen broker. */
  closeHangs = false;
  constructor(
    private readonly topics: Topics,
    private readonly reports: OffsetReport[] = [],
    private readonly batchSize = 2,
    /** Transaction markers after the last message of every partition: offsets that never come as records. */
    private readonly trailingMarkers = 0,
  ) {}
  async checkTopicReadable() {}
  async sampleLatest() {
    return new Map<string, KafkaRecord[]>();
  }
  async close() {}
  async listTopics() {
    if (this.listTopicsError !== undefined) throw this.listTopicsError;
    return Object.entries(this.topics).map(([name, parts]) => ({ name, partitions: parts.length }));
  }
  async openRead(starts: readonly ReadStart[]) {
    if (this.openReadError !== undefined) throw this.openReadError;
    this.opened = [...starts];
    const ranges: PartitionRange[] = starts.map((s) => {
      const end = this.topics[s.topic]![s.partition]!.length + this.trailingMarkers;
      const start = s.earliest ? 0 : s.offset === undefined ? 0 : Math.min(Number(s.offset), end);
      return {
        topic: s.topic,
        partition: s.partition,
        logStart: '0',
        start: String(start),
        end: String(end),
      };
    });
    const topics = this.topics;
    const batchSize = this.batchSize;
    // Like the real read: the next offset of what was handed out, exact at any stop.
    const handed = new Map<string, string>();
    const keyOf = (r: { topic: string; partition: number }) => `${r.topic}:${r.partition}`;
    let stopReason: StopReason = 'closed';
    let closed = false;
    let wakeOnClose: () => void = () => undefined;
    const closing = new Promise<void>((resolve) => {
      wakeOnClose = resolve;
    });
    let handedBatches = 0;
    const batches = async function* (this: FakeKafka): AsyncGenerator<RecordBatch> {
      for (const range of ranges) {
        const all = topics[range.topic]![range.partition]!;
        const last = Math.min(all.length, Number(range.end));
        for (let at = Number(range.start); at < last; at += batchSize) {
          if (this.quietAfterBatches !== undefined && handedBatches >= this.quietAfterBatches) {
            if (this.stallEnds) stopReason = 'stalled';
            else await closing;
            return;
          }
          if (closed) return;
          handedBatches++;
          const records = all.slice(at, Math.min(at + batchSize, last));
          handed.set(keyOf(range), String(at + records.length));
          this.batchesHanded.set(range.topic, (this.batchesHanded.get(range.topic) ?? 0) + 1);
          yield {
            topic: range.topic,
            partition: range.partition,
            records,
            nextOffset: String(at + records.length),
          };
        }
        // Reaching the end also passes the markers after the last message.
        handed.set(keyOf(range), range.end);
      }
      stopReason = 'end';
    };
    return {
      ranges,
      finalOffsets: () =>
        ranges.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          offset: handed.get(keyOf(r)) ?? r.start,
        })),
      reports: this.reports,
      batches: batches.call(this),
      commit: async (offsets: readonly TopicOffset[]) => {
        if (this.refuseCommits) throw new Error('group is busy');
        await this.commitHook();
        this.commits.push([...offsets]);
      },
      stopReason: () => stopReason,
      close: async () => {
        this.closed = true;
        closed = true;
        wakeOnClose();
        if (this.closeHangs) await new Promise<never>(() => undefined);
      },
    };
  }
}

class CollectingWriter implements AirbyteMessageSink {
  readonly messages: AirbyteMessage[] = [];
  write(message: AirbyteMessage) {
    this.messages.push(structuredClone(message));
    return true;
  }
  writeRecord(
    stream: string,
    data: Record<string, unknown>,
    emittedAt: number,
    _namespace?: string,
    meta?: AirbyteRecordMessageMeta,
  ) {
    return this.write({
      type: 'RECORD',
      record: {
        stream,
        data: structuredClone(data),
        emitted_at: emittedAt,
        ...(meta === undefined ? {} : { meta }),
      },
    });
  }
  /** Parsed back, so every record the read writes is also checked to be valid JSON. */
  writeRecordData(
    stream: string,
    data: string | Uint8Array,
    emittedAt: number,
    namespace?: string,
    meta?: AirbyteRecordMessageMeta,
  ) {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    return this.writeRecord(stream, JSON.parse(text) as Record<string, unknown>, emittedAt, namespace, meta);
  }
  async ready() {}
  async flush() {}
}

function harness(options: {
  topics: Topics;
  streams: ConfiguredStream[];
  config?: Partial<KafkaSourceConfig>;
  states?: Record<string, unknown>;
  reports?: OffsetReport[];
  signal?: AbortSignal;
  decoders?: Decoders;
  clock?: { now(): number };
  timers?: Timers;
  trailingMarkers?: number;
}) {
  const kafka = new FakeKafka(options.topics, options.reports, 2, options.trailingMarkers);
  const writer = new CollectingWriter();
  return harnessWith(kafka, writer, options);
}

function harnessWith<W extends AirbyteMessageSink>(
  kafka: FakeKafka,
  writer: W,
  options: Parameters<typeof harness>[0],
) {
  const logs: string[] = [];
  const logger = {
    log: (level: string, m: string) => logs.push(`${level} ${m}`),
    debug: (m: string) => logs.push(`DEBUG ${m}`),
    info: (m: string) => logs.push(`INFO ${m}`),
    warn: (m: string) => logs.push(`WARN ${m}`),
    error: (m: string) => logs.push(`ERROR ${m}`),
  };
  const run = () =>
    readStreams({
      config: { ...baseConfig, ...options.config },
      streams: options.streams,
      states: new Map(Object.entries(options.states ?? {})),
      kafka,
      decoders: options.decoders ?? decoders,
      ctx: {
        writer,
        logger,
        clock: options.clock ?? { now: () => 0 },
        signal: options.signal ?? new AbortController().signal,
      },
      timers: options.timers,
    });
  return { kafka, writer, logs, run };
}

const records = (messages: AirbyteMessage[]) =>
  messages.flatMap((m) => (m.type === 'RECORD' ? [m.record] : []));
const states = (messages: AirbyteMessage[]) => messages.flatMap((m) => (m.type === 'STATE' ? [m.state] : []));
const statuses = (messages: AirbyteMessage[]) =>
  messages.flatMap((m) =>
    m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS'
      ? [`${m.trace.stream_status.stream_descriptor.name}:${m.trace.stream_status.status}`]
      : [],
  );

function jsonTopic(partitions: number, perPartition: number): KafkaRecord[][] {
  return [...Array(partitions).keys()].map((p) =>
    [...Array(perPartition).keys()].map((o) => msg(o, JSON.stringify({ p, o }), `k${o}`)),
  );
}

describe('readStreams', () => {
  it('reads only the configured streams, with statuses, estimates and a final state after the records', async () => {
    const h = harness({
      topics: { orders: jsonTopic(2, 3), ignored: jsonTopic(1, 5) },
      streams: [{ name: 'orders', syncMode: 'full_refresh' }],
    });
    const summary = await h.run();
    expect(summary).toEqual({ records: 6, skipped: 0, stoppedEarly: false });
    expect(h.kafka.opened.every((s) => s.topic === 'orders' && s.earliest === true)).toBe(true);
    expect(records(h.writer.messages).map((r) => r.stream)).toEqual(Array(6).fill('orders'));
    expect(statuses(h.writer.messages)).toEqual(['orders:STARTED', 'orders:RUNNING', 'orders:COMPLETE']);
    const estimate = h.writer.messages.find((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE');
    expect(estimate).toMatchObject({
      trace: { estimate: { name: 'orders', type: 'STREAM', row_estimate: 6 } },
    });
    const last = states(h.writer.messages).at(-1)!;
    expect(last.stream?.stream_state).toEqual({ version: 1, partitions: { '0': '3', '1': '3' } });
    const lastRecordAt = h.writer.messages.findLastIndex((m) => m.type === 'RECORD');
    const lastStateAt = h.writer.messages.findLastIndex((m) => m.type === 'STATE');
    expect(lastStateAt).toBeGreaterThan(lastRecordAt);
    expect(h.kafka.closed).toBe(true);
  });

  it('writes JSON integers beyond 2^53 to stdout as numbers with every digit', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(
          ...String(chunk)
            .split('\n')
            .filter((line) => line !== ''),
        );
        callback();
      },
    });
    const writer = new MessageWriter(out);
    const json = createDeserializer(baseConfig.valueFormat);
    const h = harnessWith(
      new FakeKafka({ ids: [[msg(0, '{"n": 1152921504606846977, "small": 7}')]] }),
      writer,
      {
        topics: {},
        streams: [{ name: 'ids', syncMode: 'full_refresh' }],
        decoders: { key: () => null, value: json },
        config: {
          layout: {
            includeKey: false,
            includeHeaders: false,
            includeMetadata: false,
            value: 'nested',
            primaryKey: 'offset',
          },
        },
      },
    );
    await h.run();
    await writer.flush();
    const record = lines.find((line) => line.startsWith('{"type":"RECORD"'));
    expect(record).toContain('"value":{"n":1152921504606846977,"small":7}');
  });

  it('resumes incremental streams from the state and starts new partitions at the start position', async () => {
    const h = harness({
      topics: { t: jsonTopic(3, 4) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      states: { t: { version: 1, partitions: { '0': '4', '1': '2' } } },
    });
    await h.run();
    expect(h.kafka.opened).toEqual([
      { topic: 't', partition: 0, offset: '4' },
      { topic: 't', partition: 1, offset: '2' },
      { topic: 't', partition: 2 },
    ]);
    expect(records(h.writer.messages)).toHaveLength(6);
    expect(states(h.writer.messages).at(-1)?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '0': '4', '1': '4', '2': '4' },
    });
    expect(h.logs.some((l) => l.includes('partition(s) 2 are new since the last sync'))).toBe(true);
  });

  it('reads only the assigned partitions of a topic under an assign subscription', async () => {
    const h = harness({
      topics: { t: jsonTopic(3, 2) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { subscription: { type: 'assign', partitions: [{ topic: 't', partition: 2 }] } },
    });
    await h.run();
    expect(h.kafka.opened).toEqual([{ topic: 't', partition: 2 }]);
    expect(states(h.writer.messages).at(-1)?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '2': '2' },
    });
  });

  it('checkpoints every N records, each STATE counting the records since the previous one', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 5) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { checkpoint: { everyRecords: 2, everyMs: 60_000 } },
    });
    await h.run();
    const all = states(h.writer.messages);
    expect(all.map((s) => s.stream?.stream_state?.partitions)).toEqual([
      { '0': '2' },
      { '0': '4' },
      { '0': '5' },
    ]);
    expect(all.map((s) => s.sourceStats?.recordCount)).toEqual([2, 2, 1]);
  });

  it('stops exactly at the max-records cap and resumes after the last written record', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 10) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { bounds: { maxRecords: 3 } },
    });
    const summary = await h.run();
    expect(summary.stoppedEarly).toBe(true);
    expect(records(h.writer.messages)).toHaveLength(3);
    expect(states(h.writer.messages).at(-1)?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '0': '3' },
    });
  });

  it('applies the max-records cap to incremental streams only, reading full-refresh streams whole', async () => {
    // The incremental stream comes first, so the cap is reached before the full-refresh stream is read.
    const h = harness({
      topics: { inc: jsonTopic(1, 10), full: jsonTopic(2, 5) },
      streams: [
        { name: 'inc', syncMode: 'incremental' },
        { name: 'full', syncMode: 'full_refresh' },
      ],
      config: { bounds: { maxRecords: 3 } },
    });
    const summary = await h.run();
    expect(summary).toEqual({ records: 13, skipped: 0, stoppedEarly: true });
    const read = records(h.writer.messages);
    expect(read.filter((r) => r.stream === 'inc')).toHaveLength(3);
    expect(read.filter((r) => r.stream === 'full')).toHaveLength(10);
    const finals = new Map(states(h.writer.messages).map((s) => [s.stream?.stream_descriptor.name, s]));
    expect(finals.get('inc')?.stream?.stream_state).toEqual({ version: 1, partitions: { '0': '3' } });
    expect(finals.get('full')?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '0': '5', '1': '5' },
    });
    expect(statuses(h.writer.messages).slice(-2)).toEqual(['inc:COMPLETE', 'full:COMPLETE']);
  });

  it('moves a full-refresh stream past its trailing transaction markers even when the cap stopped the sync', async () => {
    // Full refresh first, as the Kafka port reads it.
    const h = harness({
      topics: { inc: jsonTopic(1, 10), full: jsonTopic(1, 4) },
      streams: [
        { name: 'full', syncMode: 'full_refresh' },
        { name: 'inc', syncMode: 'incremental' },
      ],
      config: { bounds: { maxRecords: 3 } },
      trailingMarkers: 1,
    });
    const summary = await h.run();
    expect(summary.stoppedEarly).toBe(true);
    const finals = new Map(states(h.writer.messages).map((s) => [s.stream?.stream_descriptor.name, s]));
    expect(finals.get('inc')?.stream?.stream_state).toEqual({ version: 1, partitions: { '0': '3' } });
    expect(finals.get('full')?.stream?.stream_state).toEqual({ version: 1, partitions: { '0': '5' } });
    expect(statuses(h.writer.messages).slice(-2)).toEqual(['full:COMPLETE', 'inc:COMPLETE']);
    // The read stops at the cap rather than passing over the rest of the incremental backlog.
    expect(h.kafka.batchesHanded.get('inc')).toBe(2);
  });

  it('reports a full-refresh stream cut short by the time cap as INCOMPLETE, with a warning', async () => {
    let now = 0;
    const h = harness({
      topics: { full: jsonTopic(1, 10) },
      streams: [{ name: 'full', syncMode: 'full_refresh' }],
      config: { bounds: { maxDurationMs: 8 } },
      clock: { now: () => (now += 1) },
    });
    const summary = await h.run();
    expect(summary.stoppedEarly).toBe(true);
    expect(records(h.writer.messages).length).toBeLessThan(10);
    expect(statuses(h.writer.messages).at(-1)).toBe('full:INCOMPLETE');
    expect(h.logs.some((l) => l.startsWith('WARN Full-refresh stream "full" stopped before'))).toBe(true);
  });

  it('gives a stream with nothing new a final state and COMPLETE', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 2) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      states: { t: { version: 1, partitions: { '0': '2' } } },
    });
    await h.run();
    expect(records(h.writer.messages)).toHaveLength(0);
    expect(states(h.writer.messages)).toEqual([
      {
        type: 'STREAM',
        stream: { stream_descriptor: { name: 't' }, stream_state: { version: 1, partitions: { '0': '2' } } },
        sourceStats: { recordCount: 0 },
      },
    ]);
    expect(statuses(h.writer.messages)).toEqual(['t:STARTED', 't:RUNNING', 't:COMPLETE']);
  });

  it('writes JSON values through as their own text (one line each), and fails or skips a bad one at its offset as before', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(
          ...String(chunk)
            .split('\n')
            .filter((line) => line !== ''),
        );
        callback();
      },
    });
    const text = (format: 'JSON' | 'STRING') =>
      createJsonTextDeserializer({ ...baseConfig.valueFormat, format });
    const withText: Decoders = {
      key: createDeserializer({ ...baseConfig.valueFormat, format: 'STRING' }),
      value: createDeserializer(baseConfig.valueFormat),
      keyText: text('STRING'),
      valueText: text('JSON'),
    };
    const topic = [
      [
        msg(0, '{"n": 1152921504606846977,\r\n "x": 1.50}', 'k-0'),
        msg(1, '{"ssn":"123-45-6789"', 'k-1'),
        msg(2, '[1e400]', 'say "hi"'),
      ],
    ];
    const layout = {
      includeKey: true,
      includeHeaders: false,
      includeMetadata: false,
      value: 'nested',
      primaryKey: 'offset',
    } as const;
    const skip = harnessWith(new FakeKafka({ t: topic }), new MessageWriter(out), {
      topics: {},
      streams: [{ name: 't', syncMode: 'full_refresh' }],
      decoders: withText,
      config: { layout, badMessagePolicy: 'skip' },
    });
    const summary = await skip.run();
    expect(summary).toMatchObject({ records: 2, skipped: 1 });
    const recordLines = lines.filter((line) => line.startsWith('{"type":"RECORD"'));
    expect(
      recordLines.map((line) => line.slice(line.indexOf('"data":'), line.indexOf(',"emitted_at"'))),
    ).toEqual([
      '"data":{"value":{"n": 1152921504606846977,   "x": 1.50},"_kafka_key":"k-0","_kafka_is_tombstone":false}',
      '"data":{"value":[1e400],"_kafka_key":"say \\"hi\\"","_kafka_is_tombstone":false}',
    ]);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const warning = skip.logs.find((l) => l.includes('offset 1'));
    expect(warning).toContain('invalid JSON');
    expect(lines.join('\n')).not.toContain('123-45');
    expect(skip.logs.join('\n')).not.toContain('123-45');

    const fail = harness({
      topics: { t: topic },
      streams: [{ name: 't', syncMode: 'full_refresh' }],
      decoders: withText,
      config: { layout },
    });
    const error = await fail.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoisonMessageError);
    expect((error as PoisonMessageError).offset).toBe('1');
    expect((error as Error).message).not.toContain('123-45');
    expect(records(fail.writer.messages)).toHaveLength(1);
  });

  it('writes the records before a poison message and their state, then fails naming where', async () => {
    const topic = [
      [msg(0, '{"a":0}'), msg(1, '{"a":1}'), msg(2, '{"a":2}'), msg(3, 'not json'), msg(4, '{}')],
    ];
    const h = harness({ topics: { t: topic }, streams: [{ name: 't', syncMode: 'incremental' }] });
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoisonMessageError);
    expect((error as Error).message).toContain('topic "t", partition 0, offset 3');
    expect((error as Error).message).toContain('not JSON');
    expect(records(h.writer.messages)).toHaveLength(3);
    expect(states(h.writer.messages).at(-1)?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '0': '3' },
    });
    expect(statuses(h.writer.messages)).toEqual(['t:STARTED', 't:RUNNING', 't:INCOMPLETE']);

    // A rerun from that state fails at the same offset again.
    const rerun = harness({
      topics: { t: topic },
      streams: [{ name: 't', syncMode: 'incremental' }],
      states: { t: { version: 1, partitions: { '0': '3' } } },
    });
    const again = await rerun.run().catch((e: unknown) => e);
    expect((again as PoisonMessageError).offset).toBe('3');
    expect(records(rerun.writer.messages)).toHaveLength(0);
  });

  it('skips and counts a poison message under the skip policy', async () => {
    const topic = [[msg(0, '{"a":0}'), msg(1, 'bad'), msg(2, '{"a":2}')]];
    const h = harness({
      topics: { t: topic },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { badMessagePolicy: 'skip' },
    });
    const summary = await h.run();
    expect(summary).toMatchObject({ records: 2, skipped: 1 });
    expect(states(h.writer.messages).at(-1)?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '0': '3' },
    });
    expect(states(h.writer.messages).at(-1)?.sourceStats).toEqual({ recordCount: 2, rejectedRecordCount: 1 });
    expect(
      h.logs.some((l) => l.startsWith('WARN Skipped the message at topic "t", partition 0, offset 1')),
    ).toBe(true);
  });

  it('with the message key as primary key, skips and counts messages without a key, and marks tombstones deleted', async () => {
    const topic = [[msg(0, '{"a":0}', 'k'), msg(1, '{"a":1}'), msg(2, null, 'k'), msg(3, '{"a":3}')]];
    const h = harness({
      topics: { t: topic },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { layout: { ...baseConfig.layout, primaryKey: 'message_key' } },
    });
    const summary = await h.run();
    expect(summary).toMatchObject({ records: 2, skipped: 0 });
    expect(records(h.writer.messages).map((r) => [r.data._kafka_key, r.data._ab_cdc_deleted_at])).toEqual([
      ['k', null],
      ['k', '2023-11-14T22:13:20.000Z'],
    ]);
    const last = states(h.writer.messages).at(-1);
    expect(last?.stream?.stream_state).toEqual({ version: 1, partitions: { '0': '4' } });
    expect(last?.sourceStats).toEqual({ recordCount: 2, rejectedRecordCount: 2 });
    const warnings = h.logs.filter((l) => l.startsWith('WARN'));
    expect(warnings).toEqual([
      expect.stringContaining('offset 1: it has no key'),
      expect.stringContaining('Skipped 2 message(s) without a key'),
    ]);
  });

  it('with the Debezium envelope, writes the rows, consumes the tombstone after a delete, passes truncates over and fails on other values', async () => {
    const event = (op: string, before: unknown, after: unknown) =>
      JSON.stringify({ before, after, source: { ts_ms: 86_400_000 }, op, ts_ms: 1 });
    const topic = [
      [
        msg(0, event('c', null, { id: 1, v: 'a' }), 'k1'),
        msg(1, event('d', { id: 1, v: 'a' }, null), 'k1'),
        msg(2, null, 'k1'), // its tombstone: consumed
        msg(3, null, 'k2'), // a tombstone whose delete is not in the read: a delete of k2
        msg(4, event('t', null, null), null),
        msg(5, '{"schema_change":true}', 'k3'),
      ],
    ];
    const layout = {
      ...baseConfig.layout,
      primaryKey: 'message_key',
      envelope: 'debezium',
      value: 'flatten',
    } as const;
    const h = harness({
      topics: { t: topic },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { layout, badMessagePolicy: 'skip' },
    });
    const summary = await h.run();
    expect(summary).toMatchObject({ records: 3, skipped: 1 });
    expect(
      records(h.writer.messages).map((r) => [
        r.data._kafka_key,
        r.data.id ?? null,
        r.data._ab_cdc_updated_at,
        r.data._ab_cdc_deleted_at,
      ]),
    ).toEqual([
      ['k1', 1, '1970-01-02T00:00:00.000Z', null],
      ['k1', 1, '1970-01-02T00:00:00.000Z', '1970-01-02T00:00:00.000Z'],
      ['k2', null, '2023-11-14T22:13:20.000Z', '2023-11-14T22:13:20.000Z'],
    ]);
    expect(h.logs).toContainEqual(expect.stringContaining('Passed over 1 Debezium truncate event(s)'));
    expect(h.logs).toContainEqual(
      expect.stringContaining('offset 5: the value is not a Debezium change event'),
    );
    expect(states(h.writer.messages).at(-1)?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '0': '6' },
    });

    // With the offset as primary key, every tombstone is consumed.
    const byOffset = harness({
      topics: { t: topic },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { layout: { ...layout, primaryKey: 'offset' }, badMessagePolicy: 'skip' },
    });
    expect(await byOffset.run()).toMatchObject({ records: 2, skipped: 1 });
    const failing = harness({
      topics: { t: topic },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { layout },
    });
    await expect(failing.run()).rejects.toThrow(PoisonMessageError);
  });

  it('names every value a deserializer wrote as null in meta.changes, by its path in the record', async () => {
    // Stands in for the Avro/Protobuf deserializers (their own tests cover the paths): "nan" fields are nulled.
    const nulling: Decoders = {
      key: (bytes, ctx) => {
        const text = Buffer.from(bytes ?? []).toString('utf8');
        if (text !== 'nan') return text;
        ctx.nulledFields?.push('');
        return null;
      },
      value: (bytes, ctx) => {
        const parsed = JSON.parse(Buffer.from(bytes ?? []).toString('utf8')) as Record<string, JsonValue>;
        for (const name of Object.keys(parsed)) {
          if (parsed[name] !== 'nan') continue;
          parsed[name] = null;
          ctx.nulledFields?.push(name);
        }
        return parsed;
      },
    };
    const topic = [[msg(0, '{"a":"nan","b":1}', 'nan'), msg(1, '{"a":2}', 'k')]];
    const run = async (value: 'nested' | 'flatten') => {
      const h = harness({
        topics: { t: topic },
        streams: [{ name: 't', syncMode: 'full_refresh' }],
        decoders: nulling,
        config: { layout: { ...baseConfig.layout, value } },
      });
      await h.run();
      return records(h.writer.messages).map((r) => r.meta);
    };
    const change = (field: string) => ({ field, change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' });
    expect(await run('nested')).toEqual([{ changes: [change('_kafka_key'), change('value.a')] }, undefined]);
    expect(await run('flatten')).toEqual([{ changes: [change('_kafka_key'), change('a')] }, undefined]);
  });

  it('propagates errors that are not about the message bytes (e.g. registry down) instead of skipping', async () => {
    const h = harness({
      topics: { t: [[msg(0, '{}')]] },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { badMessagePolicy: 'skip' },
    });
    const failing: Decoders = {
      ...decoders,
      value: () => Promise.reject(new Error('registry unreachable')),
    };
    const error = await readStreams({
      config: { ...baseConfig, badMessagePolicy: 'skip' },
      streams: [{ name: 't', syncMode: 'incremental' }],
      states: new Map(),
      kafka: h.kafka,
      decoders: failing,
      ctx: {
        writer: h.writer,
        logger: { log() {}, debug() {}, info() {}, warn() {}, error() {} },
        clock: { now: () => 0 },
        signal: new AbortController().signal,
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('registry unreachable');
    expect(statuses(h.writer.messages)).toEqual(['t:STARTED', 't:RUNNING', 't:INCOMPLETE']);
  });

  it('goes on past a retention gap, or fails when the policy says so', async () => {
    const gap: OffsetReport = {
      kind: 'retention_gap',
      topic: 't',
      partition: 0,
      requestedOffset: '2',
      logStart: '5',
      lostOffsets: '3',
    };
    const warn = harness({
      topics: { t: jsonTopic(1, 6) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      reports: [gap],
    });
    await warn.run();
    expect(records(warn.writer.messages)).toHaveLength(6);

    const fail = harness({
      topics: { t: jsonTopic(1, 6) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      reports: [gap],
      config: { retentionGapPolicy: 'fail' },
    });
    await expect(fail.run()).rejects.toThrow('3 offset(s) were never read');
    await expect(fail.run()).rejects.toBeInstanceOf(RetentionGapError);
    expect(records(fail.writer.messages)).toHaveLength(0);
  });

  it('refuses a catalog stream that is not a selected topic, ending every configured stream INCOMPLETE', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 1) },
      streams: [
        { name: 't', syncMode: 'incremental' },
        { name: 'gone', syncMode: 'incremental' },
      ],
    });
    await expect(h.run()).rejects.toBeInstanceOf(InvalidCatalogError);
    expect(statuses(h.writer.messages)).toEqual(['t:INCOMPLETE', 'gone:INCOMPLETE']);
    expect(h.kafka.opened).toEqual([]);
  });

  it('rejects a malformed incoming state naming the stream, ending every configured stream INCOMPLETE', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 1), u: jsonTopic(1, 1) },
      streams: [
        { name: 'u', syncMode: 'full_refresh' },
        { name: 't', syncMode: 'incremental' },
      ],
      states: { t: { partitions: { '0': 'x' } } },
    });
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as InvalidStateError).failureType).toBe('config_error');
    expect((error as Error).message).toContain('state of stream "t"');
    expect(statuses(h.writer.messages)).toEqual(['u:INCOMPLETE', 't:INCOMPLETE']);
    expect(records(h.writer.messages)).toHaveLength(0);
    expect(states(h.writer.messages)).toHaveLength(0);
  });

  it('ends every configured stream INCOMPLETE when listing the topics fails (e.g. bad credentials)', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 1), u: jsonTopic(1, 1) },
      streams: [
        { name: 't', syncMode: 'incremental' },
        { name: 'u', syncMode: 'incremental' },
      ],
    });
    const denied = new ConsumerError(
      consumerErrorCodes.authenticationFailed,
      'Authentication failed: check the SASL username and password.',
    );
    h.kafka.listTopicsError = denied;
    await expect(h.run()).rejects.toBe(denied);
    expect(statuses(h.writer.messages)).toEqual(['t:INCOMPLETE', 'u:INCOMPLETE']);
  });

  it('ends each stream once, STARTED then INCOMPLETE, when opening the read fails', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 1), u: jsonTopic(1, 1) },
      streams: [
        { name: 't', syncMode: 'incremental' },
        { name: 'u', syncMode: 'full_refresh' },
      ],
    });
    h.kafka.openReadError = new Error('the group coordinator is not available');
    await expect(h.run()).rejects.toThrow('the group coordinator is not available');
    expect(statuses(h.writer.messages)).toEqual(['t:STARTED', 'u:STARTED', 't:INCOMPLETE', 'u:INCOMPLETE']);
  });

  it('stops at a batch boundary when asked to, with a final state and INCOMPLETE', async () => {
    const stop = new AbortController();
    const h = harness({
      topics: { t: jsonTopic(1, 6) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      signal: stop.signal,
      decoders: {
        ...decoders,
        value: (bytes, context) => {
          if (context.offset === '1') stop.abort();
          return decoders.value(bytes, context);
        },
      },
    });
    const summary = await h.run();
    expect(summary.stoppedEarly).toBe(true);
    expect(records(h.writer.messages)).toHaveLength(2);
    expect(states(h.writer.messages).at(-1)?.stream?.stream_state).toEqual({
      version: 1,
      partitions: { '0': '2' },
    });
    expect(statuses(h.writer.messages).at(-1)).toBe('t:INCOMPLETE');
  });

  it('warns once and goes on when the group refuses a commit', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 3) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { commitOffsetsToGroup: true, checkpoint: { everyRecords: 1, everyMs: 60_000 } },
    });
    h.kafka.refuseCommits = true;
    const summary = await h.run();
    expect(summary.records).toBe(3);
    expect(h.logs.filter((l) => l.startsWith('WARN Could not commit offsets'))).toHaveLength(1);
  });

  it('does not wait for a slow group commit before reading on', async () => {
    const h = harness({
      topics: { t: jsonTopic(1, 6) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { commitOffsetsToGroup: true, checkpoint: { everyRecords: 2, everyMs: 60_000 } },
    });
    let release: () => void = () => {};
    let recordsAtFirstCommit = -1;
    h.kafka.commitHook = async () => {
      if (recordsAtFirstCommit >= 0) return;
      recordsAtFirstCommit = records(h.writer.messages).length;
      await new Promise<void>((resolve) => (release = resolve));
    };
    const run = h.run();
    await vi.waitFor(() => expect(records(h.writer.messages)).toHaveLength(6));
    expect(recordsAtFirstCommit).toBe(2);
    release();
    await run;
    expect(h.kafka.commits.at(-1)).toEqual([{ topic: 't', partition: 0, offset: '6' }]);
  });

  it('commits checkpointed offsets to the group only when configured', async () => {
    const off = harness({
      topics: { t: jsonTopic(1, 3) },
      streams: [{ name: 't', syncMode: 'incremental' }],
    });
    await off.run();
    expect(off.kafka.commits).toEqual([]);
    const on = harness({
      topics: { t: jsonTopic(1, 3) },
      streams: [{ name: 't', syncMode: 'incremental' }],
      config: { commitOffsetsToGroup: true },
    });
    await on.run();
    expect(on.kafka.commits.at(-1)).toEqual([{ topic: 't', partition: 0, offset: '3' }]);
  });
});

const settleWithin = <T>(promise: Promise<T>, ms: number) =>
  settleOnFakeTime(promise, ms, (t) => vi.advanceTimersByTimeAsync(t));

describe('a sync whose brokers stop sending', () => {
  it('writes its state, reports the streams cut short INCOMPLETE and fails with a transient error', async () => {
    const h = harness({
      topics: { done: jsonTopic(1, 2), cut: jsonTopic(1, 10) },
      streams: [
        { name: 'done', syncMode: 'incremental' },
        { name: 'cut', syncMode: 'incremental' },
      ],
    });
    // `done` is read in one batch; `cut` gets two batches (4 records), then the read ends as stalled.
    h.kafka.quietAfterBatches = 3;
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadStalledError);
    expect(failureTypeOf(error)).toBe('transient_error');
    const message = (error as Error).message;
    expect(message).toContain('The Kafka brokers stopped sending records');
    expect(message).toContain('"cut"');
    expect(message).not.toContain('"done"');
    expect(message).not.toMatch(/\n\s+at /);
    // The final STATE covers exactly what was written, and comes before the statuses.
    expect(records(h.writer.messages)).toHaveLength(6);
    expect(states(h.writer.messages).at(-1)).toMatchObject({
      stream: { stream_descriptor: { name: 'cut' }, stream_state: { partitions: { '0': '4' } } },
    });
    expect(statuses(h.writer.messages).slice(-2)).toEqual(['done:COMPLETE', 'cut:INCOMPLETE']);
    const lastState = h.writer.messages.findLastIndex((m) => m.type === 'STATE');
    const lastRecord = h.writer.messages.findLastIndex((m) => m.type === 'RECORD');
    expect(lastState).toBeGreaterThan(lastRecord);
    expect(h.kafka.closed).toBe(true);
  });

  it('is no stall when the time cap ended the read: the stream is COMPLETE and the next sync goes on', async () => {
    vi.useFakeTimers();
    try {
      const h = harness({
        topics: { t: jsonTopic(1, 10) },
        streams: [{ name: 't', syncMode: 'incremental' }],
        config: { bounds: { maxDurationMs: 60_000 } },
        clock: { now: () => Date.now() },
        timers: globalTimers,
      });
      // After two batches the brokers go quiet; only the time cap's timer can end the wait.
      h.kafka.quietAfterBatches = 2;
      h.kafka.stallEnds = false;
      const running = h.run();
      expect((await settleWithin(running, 59_000)).settled).toBe(false);
      const ended = await settleWithin(running, 1_000);
      expect(ended).toMatchObject({ settled: true, value: { records: 4, stoppedEarly: true } });
      expect(h.logs).toContain('INFO Reached the time cap of 60000 ms; the next sync goes on from here.');
      expect(states(h.writer.messages).at(-1)).toMatchObject({
        stream: { stream_state: { partitions: { '0': '4' } } },
      });
      expect(statuses(h.writer.messages).at(-1)).toBe('t:COMPLETE');
    } finally {
      vi.useRealTimers();
    }
  });

  it('exits within seconds of its last STATE when leaving the group hangs on a frozen broker', async () => {
    vi.useFakeTimers();
    try {
      const h = harness({
        topics: { t: jsonTopic(1, 10) },
        streams: [{ name: 't', syncMode: 'incremental' }],
        config: { commitOffsetsToGroup: true },
        clock: { now: () => Date.now() },
        timers: globalTimers,
      });
      h.kafka.quietAfterBatches = 2;
      h.kafka.closeHangs = true;
      // The group commit hangs too, as any request to a stopped broker does.
      let commits = 0;
      h.kafka.commitHook = () => {
        commits++;
        return new Promise<never>(() => undefined);
      };
      const running = h.run();
      // 5 s for the last commit, then the 1 s a leave always gets: the sync is over 6 s after its last STATE.
      expect((await settleWithin(running, 5_999)).settled).toBe(false);
      const ended = await settleWithin(running, 1);
      expect(ended.settled).toBe(true);
      expect(ended.error).toBeInstanceOf(ReadStalledError);
      expect(commits).toBe(1);
      expect(
        h.logs.some((l) =>
          l.startsWith('WARN The last offset commit to the consumer group did not finish within 5000 ms'),
        ),
      ).toBe(true);
      expect(
        h.logs.some((l) =>
          l.startsWith('WARN The Kafka consumer did not leave its read group within 1000 ms'),
        ),
      ).toBe(true);
      expect(states(h.writer.messages).at(-1)).toMatchObject({
        stream: { stream_state: { partitions: { '0': '4' } } },
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails a full-refresh stream cut short by a stall the same way, as INCOMPLETE', async () => {
    const h = harness({
      topics: { full: jsonTopic(1, 10) },
      streams: [{ name: 'full', syncMode: 'full_refresh' }],
    });
    h.kafka.quietAfterBatches = 1;
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadStalledError);
    expect(statuses(h.writer.messages).at(-1)).toBe('full:INCOMPLETE');
    // Not the time-cap advice: the cause is the brokers.
    expect(h.logs.some((l) => l.includes('max_duration_seconds'))).toBe(false);
  });
});
