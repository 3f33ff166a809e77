// Envelopes end to end on the real broker: Debezium change events (JSON converter with and without schemas,
// Avro converter with its schemas in the real registry) and Kafka Connect JSON with schemas. Each topic is read
// in two incremental syncs with the message key as primary key, the records land in DuckDB as raw rows and
// Airbyte's dedup rule over them must give exactly the source table, deletes applied; every record validates
// against the stream schema discover gave. The events are hand-written in the converters' documented shapes
// (fixtures/envelopes.ts).
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ApicurioConnection, BrokerConnection, FixtureMessage } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { validateStreamRecord } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, inject, it } from 'vitest';
import { ofType, plaintextConfig, runCli, stateInput, traceErrors } from './cli.js';
import { type EmittedRecord, queryDeduplicated, emittedRecordsOf as recordsOf } from './duckdb-dedup.js';
import {
  AVRO_ENVELOPE_SCHEMA,
  AVRO_KEY_SCHEMA,
  type ChangeEvent,
  CONNECT_ROW_SCHEMA,
  CUSTOMER_EVENTS,
  debeziumAvro,
  debeziumJson,
  debeziumJsonWithSchema,
  expectedRow,
  finalRows,
  keyJson,
  keyJsonWithSchema,
  keyOf,
  unscaledBytes,
} from './fixtures/envelopes.js';

const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');
const PARTITIONS = 3;
const TIMEOUT_MS = 240_000;
/** The first sync reads the events before this index (the first delete and its tombstone included). */
const SPLIT = 5;

/** Airbyte's dedup rule over the records; returns the surviving records, in emitted order. */
async function dedupInDuckDb(
  records: readonly EmittedRecord[],
  primaryKey: readonly string[],
): Promise<EmittedRecord[]> {
  const rows = await queryDeduplicated(records, {
    primaryKey,
    cursor: '_kafka_offset',
    select: '_row',
    orderBy: '_row',
  });
  return rows.map((row) => records[Number(row._row)]!);
}

const ROW_FIELDS = ['id', 'first_name', 'last_name', 'email', 'birth_date', 'balance', 'updated_at'];
const pick = (data: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(fields.map((f) => [f, data[f]]));

interface Case {
  readonly name: string;
  readonly config: (topic: string) => Record<string, unknown>;
  /** Produces the events (and each delete's tombstone) from `from` to `to`. */
  readonly produce: (topic: string, from: number, to: number) => Promise<unknown>;
  /** The row a destination must end with for one source row. */
  readonly expected: (event: ChangeEvent, index: number) => Record<string, unknown>;
}

const partitionOf = (e: ChangeEvent) => keyOf(e) % PARTITIONS;

function jsonMessages(
  from: number,
  to: number,
  key: (e: ChangeEvent) => unknown,
  value: (e: ChangeEvent, i: number) => unknown,
): FixtureMessage[] {
  const out: FixtureMessage[] = [];
  for (let i = from; i < to; i++) {
    const e = CUSTOMER_EVENTS[i]!;
    const k = JSON.stringify(key(e));
    out.push({ key: k, value: JSON.stringify(value(e, i)), partition: partitionOf(e) });
    // Debezium follows each delete with a tombstone of the same key, for log compaction.
    if (e.op === 'd') out.push({ key: k, value: null, partition: partitionOf(e) });
  }
  return out;
}

const jsonConfig = (topic: string) =>
  plaintextConfig(conn, topic, {
    key_format: { deserialization_type: 'JSON' },
    record_layout: { primary_key: 'message_key', value_layout: 'flatten', envelope: 'debezium' },
  });

let avroIds: { key: number; value: number } | undefined;
const avroClient = () => new SchemaRegistry({ host: registry.ccompatUrl });

/** The row of the event Debezium's JSON converter wrote without schemas: as written, untyped. */
const plainRow = (e: ChangeEvent, i: number) =>
  JSON.parse(JSON.stringify((debeziumJson(e, i) as Record<string, unknown>).after)) as Record<
    string,
    unknown
  >;

const lastEventOf = (id: number): [ChangeEvent, number] => {
  for (let i = CUSTOMER_EVENTS.length - 1; i >= 0; i--) {
    if (keyOf(CUSTOMER_EVENTS[i]!) === id) return [CUSTOMER_EVENTS[i]!, i];
  }
  throw new Error(`no event for ${id}`);
};

const cases: Case[] = [
  {
    name: 'Debezium JSON with schemas',
    config: jsonConfig,
    produce: (topic, from, to) =>
      produceMessages(conn, topic, jsonMessages(from, to, keyJsonWithSchema, debeziumJsonWithSchema)),
    expected: (e) => expectedRow(e.after!),
  },
  {
    name: 'Debezium JSON without schemas',
    config: jsonConfig,
    produce: (topic, from, to) => produceMessages(conn, topic, jsonMessages(from, to, keyJson, debeziumJson)),
    expected: plainRow,
  },
  {
    name: 'Debezium Avro',
    config: (topic) =>
      plaintextConfig(conn, topic, {
        key_format: { deserialization_type: 'AVRO' },
        MessageFormat: { deserialization_type: 'AVRO' },
        schema_registry: { url: registry.ccompatUrl },
        record_layout: { primary_key: 'message_key', value_layout: 'flatten', envelope: 'debezium' },
      }),
    produce: async (topic, from, to) => {
      const client = avroClient();
      if (from === 0 || avroIds === undefined) {
        const key = await client.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(AVRO_KEY_SCHEMA) },
          { subject: `${topic}-key` },
        );
        const value = await client.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(AVRO_ENVELOPE_SCHEMA) },
          { subject: `${topic}-value` },
        );
        avroIds = { key: key.id, value: value.id };
      }
      const ids = avroIds;
      const out: FixtureMessage[] = [];
      for (let i = from; i < to; i++) {
        const e = CUSTOMER_EVENTS[i]!;
        const key = await client.encode(ids.key, { id: keyOf(e) });
        out.push({
          key,
          value: await client.encode(ids.value, debeziumAvro(e, i)),
          partition: partitionOf(e),
        });
        if (e.op === 'd') out.push({ key, value: null, partition: partitionOf(e) });
      }
      await produceMessages(conn, topic, out);
    },
    expected: (e) => expectedRow(e.after!),
  },
];

describe('Debezium envelope', () => {
  for (const c of cases) {
    it(
      `${c.name}: two syncs deduplicated in DuckDB equal the source table, deletes applied`,
      async () => {
        const topic = await createTopic(conn, {
          prefix: `app-envelope-${c.name.toLowerCase().replace(/\W+/g, '-')}`,
          partitions: PARTITIONS,
        });
        const config = c.config(topic);
        await c.produce(topic, 0, SPLIT);

        const discovered = await runCli('discover', { config });
        expect(discovered.exitCode, discovered.stderr).toBe(0);
        const stream = ofType<{ streams: Array<Record<string, unknown>> }>(discovered.messages, 'CATALOG')[0]!
          .streams[0]!;
        expect(stream.source_defined_primary_key).toEqual([['_kafka_key_id']]);
        const jsonSchema = stream.json_schema as { properties: Record<string, Record<string, unknown>> };
        // The row's columns, not the envelope's.
        expect(jsonSchema.properties.first_name).toMatchObject({ type: 'string' });
        expect(jsonSchema.properties).not.toHaveProperty('op');
        expect(jsonSchema.properties).not.toHaveProperty('after');

        const catalog = {
          streams: [
            {
              stream,
              sync_mode: 'incremental',
              destination_sync_mode: 'append_dedup',
              cursor_field: ['_kafka_offset'],
              primary_key: [['_kafka_key_id']],
            },
          ],
        };
        const sync1 = await runCli('read', { config, catalog });
        expect(sync1.exitCode, JSON.stringify(traceErrors(sync1.messages))).toBe(0);
        await c.produce(topic, SPLIT, CUSTOMER_EVENTS.length);
        const sync2 = await runCli('read', { config, catalog, state: stateInput(sync1.messages) });
        expect(sync2.exitCode, JSON.stringify(traceErrors(sync2.messages))).toBe(0);

        const records1 = recordsOf(sync1.messages);
        const records2 = recordsOf(sync2.messages);
        // One record per change event: the tombstones after deletes are consumed.
        expect(records1).toHaveLength(SPLIT);
        expect(records2).toHaveLength(CUSTOMER_EVENTS.length - SPLIT);
        const all = [...records1, ...records2];
        // Discover again over every event: typed from a schema (embedded or registry) nothing changes; without
        // schemas, inference now sees the later rows too (a null email first appears in the second part).
        const rediscovered = await runCli('discover', { config });
        expect(rediscovered.exitCode, rediscovered.stderr).toBe(0);
        const latest = ofType<{ streams: Array<Record<string, unknown>> }>(
          rediscovered.messages,
          'CATALOG',
        )[0]!.streams[0]!.json_schema as Record<string, unknown>;
        if (c.name !== 'Debezium JSON without schemas') expect(latest).toEqual(jsonSchema);
        for (const r of all) expect(validateStreamRecord(latest, r.data)).toEqual([]);

        const deletes = all.filter((r) => r.data._ab_cdc_deleted_at !== null);
        expect(deletes.map((r) => r.data.id)).toEqual(
          CUSTOMER_EVENTS.filter((e) => e.op === 'd').map((e) => keyOf(e)),
        );
        for (const r of all) {
          const event = CUSTOMER_EVENTS.find(
            (e) =>
              keyOf(e) === r.data._kafka_key_id &&
              new Date(e.sourceTsMs).toISOString() === r.data._ab_cdc_updated_at,
          );
          expect(event, JSON.stringify(r.data._ab_cdc_updated_at)).toBeDefined();
        }

        const table = await dedupInDuckDb(all, ['_kafka_key_id']);
        const expected = [...finalRows(CUSTOMER_EVENTS).keys()]
          .sort((a, b) => a - b)
          .map((id) => {
            const [event, index] = lastEventOf(id);
            return c.expected(event, index);
          });
        expect(expected.map((r) => r.id)).toEqual([1001, 1003, 1004]);
        const got = table.map((r) => pick(r.data, ROW_FIELDS)).sort((a, b) => Number(a.id) - Number(b.id));
        expect(got).toEqual(expected.map((r) => pick(r, ROW_FIELDS)));
      },
      TIMEOUT_MS,
    );
  }
});

describe('Kafka Connect JSON envelope', () => {
  it(
    'types the payload from the embedded schema; keyed rows with a tombstone dedup to the live orders',
    async () => {
      const topic = await createTopic(conn, { prefix: 'app-envelope-connect-json', partitions: PARTITIONS });
      const order = (id: number, total: number, placedAt: number) => ({
        order_id: id,
        total,
        paid: id % 2 === 0 ? true : null,
        note: Buffer.from(`note ${id}`).toString('base64'),
        tags: [`t${id}`],
        counts: { items: id },
        ship_to: { city: 'Lyon' },
        placed_at: placedAt,
        slot: 3_600_000,
        discount: unscaledBytes(BigInt(id * 5)).toString('base64'),
      });
      const keyOfOrder = (id: number) =>
        JSON.stringify({ schema: { type: 'int64', optional: false }, payload: id });
      const value = (id: number, total: number, at: number) =>
        JSON.stringify({ schema: CONNECT_ROW_SCHEMA, payload: order(id, total, at) });
      const T = Date.UTC(2024, 4, 1);
      await produceMessages(conn, topic, [
        { key: keyOfOrder(1), value: value(1, 10, T), partition: 1 },
        { key: keyOfOrder(2), value: value(2, 20, T), partition: 2 },
        { key: keyOfOrder(3), value: value(3, 30, T), partition: 0 },
        { key: keyOfOrder(1), value: value(1, 11.5, T + 1000), partition: 1 },
        { key: keyOfOrder(2), value: null, partition: 2 },
      ]);
      const config = plaintextConfig(conn, topic, {
        key_format: { deserialization_type: 'JSON' },
        record_layout: { primary_key: 'message_key', value_layout: 'flatten', envelope: 'connect_json' },
      });
      const discovered = await runCli('discover', { config });
      expect(discovered.exitCode, discovered.stderr).toBe(0);
      const stream = ofType<{ streams: Array<Record<string, unknown>> }>(discovered.messages, 'CATALOG')[0]!
        .streams[0]!;
      expect(stream.source_defined_primary_key).toEqual([['_kafka_key']]);
      const jsonSchema = stream.json_schema as { properties: Record<string, Record<string, unknown>> };
      expect(jsonSchema.properties.placed_at).toEqual({
        $ref: 'WellKnownTypes.json#/definitions/TimestampWithTimezone',
      });
      expect(jsonSchema.properties._kafka_key).toMatchObject({ type: ['null', 'integer'] });
      const catalog = {
        streams: [
          {
            stream,
            sync_mode: 'incremental',
            destination_sync_mode: 'append_dedup',
            cursor_field: ['_kafka_offset'],
            primary_key: [['_kafka_key']],
          },
        ],
      };
      const sync = await runCli('read', { config, catalog });
      expect(sync.exitCode, JSON.stringify(traceErrors(sync.messages))).toBe(0);
      const records = recordsOf(sync.messages);
      expect(records).toHaveLength(5);
      for (const r of records) expect(validateStreamRecord(jsonSchema, r.data)).toEqual([]);

      const table = await dedupInDuckDb(records, ['_kafka_key']);
      const fields = ['order_id', 'total', 'paid', 'placed_at', 'slot', 'discount', 'counts'];
      expect(
        table.map((r) => pick(r.data, fields)).sort((a, b) => Number(a.order_id) - Number(b.order_id)),
      ).toEqual([
        {
          order_id: 1,
          total: 11.5,
          paid: null,
          placed_at: new Date(T + 1000).toISOString(),
          slot: '01:00:00.000',
          discount: '0.05',
          counts: { items: 1 },
        },
        {
          order_id: 3,
          total: 30,
          paid: null,
          placed_at: new Date(T).toISOString(),
          slot: '01:00:00.000',
          discount: '0.15',
          counts: { items: 3 },
        },
      ]);
    },
    TIMEOUT_MS,
  );
});
