// The message key as the primary key, end to end: a table kept in a topic (updates, tombstones, keys coming
// back after a delete) over several partitions, read in two incremental syncs, lands in DuckDB as raw rows the
// way a destination lands them, and Airbyte's dedup rule over them gives exactly the live keys of the topic.
// An Avro record key (schema in the real registry) is keyed on its fields, `_kafka_key_<field>`.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ApicurioConnection, BrokerConnection, FixtureMessage } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { validateStreamRecord } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, inject, it } from 'vitest';
import { type Message, ofType, plaintextConfig, runCli, stateInput, statesOf, traceErrors } from './cli.js';
import { type EmittedRecord, queryDeduplicated, emittedRecordsOf as recordsOf } from './duckdb-dedup.js';

const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');
const PARTITIONS = 3;
const KEYS = 24;
const TIMEOUT_MS = 180_000;

/** What the test produces, in order: the truth the destination table is compared with. */
interface Produced {
  readonly key: string | null;
  readonly value: { readonly name: string; readonly version: number } | null;
}

/** A key always goes to the same partition, as Kafka's partitioner does while the partition count holds. */
const partitionOf = (key: string) => Number(key.slice(1)) % PARTITIONS;

/**
 * Round `round` of changes: every key gets a version, every third key (shifted per round) a tombstone after
 * it, and a few keys only appear from round 1 on. Keys deleted in one round come back in the next.
 */
function round(round: number): Produced[] {
  const out: Produced[] = [];
  for (let i = 0; i < KEYS; i++) {
    if (round === 0 && i >= KEYS - 4) continue;
    const key = `k${i}`;
    out.push({ key, value: { name: `${key}-r${round}-a`, version: round * 10 + 1 } });
    if ((i + round) % 3 === 0) out.push({ key, value: null });
    else if ((i + round) % 3 === 1)
      out.push({ key, value: { name: `${key}-r${round}-b`, version: round * 10 + 2 } });
  }
  // Keyless messages: no identity to deduplicate on, so the connector skips and counts them.
  out.push({ key: null, value: { name: `keyless-r${round}`, version: -1 } });
  return out;
}

function toFixture(p: Produced, index: number): FixtureMessage {
  return {
    key: p.key,
    value: p.value === null ? null : JSON.stringify(p.value),
    partition: p.key === null ? index % PARTITIONS : partitionOf(p.key),
  };
}

/** The live value of each key after everything produced, computed from the produce list alone. */
function liveValues(produced: readonly Produced[]): Map<string, string> {
  const live = new Map<string, string>();
  for (const p of produced) {
    if (p.key === null) continue;
    if (p.value === null) live.delete(p.key);
    else live.set(p.key, JSON.stringify(p.value));
  }
  return live;
}

/** Airbyte's dedup rule over the records; returns each surviving key (as `keyText`) with its value. */
async function dedupInDuckDb(
  records: readonly EmittedRecord[],
  primaryKey: readonly string[],
  cursor: string,
  /** A SQL expression giving each row's key as text, to compare with the produced keys. */
  keyText = '_kafka_key',
): Promise<Map<string, string>> {
  const rows = await queryDeduplicated(records, {
    primaryKey,
    cursor,
    select: `${keyText} AS k, to_json({name: name, version: version})::VARCHAR AS v`,
    orderBy: 'k',
  });
  return new Map(rows.map((row) => [String(row.k), String(row.v)]));
}

describe('message key as primary key', () => {
  it(
    'two incremental syncs of updates and tombstones, deduplicated in DuckDB, equal the live keys of the topic',
    async () => {
      const topic = await createTopic(conn, { prefix: 'app-keys-dedup', partitions: PARTITIONS });
      const config = plaintextConfig(conn, topic, {
        record_layout: { primary_key: 'message_key', value_layout: 'flatten' },
      });

      const first = round(0);
      await produceMessages(conn, topic, first.map(toFixture));

      const discovered = await runCli('discover', { config });
      expect(discovered.exitCode, discovered.stderr).toBe(0);
      const stream = ofType<{ streams: Array<Record<string, unknown>> }>(discovered.messages, 'CATALOG')[0]!
        .streams[0]!;
      expect(stream.source_defined_primary_key).toEqual([['_kafka_key']]);
      expect(stream.default_cursor_field).toEqual(['_kafka_offset']);
      const properties = (stream.json_schema as { properties: Record<string, unknown> }).properties;
      expect(properties._ab_cdc_deleted_at).toMatchObject({ type: ['null', 'string'], format: 'date-time' });

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

      const sync1 = await runCli('read', { config, catalog });
      expect(sync1.exitCode, JSON.stringify(traceErrors(sync1.messages))).toBe(0);

      const second = round(1);
      await produceMessages(conn, topic, second.map(toFixture));
      const sync2 = await runCli('read', { config, catalog, state: stateInput(sync1.messages) });
      expect(sync2.exitCode, JSON.stringify(traceErrors(sync2.messages))).toBe(0);

      const records1 = recordsOf(sync1.messages);
      const records2 = recordsOf(sync2.messages);
      // The second sync read only what came after the first one's state, keyless messages left out.
      const keyed = (list: readonly Produced[]) => list.filter((p) => p.key !== null).length;
      expect(records1).toHaveLength(keyed(first));
      expect(records2).toHaveLength(keyed(second));
      expect(rejected(sync1.messages)).toBe(1);
      expect(rejected(sync2.messages)).toBe(1);

      const jsonSchema = stream.json_schema as Record<string, unknown>;
      for (const r of [...records1, ...records2])
        expect(validateStreamRecord(jsonSchema, r.data)).toEqual([]);

      const tombstones = records2.filter((r) => r.data._kafka_is_tombstone === true);
      expect(tombstones.length).toBeGreaterThan(0);
      for (const t of tombstones) {
        expect(t.data._ab_cdc_deleted_at).toBe(t.data._kafka_timestamp);
        expect(Number.isNaN(Date.parse(String(t.data._ab_cdc_deleted_at)))).toBe(false);
      }
      expect(records2.filter((r) => r.data._ab_cdc_deleted_at !== null)).toEqual(tombstones);

      const expected = liveValues([...first, ...second]);
      // Guards the fixture itself: deletes, resurrections and keys new in the second round all occur.
      expect(expected.size).toBeGreaterThan(0);
      expect(expected.size).toBeLessThan(KEYS);
      expect(expected.has(`k${KEYS - 2}`)).toBe(true); // new in round 1
      expect(liveValues(first).has(`k${KEYS - 2}`)).toBe(false);

      const table = await dedupInDuckDb([...records1, ...records2], ['_kafka_key'], '_kafka_offset');
      expect(table).toEqual(expected);
      // After the first sync alone, the table is the topic as it was then.
      expect(await dedupInDuckDb(records1, ['_kafka_key'], '_kafka_offset')).toEqual(liveValues(first));
    },
    TIMEOUT_MS,
  );
});

describe('message key as primary key, object keys', () => {
  it(
    'keys on the fields of a registry record key, as _kafka_key_<field> columns a SQL engine dedups on',
    async () => {
      const topic = await createTopic(conn, { prefix: 'app-keys-object', partitions: PARTITIONS });
      const client = new SchemaRegistry({ host: registry.ccompatUrl });
      const { id } = await client.register(
        {
          type: SchemaType.AVRO,
          schema: JSON.stringify({
            type: 'record',
            name: 'AccountKey',
            namespace: 'bank',
            fields: [
              { name: 'tenant', type: 'string' },
              { name: 'id', type: 'long' },
            ],
          }),
        },
        { subject: `${topic}-key` },
      );
      // (tenant, id) pairs that share a tenant or an id, so only both fields together tell keys apart.
      const keys = [
        ['eu', 1],
        ['eu', 2],
        ['us', 1],
        ['us', 2],
      ] as const;
      const produced: Array<{ key: string; value: { name: string; version: number } | null }> = [];
      const messages: FixtureMessage[] = [];
      for (let version = 1; version <= 3; version++) {
        for (const [index, [tenant, n]] of keys.entries()) {
          const tombstone = version === 3 && index % 2 === 1;
          const value = tombstone ? null : { name: `${tenant}-${n}-v${version}`, version };
          produced.push({ key: `${tenant}/${n}`, value });
          messages.push({
            key: await client.encode(id, { tenant, id: n }),
            value: value === null ? null : JSON.stringify(value),
            partition: index % PARTITIONS,
          });
        }
      }
      await produceMessages(conn, topic, messages);

      const config = plaintextConfig(conn, topic, {
        key_format: { deserialization_type: 'AVRO' },
        schema_registry: { url: registry.ccompatUrl },
        record_layout: { primary_key: 'message_key', value_layout: 'flatten' },
      });
      const discovered = await runCli('discover', { config });
      expect(discovered.exitCode, discovered.stderr).toBe(0);
      const stream = ofType<{ streams: Array<Record<string, unknown>> }>(discovered.messages, 'CATALOG')[0]!
        .streams[0]!;
      const primaryKey = [['_kafka_key_tenant'], ['_kafka_key_id']];
      expect(stream.source_defined_primary_key).toEqual(primaryKey);
      const catalog = {
        streams: [
          {
            stream,
            sync_mode: 'incremental',
            destination_sync_mode: 'append_dedup',
            cursor_field: ['_kafka_offset'],
            primary_key: primaryKey,
          },
        ],
      };
      const sync = await runCli('read', { config, catalog });
      expect(sync.exitCode, JSON.stringify(traceErrors(sync.messages))).toBe(0);
      const records = recordsOf(sync.messages);
      expect(records).toHaveLength(produced.length);
      const jsonSchema = stream.json_schema as Record<string, unknown>;
      for (const r of records) expect(validateStreamRecord(jsonSchema, r.data)).toEqual([]);

      const expected = new Map<string, string>();
      for (const p of produced) {
        if (p.value === null) expected.delete(p.key);
        else expected.set(p.key, JSON.stringify(p.value));
      }
      expect(expected.size).toBe(2);
      const table = await dedupInDuckDb(
        records,
        ['_kafka_key_tenant', '_kafka_key_id'],
        '_kafka_offset',
        `_kafka_key_tenant || '/' || _kafka_key_id`,
      );
      expect(table).toEqual(expected);
    },
    TIMEOUT_MS,
  );
});

function rejected(messages: readonly Message[]): number {
  return statesOf(messages).reduce(
    (sum, s) =>
      sum + ((s as { sourceStats?: { rejectedRecordCount?: number } }).sourceStats?.rejectedRecordCount ?? 0),
    0,
  );
}
