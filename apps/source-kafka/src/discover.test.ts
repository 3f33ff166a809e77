import type { StreamJsonSchema } from '@source-kafka/deserializers';
import type { RecordLayoutConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { buildRecordSchema, buildStream, nullable, openSchema } from './discover.js';

const anyJson = { type: ['object', 'array', 'string', 'number', 'boolean', 'null'] };
const stringSchema = { type: 'string' };

const layout: RecordLayoutConfig = {
  includeKey: true,
  includeHeaders: true,
  includeMetadata: true,
  value: 'nested',
};
const avroLike = {
  type: 'object',
  additionalProperties: false,
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
};

describe('buildStream', () => {
  it('offers both sync modes with a source-defined cursor and partition+offset primary key', () => {
    const stream = buildStream({
      topic: 'orders',
      valueSchema: anyJson,
      keySchema: stringSchema,
      layout,
    });
    expect(stream).toMatchObject({
      name: 'orders',
      supported_sync_modes: ['full_refresh', 'incremental'],
      source_defined_cursor: true,
      default_cursor_field: ['_kafka_offset'],
      source_defined_primary_key: [['_kafka_partition'], ['_kafka_offset']],
      is_resumable: true,
    });
    const properties = stream.json_schema.properties as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual([
      'value',
      '_kafka_key',
      '_kafka_headers',
      '_kafka_topic',
      '_kafka_partition',
      '_kafka_offset',
      '_kafka_timestamp',
      '_kafka_timestamp_type',
      '_kafka_is_tombstone',
    ]);
    expect(properties._kafka_key).toEqual({ type: ['null', 'string'] });
  });

  it('has no primary key without the metadata fields it would point at', () => {
    const stream = buildStream({
      topic: 't',
      valueSchema: avroLike,
      keySchema: {},
      layout: { ...layout, includeMetadata: false },
    });
    expect(stream.source_defined_primary_key).toBeUndefined();
    expect(stream.default_cursor_field).toBeUndefined();
  });
});

describe('buildRecordSchema', () => {
  it('nests a registry schema under value, allowing null for tombstones', () => {
    const schema = buildRecordSchema({ topic: 't', valueSchema: avroLike, keySchema: {}, layout });
    expect((schema.properties as Record<string, unknown>).value).toEqual({
      type: ['null', 'object'],
      properties: avroLike.properties,
    });
    expect(schema.additionalProperties).toBe(true);
  });

  it.each(['nested', 'flatten'] as const)(
    'never closes a schema (%s layout), not even where the registry schema did',
    (value) => {
      const closed: StreamJsonSchema = {
        type: 'object',
        additionalProperties: false,
        properties: {
          inner: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
          list: { type: 'array', items: { type: 'object', additionalProperties: false } },
          either: { anyOf: [{ type: 'object', additionalProperties: false }, { type: 'null' }] },
        },
        definitions: { D: { type: 'object', additionalProperties: false } },
      };
      const schema = buildRecordSchema({
        topic: 't',
        valueSchema: closed,
        keySchema: closed,
        layout: { ...layout, value },
      });
      const text = JSON.stringify(schema);
      expect(text).toContain('"additionalProperties":true');
      expect(text).not.toContain('"additionalProperties":false');
      const headers = (schema.properties as Record<string, { items: Record<string, unknown> }>)
        ._kafka_headers;
      expect(headers?.items.required).toEqual(['key', 'value', 'encoding']);
      expect(headers?.items.additionalProperties).toBeUndefined();
    },
  );
});

describe('openSchema', () => {
  it('keeps a property named additionalProperties and an additionalProperties subschema', () => {
    const schema = {
      type: 'object',
      properties: { additionalProperties: { type: 'boolean' } },
      additionalProperties: { type: 'object', additionalProperties: false },
    };
    expect(openSchema(schema)).toEqual({
      type: 'object',
      properties: { additionalProperties: { type: 'boolean' } },
      additionalProperties: { type: 'object' },
    });
  });

  it('lifts the value fields to the top level when flattened', () => {
    const schema = buildRecordSchema({
      topic: 't',
      valueSchema: avroLike,
      keySchema: {},
      layout: { ...layout, value: 'flatten' },
    });
    const properties = schema.properties as Record<string, unknown>;
    expect(properties.id).toEqual({ type: 'integer' });
    expect(properties._kafka_offset).toEqual({ type: 'integer' });
  });

  it('allows unknown fields when a flattened value has no known shape', () => {
    const schema = buildRecordSchema({
      topic: 't',
      valueSchema: anyJson,
      keySchema: {},
      layout: { ...layout, value: 'flatten' },
    });
    expect(schema.additionalProperties).toBe(true);
  });
});

describe('nullable', () => {
  it('wraps a schema without a type list in anyOf', () => {
    expect(nullable({ $ref: '#/x' })).toEqual({ anyOf: [{ $ref: '#/x' }, { type: 'null' }] });
    expect(nullable({ type: ['string', 'null'] })).toEqual({ type: ['string', 'null'] });
    expect(nullable({})).toEqual({});
  });
});
