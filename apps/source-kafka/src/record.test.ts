import { stringifyJson } from '@source-kafka/airbyte-protocol';
import type { KafkaRecord } from '@source-kafka/consumer';
import type { JsonValue } from '@source-kafka/deserializers';
import { JsonObjectMembers } from '@source-kafka/deserializers';
import type { RecordLayoutConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import {
  buildRecordData,
  headerToField,
  kafkaTimestampToRfc3339,
  offsetToJson,
  recordDataBytes,
} from './record.js';

const nested: RecordLayoutConfig = {
  includeKey: true,
  includeHeaders: true,
  includeMetadata: true,
  value: 'nested',
  primaryKey: 'offset',
};

function kafkaRecord(overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    offset: '42',
    timestamp: '1700000000123',
    timestampType: 'CreateTime',
    key: Buffer.from('k1'),
    value: Buffer.from('{"a":1}'),
    headers: [],
    ...overrides,
  };
}

describe('buildRecordData with the message key as primary key', () => {
  const byKey: RecordLayoutConfig = { ...nested, primaryKey: 'message_key' };

  it('writes the message time as _ab_cdc_updated_at and no deletion for a live value', () => {
    const data = buildRecordData(
      { topic: 't', partition: 0, record: kafkaRecord(), key: 'k1', value: { a: 1 } },
      byKey,
    );
    expect(data).toMatchObject({
      _kafka_key: 'k1',
      _ab_cdc_updated_at: '2023-11-14T22:13:20.123Z',
      _ab_cdc_deleted_at: null,
    });
  });

  it('marks a tombstone deleted at the message time, and spreads an object key into _kafka_key_ columns', () => {
    const data = buildRecordData(
      {
        topic: 't',
        partition: 0,
        record: kafkaRecord({ value: null }),
        key: { tenant: 'x', id: 7 },
        value: null,
      },
      { ...byKey, value: 'flatten' },
    );
    expect(data).toMatchObject({
      value: null,
      _kafka_key: { tenant: 'x', id: 7 },
      _kafka_key_tenant: 'x',
      _kafka_key_id: 7,
      _kafka_is_tombstone: true,
      _ab_cdc_deleted_at: '2023-11-14T22:13:20.123Z',
    });
  });

  it('falls back to the given time for a tombstone without a timestamp, so the delete is not lost', () => {
    const data = buildRecordData(
      {
        topic: 't',
        partition: 0,
        record: kafkaRecord({ value: null, timestamp: '-1' }),
        key: 'k',
        value: null,
      },
      byKey,
      Date.UTC(2024, 0, 2, 3, 4, 5),
    );
    expect(data._kafka_timestamp).toBeNull();
    expect(data._ab_cdc_deleted_at).toBe('2024-01-02T03:04:05.000Z');
    expect(data._ab_cdc_updated_at).toBe('2024-01-02T03:04:05.000Z');
  });

  it('adds no CDC columns when the offset is the primary key', () => {
    const data = buildRecordData(
      { topic: 't', partition: 0, record: kafkaRecord({ value: null }), key: { id: 1 }, value: null },
      nested,
    );
    expect(Object.keys(data).filter((k) => k.startsWith('_ab_') || k.startsWith('_kafka_key_'))).toEqual([]);
  });
});

describe('buildRecordData', () => {
  it('nests the value and adds prefixed metadata fields', () => {
    const data = buildRecordData(
      { topic: 'orders', partition: 3, record: kafkaRecord(), key: 'k1', value: { a: 1 } },
      nested,
    );
    expect(data).toEqual({
      value: { a: 1 },
      _kafka_key: 'k1',
      _kafka_headers: [],
      _kafka_topic: 'orders',
      _kafka_partition: 3,
      _kafka_offset: 42,
      _kafka_timestamp: '2023-11-14T22:13:20.123Z',
      _kafka_timestamp_type: 'CreateTime',
      _kafka_is_tombstone: false,
    });
  });

  it('flattens an object value, and metadata wins over a clashing value field', () => {
    const data = buildRecordData(
      {
        topic: 't',
        partition: 0,
        record: kafkaRecord(),
        key: null,
        value: { a: 1, _kafka_offset: 'spoofed' },
      },
      { ...nested, value: 'flatten' },
    );
    expect(data.a).toBe(1);
    expect(data._kafka_offset).toBe(42);
    expect('value' in data).toBe(false);
  });

  it('keeps a "__proto__" field of a flattened JSON value as a field', () => {
    const value = JSON.parse('{"__proto__":{"admin":true},"a":1}') as { [key: string]: JsonValue };
    const data = buildRecordData(
      { topic: 't', partition: 0, record: kafkaRecord(), key: null, value },
      { ...nested, value: 'flatten' },
    );
    const out = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ admin: true });
    expect(out.a).toBe(1);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });

  it('keeps a non-object value under `value` in the flattened layout', () => {
    const data = buildRecordData(
      { topic: 't', partition: 0, record: kafkaRecord(), key: null, value: [1, 2] },
      { ...nested, value: 'flatten' },
    );
    expect(data.value).toEqual([1, 2]);
  });

  it('emits a tombstone with a null value and the tombstone flag', () => {
    const data = buildRecordData(
      { topic: 't', partition: 0, record: kafkaRecord({ value: null }), key: 'k1', value: null },
      nested,
    );
    expect(data.value).toBeNull();
    expect(data._kafka_is_tombstone).toBe(true);
    expect(data._kafka_key).toBe('k1');
  });

  it('leaves out key, headers and metadata when the layout says so, but keeps the tombstone flag', () => {
    const data = buildRecordData(
      { topic: 't', partition: 0, record: kafkaRecord(), key: 'k', value: 5 },
      {
        includeKey: false,
        includeHeaders: false,
        includeMetadata: false,
        value: 'nested',
        primaryKey: 'offset',
      },
    );
    expect(data).toEqual({ value: 5, _kafka_is_tombstone: false });
  });

  it('keeps duplicate headers in the order given', () => {
    const data = buildRecordData(
      {
        topic: 't',
        partition: 0,
        record: kafkaRecord({
          headers: [
            { key: 'h', value: Buffer.from('one') },
            { key: 'h', value: Buffer.from('two') },
            { key: 'empty', value: null },
          ],
        }),
        key: null,
        value: null,
      },
      nested,
    );
    expect(data._kafka_headers).toEqual([
      { key: 'h', value: 'one', encoding: 'utf8' },
      { key: 'h', value: 'two', encoding: 'utf8' },
      { key: 'empty', value: null, encoding: 'utf8' },
    ]);
  });
});

describe('headerToField', () => {
  it('writes invalid UTF-8 as base64', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    expect(headerToField({ key: 'bin', value: bytes })).toEqual({
      key: 'bin',
      value: bytes.toString('base64'),
      encoding: 'base64',
    });
  });

  it('keeps multi-byte UTF-8 text as text', () => {
    expect(headerToField({ key: 'x', value: Buffer.from('héllo ✓') }).value).toBe('héllo ✓');
  });
});

describe('kafkaTimestampToRfc3339', () => {
  it('returns null for the -1 "no timestamp" marker', () => {
    expect(kafkaTimestampToRfc3339('-1')).toBeNull();
  });
  it('stays right when timestamps repeat and change', () => {
    expect(kafkaTimestampToRfc3339('1000')).toBe('1970-01-01T00:00:01.000Z');
    expect(kafkaTimestampToRfc3339('1000')).toBe('1970-01-01T00:00:01.000Z');
    expect(kafkaTimestampToRfc3339('-1')).toBeNull();
    expect(kafkaTimestampToRfc3339('2000')).toBe('1970-01-01T00:00:02.000Z');
  });
  it('formats epoch milliseconds as RFC 3339 UTC', () => {
    expect(kafkaTimestampToRfc3339('0')).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('offsetToJson', () => {
  it('keeps offsets beyond 2^53 exact, as integers', () => {
    expect(offsetToJson('9007199254740993')).toBe(9007199254740993n);
    expect(offsetToJson('17')).toBe(17);
  });
});

describe('recordDataBytes', () => {
  const layouts: RecordLayoutConfig[] = [
    nested,
    { ...nested, includeKey: false, includeHeaders: false },
    { ...nested, includeMetadata: false },
    { ...nested, primaryKey: 'message_key' },
    { ...nested, primaryKey: 'message_key', includeMetadata: false },
  ];
  const records = [
    {
      record: kafkaRecord(),
      key: 'k1' as JsonValue,
      value: { a: 1, big: 1152921504606846977n } as JsonValue,
    },
    {
      record: kafkaRecord({
        value: null,
        timestamp: '-1',
        headers: [
          { key: 'h', value: Buffer.from('é') },
          { key: 'bin', value: Buffer.from([0xff]) },
          { key: 'none', value: null },
        ],
      }),
      key: { tenant: 'x', id: 7, __proto__: 'p' } as unknown as JsonValue,
      value: null,
    },
    { record: kafkaRecord({ offset: '9223372036854775807' }), key: null, value: ['x', 'é', '\u2028'] },
  ];

  it('writes the same JSON text as serializing buildRecordData, for decoded values', () => {
    const key = JSON.parse('{"tenant":"x","__proto__":"p"}') as JsonValue;
    records.push({ record: kafkaRecord(), key, value: 'text' });
    for (const layout of layouts) {
      for (const r of records) {
        const input = { topic: 'orders "eu"', partition: 3, ...r };
        const bytes = recordDataBytes(input, layout, 1_700_000_000_000);
        const expected = stringifyJson(buildRecordData(input, layout, 1_700_000_000_000));
        expect(Buffer.from(bytes).toString('utf8')).toBe(expected);
      }
    }
  });

  it('copies a key or value given as JSON text in as it is', () => {
    const value = Buffer.from('{"n":1152921504606846977,"x":1.50, "s":"\\u00e9"}');
    const bytes = recordDataBytes(
      { topic: 't', partition: 0, record: kafkaRecord(), key: Buffer.from('"k1"'), value },
      { ...nested, includeHeaders: false },
    );
    expect(Buffer.from(bytes).toString('utf8')).toBe(
      `{"value":${value.toString('utf8')},"_kafka_key":"k1","_kafka_topic":"t","_kafka_partition":0,` +
        '"_kafka_offset":42,"_kafka_timestamp":"2023-11-14T22:13:20.123Z","_kafka_timestamp_type":"CreateTime",' +
        '"_kafka_is_tombstone":false}',
    );
  });

  it('flattens an object given as its members text into the same record as the decoded object', () => {
    const flatten: RecordLayoutConfig[] = [
      { ...nested, value: 'flatten' },
      { ...nested, value: 'flatten', includeKey: false, includeHeaders: false, includeMetadata: false },
      { ...nested, value: 'flatten', primaryKey: 'message_key' },
    ];
    for (const layout of flatten) {
      for (const value of [{ a: 1, b: { c: ['é', null] } }, {}] as JsonValue[]) {
        const text = JSON.stringify(value);
        const members = new JsonObjectMembers(Buffer.from(text.slice(1, -1)));
        const base = { topic: 't', partition: 1, record: kafkaRecord(), key: { id: 3 } };
        const bytes = recordDataBytes({ ...base, value: members }, layout, 5);
        const expected = stringifyJson(buildRecordData({ ...base, value }, layout, 5));
        expect(Buffer.from(bytes).toString('utf8')).toBe(expected);
      }
    }
  });
});
