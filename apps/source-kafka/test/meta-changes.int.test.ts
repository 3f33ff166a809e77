// Protocol 0.18's record meta end to end: Avro values with NaN and infinite doubles, serialized with their
// schema in the real registry (Apicurio) into the real broker, are read with those fields written as null and
// each record names them in meta.changes. runCli validates every message against the protocol schema.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { validateStreamRecord } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, inject, it } from 'vitest';
import { catalogFor, ofType, plaintextConfig, runCli, traceErrors } from './cli.js';

const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');

const readingSchema = JSON.stringify({
  type: 'record',
  name: 'Reading',
  namespace: 'lab',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'celsius', type: 'double' },
    { name: 'history', type: { type: 'array', items: 'double' } },
  ],
});

interface RecordWithMeta {
  data: Record<string, unknown>;
  meta?: { changes?: Array<{ field: string; change: string; reason: string }> };
}

describe('meta.changes', () => {
  it('names the NaN and infinite floats written as null, by their path in the record', async () => {
    const topic = await createTopic(conn, { prefix: 'app-meta-changes' });
    const client = new SchemaRegistry({ host: registry.ccompatUrl });
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: readingSchema },
      { subject: `${topic}-value` },
    );
    await produceMessages(conn, topic, [
      { key: 'a', value: await client.encode(id, { sensor: 'a', celsius: 21.5, history: [21, 21.25] }) },
      {
        key: 'b',
        value: await client.encode(id, {
          sensor: 'b',
          celsius: Number.NaN,
          history: [20, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
        }),
      },
    ]);

    for (const valueLayout of ['nested', 'flatten'] as const) {
      const config = plaintextConfig(conn, topic, {
        MessageFormat: { deserialization_type: 'AVRO' },
        schema_registry: { url: registry.ccompatUrl },
        record_layout: { value_layout: valueLayout },
      });
      const discovered = await runCli('discover', { config });
      expect(discovered.exitCode, discovered.stderr).toBe(0);
      const stream = ofType<{ streams: Array<{ json_schema: Record<string, unknown> }> }>(
        discovered.messages,
        'CATALOG',
      )[0]!.streams[0]!;

      const result = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
      expect(result.exitCode, JSON.stringify(traceErrors(result.messages))).toBe(0);
      const records = ofType<RecordWithMeta>(result.messages, 'RECORD');
      expect(records).toHaveLength(2);
      for (const r of records) expect(validateStreamRecord(stream.json_schema, r.data)).toEqual([]);

      const [clean, nulled] = records as [RecordWithMeta, RecordWithMeta];
      expect(clean.meta).toBeUndefined();
      const prefix = valueLayout === 'nested' ? 'value.' : '';
      const value = valueLayout === 'nested' ? nulled.data.value : nulled.data;
      expect(value).toMatchObject({ sensor: 'b', celsius: null, history: [20, null, null] });
      expect(nulled.meta).toEqual({
        changes: ['celsius', 'history.1', 'history.2'].map((path) => ({
          field: `${prefix}${path}`,
          change: 'NULLED',
          reason: 'SOURCE_SERIALIZATION_ERROR',
        })),
      });
    }
  }, 120_000);
});
