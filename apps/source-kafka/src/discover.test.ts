import {
  type RegisteredSchema,
  type SchemaRegistry,
  SchemaRegistryError,
  type StreamJsonSchema,
  schemaRegistryErrorCodes,
} from '@source-kafka/deserializers';
import type { FormatConfig, RecordLayoutConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { buildRecordSchema, buildStream, discoverStreams, nullable, openSchema } from './discover.js';

const anyJson = { type: ['object', 'array', 'string', 'number', 'boolean', 'null'] };
const stringSchema = { type: 'string' };

const layout: RecordLayoutConfig = {
  includeKey: true,
  includeHeaders: true,
  includeMetadata: true,
  value: 'nested',
  primaryKey: 'offset',
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

describe('buildStream with the message key as primary key', () => {
  const byKey: RecordLayoutConfig = { ...layout, primaryKey: 'message_key' };

  it('keys on _kafka_key for a scalar key, ordered by offset, with the CDC columns declared', () => {
    const stream = buildStream({ topic: 't', valueSchema: anyJson, keySchema: stringSchema, layout: byKey });
    expect(stream.source_defined_primary_key).toEqual([['_kafka_key']]);
    expect(stream.default_cursor_field).toEqual(['_kafka_offset']);
    const properties = stream.json_schema.properties as Record<string, unknown>;
    const time = { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
    expect(properties._ab_cdc_deleted_at).toMatchObject(time);
    expect(properties._ab_cdc_updated_at).toMatchObject(time);
    expect(Object.keys(properties).filter((name) => name.startsWith('_kafka_key_'))).toEqual([]);
  });

  it('keys on the fields of an object key, as prefixed top-level columns clear of flattened value fields', () => {
    const keySchema = {
      type: 'object',
      additionalProperties: false,
      properties: { tenant: { type: 'string' }, id: { type: 'integer' } },
    };
    const valueSchema = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } };
    const stream = buildStream({
      topic: 't',
      valueSchema,
      keySchema,
      layout: { ...byKey, value: 'flatten' },
    });
    expect(stream.source_defined_primary_key).toEqual([['_kafka_key_tenant'], ['_kafka_key_id']]);
    const properties = stream.json_schema.properties as Record<string, unknown>;
    expect(properties._kafka_key_tenant).toEqual({ type: ['null', 'string'] });
    expect(properties._kafka_key_id).toEqual({ type: ['null', 'integer'] });
    expect(properties.id).toEqual({ type: 'integer' });
  });

  it('keys on the whole _kafka_key when the key is untyped JSON', () => {
    const stream = buildStream({ topic: 't', valueSchema: anyJson, keySchema: anyJson, layout: byKey });
    expect(stream.source_defined_primary_key).toEqual([['_kafka_key']]);
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

/** Registered schemas by subject; a subject absent here answers 404, as a registry would. */
function registryOf(subjects: Record<string, string>, failure?: Error): SchemaRegistry {
  const byId = new Map<number, RegisteredSchema>();
  const bySubject = new Map<string, RegisteredSchema>();
  for (const [index, [subject, schema]] of Object.entries(subjects).entries()) {
    const registered: RegisteredSchema = {
      id: 100 + index,
      schemaType: 'AVRO',
      schema,
      references: [],
      subject,
    };
    byId.set(registered.id, registered);
    bySubject.set(subject, registered);
  }
  const latest = async (subject: string): Promise<RegisteredSchema> => {
    if (failure !== undefined) throw failure;
    const found = bySubject.get(subject);
    if (found === undefined) {
      throw new SchemaRegistryError(schemaRegistryErrorCodes.notFound, `no subject ${subject}`);
    }
    return found;
  };
  return {
    getSchemaById: async (id) => byId.get(id) ?? Promise.reject(new Error(`no id ${id}`)),
    getLatestSchema: latest,
    getSchemaBySubjectVersion: (subject) => latest(subject),
    listSubjects: async () => Object.keys(subjects),
  };
}

function recordingLogger() {
  const lines: { level: 'info' | 'warn'; message: string }[] = [];
  return {
    lines,
    logger: {
      info: (message: string) => lines.push({ level: 'info', message }),
      warn: (message: string) => lines.push({ level: 'warn', message }),
    },
  };
}

const avro = (field: string): string =>
  JSON.stringify({ type: 'record', name: `R_${field}`, fields: [{ name: field, type: 'string' }] });
const registryFormat = (
  subjectNameStrategy: FormatConfig['subjectNameStrategy'],
  recordNames?: string[],
): FormatConfig => ({ format: 'AVRO', subjectNameStrategy, validateJsonSchema: false, recordNames });
const keyString: FormatConfig = {
  format: 'STRING',
  subjectNameStrategy: 'TopicNameStrategy',
  validateJsonSchema: false,
};
const valueSchemaOf = (stream: { json_schema: Record<string, unknown> }): Record<string, unknown> =>
  (stream.json_schema.properties as Record<string, Record<string, unknown>>).value ?? {};

describe('discoverStreams', () => {
  it('keeps a topic whose schema cannot be read, with its value as any JSON and a WARN naming it', async () => {
    const { lines, logger } = recordingLogger();
    const registry = registryOf({ 'good-value': avro('id'), 'bad-value': '{"type": "record", "fields": 7' });
    const streams = await discoverStreams({
      topics: [{ name: 'good' }, { name: 'bad' }],
      config: { valueFormat: registryFormat('TopicNameStrategy'), keyFormat: keyString, layout },
      registry,
      logger,
    });
    expect(streams.map((s) => s.name)).toEqual(['bad', 'good']);
    expect(Object.keys(valueSchemaOf(streams[1]!).properties as object)).toEqual(['id']);
    expect(valueSchemaOf(streams[0]!)).toEqual({
      type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
      description:
        'The schema of subject "bad-value" (schema id 101) could not be read when this catalog was discovered; any JSON value',
    });
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^Topic "bad": the value schema of subject "bad-value" \(schema id 101\) cannot be read \(.+\); the stream is declared with its value as any JSON\.$/,
    );
  });

  it('fails discover when the registry refuses the credentials or is down', async () => {
    for (const failure of [
      new SchemaRegistryError(schemaRegistryErrorCodes.unauthorized, 'refused'),
      new SchemaRegistryError(schemaRegistryErrorCodes.unavailable, 'down'),
    ]) {
      await expect(
        discoverStreams({
          topics: [{ name: 'good' }],
          config: { valueFormat: registryFormat('TopicNameStrategy'), keyFormat: keyString, layout },
          registry: registryOf({ 'good-value': avro('id') }, failure),
          logger: recordingLogger().logger,
        }),
      ).rejects.toBe(failure);
    }
  });

  it('logs the subjects each topic was typed from under the record strategies', async () => {
    const { lines, logger } = recordingLogger();
    const streams = await discoverStreams({
      topics: [{ name: 'orders' }],
      config: {
        valueFormat: registryFormat('RecordNameStrategy', ['shop.Order', 'shop.Gone']),
        keyFormat: registryFormat('TopicRecordNameStrategy'),
        layout,
      },
      registry: registryOf({
        'shop.Order': avro('order_id'),
        'orders-shop.Key': avro('k'),
        'shop.Else': avro('x'),
      }),
      logger,
    });
    expect(Object.keys(valueSchemaOf(streams[0]!).properties as object)).toEqual(['order_id']);
    expect(lines).toEqual([
      {
        level: 'info',
        message:
          'Topic "orders" value: schema from subjects "shop.Order" (schema id 100); not registered: "shop.Gone".',
      },
      {
        level: 'info',
        message: 'Topic "orders" key: schema from subjects "orders-shop.Key" (schema id 101).',
      },
    ]);
  });

  it('warns once, naming the field to set, when RecordNameStrategy has no record names', async () => {
    const { lines, logger } = recordingLogger();
    const streams = await discoverStreams({
      topics: [{ name: 'a' }, { name: 'b' }],
      config: { valueFormat: registryFormat('RecordNameStrategy'), keyFormat: keyString, layout },
      registry: registryOf({ 'shop.Order': avro('order_id') }),
      logger,
    });
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('Set MessageFormat.record_names');
    for (const stream of streams)
      expect(valueSchemaOf(stream).description).toMatch(/^RecordNameStrategy without record names/);
  });

  it('types each topic with the record names scoped to it, and warns for a topic none apply to', async () => {
    const { lines, logger } = recordingLogger();
    const streams = await discoverStreams({
      topics: [{ name: 'orders' }, { name: 'refunds' }, { name: 'other' }],
      config: {
        valueFormat: registryFormat('RecordNameStrategy', ['orders:shop.Order', 'refunds:shop.Refund']),
        keyFormat: keyString,
        layout,
      },
      registry: registryOf({ 'shop.Order': avro('order_id'), 'shop.Refund': avro('refund_id') }),
      logger,
    });
    const fields = (name: string) =>
      Object.keys((valueSchemaOf(streams.find((s) => s.name === name)!).properties as object) ?? {});
    expect(fields('orders')).toEqual(['order_id']);
    expect(fields('refunds')).toEqual(['refund_id']);
    expect(valueSchemaOf(streams.find((s) => s.name === 'other')!).description).toMatch(
      /^RecordNameStrategy without record names/,
    );
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'Topic "other": no entry of MessageFormat.record_names applies to it, so its value is declared as any JSON; add "other:<record name>" entries to type it.',
    ]);
  });
});
