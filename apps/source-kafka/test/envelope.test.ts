// The pure envelope transforms on the hand-written Debezium and Connect fixtures (fixtures/envelopes.ts).
import type { JsonValue } from '@source-kafka/deserializers';
import { validateStreamRecord } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it } from 'vitest';
import { buildStream, envelopeRowSchema } from '../src/discover.js';
import {
  asConnectEnvelope,
  connectPayload,
  connectSchemaToJsonSchema,
  debeziumChange,
  debeziumRowSchemaFromConnect,
  debeziumRowSchemaFromEnvelope,
  EnvelopeError,
  unwrapConnectKey,
  unwrapValue,
} from '../src/envelope.js';
import { buildRecordData } from '../src/record.js';
import {
  CONNECT_ENVELOPE_SCHEMA,
  CONNECT_ROW_SCHEMA,
  CUSTOMER_EVENTS,
  debeziumJson,
  debeziumJsonWithSchema,
  expectedRow,
  keyJsonWithSchema,
  unscaledBytes,
} from './fixtures/envelopes.js';

const json = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value)) as JsonValue;

describe('Debezium change events', () => {
  it('takes after for c, u, r and before for d, with the source time, with or without schemas', () => {
    for (const [index, event] of CUSTOMER_EVENTS.entries()) {
      const expected = expectedRow((event.op === 'd' ? event.before : event.after)!);
      const withSchema = debeziumChange(json(debeziumJsonWithSchema(event, index)));
      expect(withSchema).toEqual({ op: event.op, row: expected, sourceTimeMs: event.sourceTsMs });
      // Without schemas nothing says a number is a date: the row is the event's as written.
      const plain = debeziumChange(json(debeziumJson(event, index)));
      expect(plain.row).toEqual(
        json((debeziumJson(event, index) as Record<string, unknown>)[event.op === 'd' ? 'before' : 'after']),
      );
      expect(plain.sourceTimeMs).toBe(event.sourceTsMs);
    }
  });

  it('passes a truncate over and refuses what is not a change event, naming no field value', () => {
    expect(
      unwrapValue('debezium', json({ before: null, after: null, source: { ts_ms: 5 }, op: 't' })),
    ).toEqual({
      kind: 'truncate',
    });
    for (const bad of [
      json({ id: 'secret-value' }),
      json('text'),
      json({ op: 'x', after: {} }),
      json({ op: 'u', after: null }),
    ]) {
      expect(() => debeziumChange(bad)).toThrow(EnvelopeError);
      try {
        debeziumChange(bad);
      } catch (error) {
        expect(String((error as Error).message)).not.toContain('secret-value');
      }
    }
  });

  it('marks a delete, falling back to the event ts_ms without a source time', () => {
    const result = unwrapValue('debezium', json({ before: { id: 1 }, after: null, op: 'd', ts_ms: 42 }));
    expect(result).toEqual({ kind: 'row', row: { id: 1 }, change: { timeMs: 42, deleted: true } });
  });

  it('writes _ab_cdc_updated_at from the source time and _ab_cdc_deleted_at for a delete', () => {
    const layout = {
      includeKey: true,
      includeHeaders: false,
      includeMetadata: true,
      value: 'flatten',
      primaryKey: 'message_key',
      envelope: 'debezium',
    } as const;
    const record = {
      offset: '7',
      timestamp: '1700000000000',
      timestampType: 'CreateTime' as const,
      key: Buffer.from('{"id":1002}'),
      value: Buffer.from('{}'),
      headers: [],
    };
    const deleted = buildRecordData(
      {
        topic: 't',
        partition: 0,
        record,
        key: { id: 1002 },
        value: { id: 1002 },
        change: { timeMs: 86_400_000, deleted: true },
      },
      layout,
    );
    expect(deleted).toMatchObject({
      id: 1002,
      _kafka_key_id: 1002,
      _ab_cdc_updated_at: '1970-01-02T00:00:00.000Z',
      _ab_cdc_deleted_at: '1970-01-02T00:00:00.000Z',
      _kafka_is_tombstone: false,
    });
    const updated = buildRecordData(
      {
        topic: 't',
        partition: 0,
        record,
        key: { id: 1 },
        value: { id: 1 },
        change: { timeMs: undefined, deleted: false },
      },
      { ...layout, primaryKey: 'offset' },
    );
    expect(updated._ab_cdc_updated_at).toBe(new Date(1_700_000_000_000).toISOString());
    expect(updated._ab_cdc_deleted_at).toBeNull();
  });

  it('types the row from the embedded schema, and every row fits it', () => {
    const schema = debeziumRowSchemaFromConnect(json(CONNECT_ENVELOPE_SCHEMA));
    expect(schema).toMatchObject({
      type: 'object',
      properties: {
        id: { type: 'integer' },
        email: { type: ['string', 'null'] },
        birth_date: { anyOf: [{ type: 'null' }, { $ref: 'WellKnownTypes.json#/definitions/Date' }] },
        balance: { $ref: 'WellKnownTypes.json#/definitions/Number' },
        updated_at: { $ref: 'WellKnownTypes.json#/definitions/TimestampWithTimezone' },
      },
    });
    for (const [index, event] of CUSTOMER_EVENTS.entries()) {
      const { row } = debeziumChange(json(debeziumJsonWithSchema(event, index)));
      expect(validateStreamRecord(schema as Record<string, unknown>, row)).toEqual([]);
    }
  });

  it('infers the row schema from sampled rows without schemas, and reads schemas from samples that have them', () => {
    const plain = CUSTOMER_EVENTS.map((e, i) => json(debeziumJson(e, i)));
    const inferred = envelopeRowSchema('debezium', plain, true);
    expect(inferred).toMatchObject({
      type: 'object',
      properties: { id: { type: 'integer' }, first_name: { type: 'string' } },
    });
    expect(envelopeRowSchema('debezium', plain, false)).not.toHaveProperty('properties');
    const embedded = envelopeRowSchema(
      'debezium',
      CUSTOMER_EVENTS.map((e, i) => json(debeziumJsonWithSchema(e, i))),
      false,
    );
    expect(embedded).toEqual(debeziumRowSchemaFromConnect(json(CONNECT_ENVELOPE_SCHEMA)));
  });

  it('takes the row schema of an Avro envelope from the object branch of after', () => {
    const envelope = {
      type: 'object',
      properties: {
        before: { anyOf: [{ type: 'null' }, { type: 'object', properties: { id: { type: 'integer' } } }] },
        after: { anyOf: [{ type: 'null' }, { type: 'object', properties: { id: { type: 'integer' } } }] },
        op: { type: 'string' },
      },
    };
    expect(debeziumRowSchemaFromEnvelope(json(envelope) as Record<string, JsonValue>)).toEqual({
      type: 'object',
      properties: { id: { type: 'integer' } },
    });
    expect(
      debeziumRowSchemaFromEnvelope({ type: 'object', properties: { op: { type: 'string' } } }),
    ).toBeUndefined();
  });
});

describe('discovered Debezium streams', () => {
  it('declare the row columns and the CDC columns, whatever the primary key', () => {
    const valueSchema = debeziumRowSchemaFromConnect(json(CONNECT_ENVELOPE_SCHEMA))!;
    for (const primaryKey of ['offset', 'message_key'] as const) {
      const stream = buildStream({
        topic: 'dbserver1.inventory.customers',
        valueSchema,
        keySchema: connectSchemaToJsonSchema(json(keyJsonWithSchema(CUSTOMER_EVENTS[0]!).schema)),
        layout: {
          includeKey: true,
          includeHeaders: false,
          includeMetadata: true,
          value: 'flatten',
          primaryKey,
          envelope: 'debezium',
        },
      });
      const properties = (stream.json_schema as { properties: Record<string, unknown> }).properties;
      expect(Object.keys(properties)).toEqual(
        expect.arrayContaining(['id', 'first_name', '_ab_cdc_updated_at', '_ab_cdc_deleted_at']),
      );
      expect(properties).not.toHaveProperty('after');
      expect(stream.source_defined_primary_key).toEqual(
        primaryKey === 'offset' ? [['_kafka_partition'], ['_kafka_offset']] : [['_kafka_key_id']],
      );
    }
  });
});

describe('Kafka Connect JSON', () => {
  const payload = {
    order_id: 9007199254740993n,
    total: 12.5,
    paid: null,
    note: Buffer.from('hi').toString('base64'),
    tags: ['a', 'b'],
    counts: { x: 1 },
    ship_to: { city: 'Lyon' },
    placed_at: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
    slot: 3_600_000 + 1,
    discount: unscaledBytes(-5n).toString('base64'),
  };

  it('maps Connect types and logical types to Airbyte types, and the payload fits', () => {
    const schema = connectSchemaToJsonSchema(json(CONNECT_ROW_SCHEMA));
    expect(schema).toMatchObject({
      type: 'object',
      properties: {
        order_id: { type: 'integer' },
        total: { type: 'number' },
        paid: { type: ['boolean', 'null'] },
        note: { anyOf: [{ type: 'null' }, { $ref: 'WellKnownTypes.json#/definitions/BinaryData' }] },
        tags: { type: 'array', items: { type: 'string' } },
        counts: { type: ['object', 'null'], additionalProperties: { type: 'integer' } },
        ship_to: { type: ['object', 'null'], properties: { city: { type: 'string' } } },
        placed_at: { $ref: 'WellKnownTypes.json#/definitions/TimestampWithTimezone' },
        slot: { anyOf: [{ type: 'null' }, { $ref: 'WellKnownTypes.json#/definitions/TimeWithoutTimezone' }] },
        discount: { $ref: 'WellKnownTypes.json#/definitions/Number' },
      },
    });
    const envelope = { schema: json(CONNECT_ROW_SCHEMA), payload: payload as unknown as JsonValue };
    const result = unwrapValue('connect_json', envelope);
    expect(result).toEqual({
      kind: 'row',
      row: { ...payload, placed_at: '2024-01-02T03:04:05.006Z', slot: '01:00:00.001', discount: '-0.05' },
    });
    const row = result.kind === 'row' ? result.row : null;
    // ajv knows no bigint: the exact integer is checked as the number JSON would carry.
    expect(
      validateStreamRecord(schema as Record<string, unknown>, { ...(row as object), order_id: 1 }),
    ).toEqual([]);
  });

  it('maps non-string map keys to pairs, and NUMERIC decimals to exact text', () => {
    const schema = json({
      type: 'map',
      keys: { type: 'int32' },
      values: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '1' } },
    });
    expect(connectSchemaToJsonSchema(schema)).toMatchObject({ type: 'array', items: { type: 'array' } });
    expect(
      connectPayload(
        json([
          [1, 'AQ=='],
          [2, 3.5],
        ]),
        schema,
      ),
    ).toEqual([
      [1, '0.1'],
      [2, '3.5'],
    ]);
  });

  it('refuses a value that is not a {schema, payload} object, and unwraps keys in that form', () => {
    expect(() => unwrapValue('connect_json', json({ payload: {} }))).toThrow(EnvelopeError);
    expect(() => unwrapValue('connect_json', json({ schema: 'x', payload: {} }))).toThrow(EnvelopeError);
    expect(asConnectEnvelope(json({ schema: null, payload: 1 }))).toEqual({ schema: null, payload: 1 });
    expect(unwrapConnectKey(json(keyJsonWithSchema(CUSTOMER_EVENTS[0]!)))).toEqual({ id: 1001 });
    expect(unwrapConnectKey(json({ id: 5 }))).toEqual({ id: 5 });
    expect(unwrapConnectKey('plain')).toBe('plain');
  });

  it('writes micro and nano timestamps of Debezium with every digit, before 1970 too', () => {
    const micro = json({ type: 'int64', name: 'io.debezium.time.MicroTimestamp' });
    expect(connectPayload(1_700_000_000_123_456, micro)).toBe('2023-11-14T22:13:20.123456');
    expect(connectPayload(-1, micro)).toBe('1969-12-31T23:59:59.999999');
    expect(connectPayload(json({}), micro)).toEqual({});
  });
});
