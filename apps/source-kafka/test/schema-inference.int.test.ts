import { parseConfig } from '@source-kafka/spec';
import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { validateStreamRecord } from '@source-kafka/testkit/airbyte-schema';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaPort } from '../src/kafka-port.js';
import { catalogFor, logsOf, ofType, plaintextConfig, recordsOf, runCli } from './cli.js';

// Schema inference end to end through the CLI on the real broker: discover samples the newest messages,
// and every record a read writes validates (ajv) against the schema discover gave.
const conn: BrokerConnection = inject('broker');

interface Catalog {
  streams: Array<{ name: string; json_schema: Record<string, unknown> }>;
}

/** Mixed (integer then number, string or integer), nested, nullable and missing fields, over 3 partitions. */
const events = [
  { id: 1, amount: 10, at: '2026-11-30T10:00:00Z', user: { name: 'ann', tags: ['a'] }, ref: 'x-1' },
  { id: 2, amount: 10.5, at: '2026-11-30T10:00:01.250+01:00', user: { name: null, tags: [] }, ref: 7 },
  { id: 3, amount: 12, at: '2026-11-30T10:00:02Z', user: null, note: 'late', ref: 'x-3' },
  { id: 4, amount: 0, at: '2026-11-30T10:00:03Z', user: { name: 'bo', tags: ['b', 'c'], age: 41 } },
  { id: 5, amount: -3.25, at: '2026-11-30T10:00:04Z', user: { name: 'cy', tags: ['d'] }, big: 1 },
];

describe('schema inference for JSON topics', () => {
  let topic: string;
  let shifting: string;

  beforeAll(async () => {
    topic = await createTopic(conn, { prefix: 'app-infer-events', partitions: 3 });
    const messages = events.map((e, i) => ({
      key: JSON.stringify({ id: e.id }),
      value: JSON.stringify(e),
      partition: i % 3,
    }));
    // An integer beyond 2^53, written as JSON text, and a tombstone.
    messages.push({
      key: '{"id":6}',
      value: '{"id":6,"amount":1,"big":12345678901234567890123}',
      partition: 0,
    });
    messages.push({ key: '{"id":6}', value: null as unknown as string, partition: 0 });
    await produceMessages(conn, topic, messages);

    shifting = await createTopic(conn, { prefix: 'app-infer-shift', partitions: 1 });
    await produceMessages(conn, shifting, [
      { value: '{"old":"shape","n":"not a number"}' },
      { value: '{"n":1}' },
      { value: '{"n":2}' },
    ]);
  });

  const discover = async (pattern: string, extra: Record<string, unknown>) => {
    const result = await runCli('discover', {
      config: plaintextConfig(conn, pattern, { key_format: { deserialization_type: 'JSON' }, ...extra }),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    return { result, catalog: ofType<Catalog>(result.messages, 'CATALOG')[0]! };
  };

  it('discovers a mixed, nested and nullable topic typed, and every record of a read validates', async () => {
    const { result, catalog } = await discover(topic, {});
    const schema = catalog.streams[0]!.json_schema;
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.value).toMatchObject({
      type: ['null', 'object'],
      properties: {
        id: { type: 'integer' },
        amount: { type: 'number' },
        at: { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
        big: { type: ['null', 'integer'] },
        note: { type: ['null', 'string'] },
        ref: { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] },
        user: {
          type: ['null', 'object'],
          properties: {
            age: { type: ['null', 'integer'] },
            name: { type: ['null', 'string'] },
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    });
    expect(properties._kafka_key).toMatchObject({
      type: ['null', 'object'],
      properties: { id: { type: 'integer' } },
    });
    expect(JSON.stringify(schema)).not.toContain('"additionalProperties":false');
    expect(logsOf(result.messages).map((l) => l.message)).toContain(
      `Topic "${topic}" value: schema inference read 7 message(s) and typed the value from 6 of them.`,
    );

    const read = await runCli('read', {
      config: plaintextConfig(conn, topic, { key_format: { deserialization_type: 'JSON' } }),
      catalog: catalogFor({ [topic]: 'full_refresh' }),
    });
    expect(read.exitCode, read.stderr).toBe(0);
    const records = recordsOf(read.messages);
    expect(records).toHaveLength(7);
    for (const record of records) expect(validateStreamRecord(schema, record.data)).toEqual([]);
    expect(read.stdout).toContain('"big":12345678901234567890123');
  });

  it('makes the fields of a flattened value typed top-level columns that every record fits', async () => {
    const layout = { record_layout: { value_layout: 'flatten' } };
    const { catalog } = await discover(topic, layout);
    const schema = catalog.streams[0]!.json_schema;
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.id).toEqual({ type: 'integer' });
    expect(properties.amount).toEqual({ type: 'number' });
    expect(properties.user).toMatchObject({ type: ['null', 'object'] });

    const read = await runCli('read', {
      config: plaintextConfig(conn, topic, { key_format: { deserialization_type: 'JSON' }, ...layout }),
      catalog: catalogFor({ [topic]: 'full_refresh' }),
    });
    expect(read.exitCode, read.stderr).toBe(0);
    const records = recordsOf(read.messages);
    expect(records.map((r) => r.data.id)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6]));
    for (const record of records) expect(validateStreamRecord(schema, record.data)).toEqual([]);
  });

  it('keys a message-key primary key on the fields of an inferred JSON object key', async () => {
    const layout = { record_layout: { primary_key: 'message_key' } };
    const { catalog } = await discover(topic, layout);
    const stream = catalog.streams[0]! as Catalog['streams'][number] & {
      source_defined_primary_key?: unknown;
    };
    expect(stream.source_defined_primary_key).toEqual([['_kafka_key_id']]);
    const read = await runCli('read', {
      config: plaintextConfig(conn, topic, { key_format: { deserialization_type: 'JSON' }, ...layout }),
      catalog: catalogFor({ [topic]: 'full_refresh' }),
    });
    expect(read.exitCode, read.stderr).toBe(0);
    const records = recordsOf(read.messages);
    expect(records).toHaveLength(7);
    for (const record of records) {
      expect(typeof record.data._kafka_key_id).toBe('number');
      expect(validateStreamRecord(stream.json_schema, record.data)).toEqual([]);
    }
  });

  it('reads only the newest messages of the sample size, and writes an older value that does not fit as it is', async () => {
    const { result, catalog } = await discover(shifting, { schema_inference_sample_size: 2 });
    const schema = catalog.streams[0]!.json_schema;
    const value = (schema.properties as Record<string, Record<string, unknown>>).value!;
    expect(value).toMatchObject({ type: ['null', 'object'], properties: { n: { type: 'integer' } } });
    expect(logsOf(result.messages).map((l) => l.message)).toContain(
      `Topic "${shifting}" value: schema inference read 2 message(s) and typed the value from 2 of them.`,
    );

    const read = await runCli('read', {
      config: plaintextConfig(conn, shifting),
      catalog: catalogFor({ [shifting]: 'full_refresh' }),
    });
    expect(read.exitCode, read.stderr).toBe(0);
    const records = recordsOf(read.messages);
    expect(records[0]!.data.value).toEqual({ old: 'shape', n: 'not a number' });
    expect(validateStreamRecord(schema, records[0]!.data)).not.toEqual([]);
    for (const record of records.slice(1)) expect(validateStreamRecord(schema, record.data)).toEqual([]);
  });

  it('keeps any JSON when the sample size is 0, without reading the topic', async () => {
    const { result, catalog } = await discover(shifting, { schema_inference_sample_size: 0 });
    const value = (catalog.streams[0]!.json_schema.properties as Record<string, Record<string, unknown>>)
      .value!;
    expect(value.type).toEqual(['object', 'array', 'string', 'number', 'boolean', 'null']);
    expect(logsOf(result.messages).some((l) => l.message.includes('schema inference'))).toBe(false);
  });
});

describe('sampleLatest on the real broker', () => {
  it('reads only the newest messages of each partition, and keeps no more than the byte cap', async () => {
    const topic = await createTopic(conn, { prefix: 'app-infer-sample', partitions: 2 });
    await produceMessages(
      conn,
      topic,
      Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ i }), partition: i % 2 })),
    );
    const config = parseConfig(plaintextConfig(conn, topic));
    const deps = {
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      clock: { now: () => Date.now() },
    };
    const port = createKafkaPort(config, deps);
    try {
      const topics = await port.listTopics();
      const all = (await port.sampleLatest(topics, (t) => (t.name === topic ? 3 : 0))).get(topic) ?? [];
      // 10 messages per partition, offsets 0..9: the newest 3 of each are 7, 8, 9.
      expect(all.map((r) => Number(r.offset)).sort()).toEqual([7, 7, 8, 8, 9, 9]);
      const valueBytes = all[0]!.value!.byteLength;
      const capped =
        (await port.sampleLatest(topics, 3, { maxBytesPerTopic: valueBytes * 4 })).get(topic) ?? [];
      expect(capped).toHaveLength(4);
    } finally {
      await port.close();
    }
  });
});
