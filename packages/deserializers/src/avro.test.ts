import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyExpected, everyType, everyValue } from '../test/avro-fixtures.js';
import {
  airbyteValidator,
  context,
  type Fixtures,
  readBack,
  readBackExact,
  SchemaType,
  startFixtures,
} from '../test/helpers.js';
import { createDeserializer } from './create-deserializer.js';
import { DeserializationError } from './errors.js';
import { createSchemaRegistryClient } from './registry-client.js';
import { streamSchemaFor } from './stream-schema.js';
import type { SchemaRegistry } from './types.js';

describe('Avro', () => {
  let fixtures: Fixtures;
  let registry: SchemaRegistry;
  beforeAll(async () => {
    fixtures = await startFixtures();
    registry = createSchemaRegistryClient({ url: fixtures.registry.url });
  });
  afterAll(() => fixtures.registry.close());

  const avroConfig = {
    format: 'AVRO',
    subjectNameStrategy: 'TopicNameStrategy',
    validateJsonSchema: false,
  } as const;

  it('decodes every type written by the third-party client, with the documented JSON mapping', async () => {
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(everyType) },
      { subject: 'every-type-value' },
    );
    const bytes = await fixtures.client.encode(id, everyValue);
    const deserialize = createDeserializer(avroConfig, { registry });
    const first = await deserialize(bytes, context);
    expect(readBackExact(first)).toEqual(everyExpected);
    // Once the schema is cached the result is synchronous: no per-record await on the hot path.
    const second = deserialize(bytes, context);
    expect(second).not.toBeInstanceOf(Promise);
    expect(readBackExact(second)).toEqual(everyExpected);
  });

  it('produces records that validate against the stream schema converted from their writer schema', async () => {
    const schema = await streamSchemaFor({
      topic: 'every-type',
      part: 'value',
      format: avroConfig,
      registry,
    });
    const validate = airbyteValidator(schema);
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(everyType) },
      { subject: 'every-type-value' },
    );
    const deserialize = createDeserializer(avroConfig, { registry });
    const variants = [
      everyValue,
      { ...everyValue, maybeText: null, maybeBlob: null, shape: null, ratio: 2.5, tags: [], scores: {} },
      {
        ...everyValue,
        shape: { 'fixtures.avro.Circle': { radius: 1.25 } },
        huge: 5,
        negativeHuge: -5,
        objectLong: 0,
      },
    ];
    for (const value of variants) {
      const decoded = await deserialize(await fixtures.client.encode(id, value), context);
      const ok = validate(readBack(decoded));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    expect(schema).toMatchObject({
      type: 'object',
      properties: {
        createdMs: { $ref: 'WellKnownTypes.json#/definitions/TimestampWithTimezone' },
        day: { $ref: 'WellKnownTypes.json#/definitions/Date' },
        blob: { $ref: 'WellKnownTypes.json#/definitions/BinaryData' },
        price: { $ref: 'WellKnownTypes.json#/definitions/Number' },
      },
    });
  });

  it('validates 2000 random values of every type against the converted writer schema', async () => {
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(everyType) },
      { subject: 'every-type-value' },
    );
    const deserialize = createDeserializer(avroConfig, { registry });
    await deserialize(await fixtures.client.encode(id, everyValue), context);
    const validate = airbyteValidator(
      await streamSchemaFor({ topic: 'every-type', part: 'value', format: avroConfig, registry }),
    );
    // avsc generates values of the underlying types; logical fields are then kept in their valid ranges.
    // The recursive field is left out of generation (avsc's random() would recurse without end) and set below.
    const withoutTree = { ...everyType, fields: everyType.fields.filter((f) => f.name !== 'tree') };
    const plain = avro.Type.forSchema(withoutTree as avro.Schema, { wrapUnions: 'auto' });
    for (let i = 0; i < 2000; i++) {
      const value = plain.random() as unknown as Record<string, unknown>;
      Object.assign(value, {
        price: Buffer.from([i % 256, (i * 7) % 256]),
        createdMs: Math.abs(value.createdMs as number) % 253_402_300_799_999,
        createdUs: Math.abs(value.createdUs as number) % 9_000_000_000_000_000,
        localMs: Math.abs(value.localMs as number) % 253_402_300_799_999,
        day: Math.abs(value.day as number) % 2_932_896,
        timeMs: Math.abs(value.timeMs as number) % 86_400_000,
        timeUs: Math.abs(value.timeUs as number) % 86_400_000_000,
        tree: everyValue.tree,
      });
      const decoded = deserialize(await fixtures.client.encode(id, value), context);
      expect(decoded).not.toBeInstanceOf(Promise);
      if (!validate(readBack(decoded))) {
        throw new Error(`record ${i} does not validate: ${JSON.stringify(validate.errors)}`);
      }
    }
  });

  it('cuts recursive records at the documented depth', async () => {
    const schema = await streamSchemaFor({
      topic: 'every-type',
      part: 'value',
      format: avroConfig,
      registry,
      maxRecursionDepth: 2,
    });
    const tree = (schema.properties as Record<string, Record<string, unknown>>).tree!;
    const level2 = (tree.properties as Record<string, Record<string, unknown>>).children!.items as Record<
      string,
      unknown
    >;
    const level3 = (level2.properties as Record<string, Record<string, unknown>>).children!.items as Record<
      string,
      unknown
    >;
    expect(level2.type).toBe('object');
    expect(level3.type).toBeUndefined();
    expect(String(level3.description)).toContain('nested more than 2 levels');
  });

  it('decodes two writer versions on one topic, each with its own schema', async () => {
    const v1 = { type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] };
    const v2 = {
      type: 'record',
      name: 'User',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'age', type: ['null', 'int'], default: null },
      ],
    };
    const first = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v1) },
      { subject: 'users-value' },
    );
    const second = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v2) },
      { subject: 'users-value' },
    );
    expect(second.id).not.toBe(first.id);
    const deserialize = createDeserializer(avroConfig, { registry });
    const old = await deserialize(await fixtures.client.encode(first.id, { name: 'ada' }), context);
    const current = await deserialize(
      await fixtures.client.encode(second.id, { name: 'bob', age: 36 }),
      context,
    );
    expect(readBackExact(old)).toEqual({ name: 'ada' });
    expect(readBackExact(current)).toEqual({ name: 'bob', age: 36 });
    const latest = await streamSchemaFor({ topic: 'users', part: 'value', format: avroConfig, registry });
    expect(Object.keys(latest.properties as object)).toEqual(['name', 'age']);
  });

  it('resolves named types from schema references', async () => {
    const money = {
      type: 'record',
      name: 'Money',
      namespace: 'shop',
      fields: [{ name: 'cents', type: 'long' }],
    };
    await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(money) },
      { subject: 'shop.Money' },
    );
    const order = {
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [{ name: 'total', type: 'shop.Money' }],
    };
    const { id } = await fixtures.client.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify(order),
        references: [{ name: 'shop.Money', subject: 'shop.Money', version: 1 }],
      },
      { subject: 'orders-value' },
    );
    const deserialize = createDeserializer(avroConfig, { registry });
    const bytes = await fixtures.client.encode(id, { total: { cents: 1999 } });
    expect(readBackExact(await deserialize(bytes, context))).toEqual({ total: { cents: 1999 } });
    const schema = await streamSchemaFor({ topic: 'orders', part: 'value', format: avroConfig, registry });
    expect(schema).toMatchObject({
      properties: { total: { type: 'object', properties: { cents: { type: 'integer' } } } },
    });
  });

  it('names topic, partition, offset and what was found for a frame with the wrong magic byte', () => {
    const deserialize = createDeserializer(avroConfig, { registry });
    const run = () => deserialize(Buffer.from([2, 0, 0, 0, 1, 2]), context);
    expect(run).toThrow(DeserializationError);
    expect(run).toThrow(
      /topic "fixtures" partition 0 offset 7 as AVRO: expected magic byte 0 or 1.*found 0x02 \(was it produced without/,
    );
  });

  it('rejects an unknown schema id with a DeserializationError naming the id', async () => {
    const deserialize = createDeserializer(avroConfig, { registry });
    await expect(deserialize(Buffer.from([0, 0, 0, 0x30, 0x39, 2]), context)).rejects.toMatchObject({
      name: 'DeserializationError',
      code: 'UNKNOWN_SCHEMA',
      reason: 'schema id 12345 is not in the schema registry (its subject would be "fixtures-value")',
    });
  });

  it('reports a payload that does not fit its schema', async () => {
    const { id } = await fixtures.client.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({ type: 'record', name: 'One', fields: [{ name: 's', type: 'string' }] }),
      },
      { subject: 'short-value' },
    );
    const good = await fixtures.client.encode(id, { s: 'hello' });
    const deserialize = createDeserializer(avroConfig, { registry });
    await expect(deserialize(good.subarray(0, good.length - 2), context)).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      offset: '7',
    });
  });

  it('gives a topic with several record types (TopicRecordNameStrategy) a schema covering all of them', async () => {
    const a = { type: 'record', name: 'Created', namespace: 'ev', fields: [{ name: 'id', type: 'long' }] };
    const b = {
      type: 'record',
      name: 'Deleted',
      namespace: 'ev',
      fields: [{ name: 'reason', type: 'string' }],
    };
    await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(a) },
      { subject: 'events-ev.Created' },
    );
    await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(b) },
      { subject: 'events-ev.Deleted' },
    );
    const schema = await streamSchemaFor({
      topic: 'events',
      part: 'value',
      format: { ...avroConfig, subjectNameStrategy: 'TopicRecordNameStrategy' },
      registry,
    });
    const validate = airbyteValidator(schema);
    expect(validate({ id: 5 })).toBe(true);
    expect(validate({ reason: 'gone' })).toBe(true);
    expect(validate({ id: 'not a number', reason: 5 })).toBe(false);
  });

  it('leaves out the record subjects of a longer topic name that starts with this one (TopicRecordNameStrategy)', async () => {
    const mine = {
      type: 'record',
      name: 'Placed',
      namespace: 'shop',
      fields: [{ name: 'id', type: 'long' }],
    };
    const theirs = {
      type: 'record',
      name: 'Placed',
      namespace: 'shop',
      fields: [{ name: 'eu', type: 'int' }],
    };
    await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(mine) },
      { subject: 'shop-shop.Placed' },
    );
    await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(theirs) },
      { subject: 'shop-eu-shop.Placed' },
    );
    const schema = await streamSchemaFor({
      topic: 'shop',
      part: 'value',
      format: { ...avroConfig, subjectNameStrategy: 'TopicRecordNameStrategy' },
      registry,
    });
    expect(schema).toEqual({ type: 'object', properties: { id: expect.any(Object) } });
  });

  it('refuses an array block count larger than the bytes left instead of looping on it', async () => {
    const { id } = await fixtures.client.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          type: 'record',
          name: 'Longs',
          fields: [{ name: 'xs', type: { type: 'array', items: 'long' } }],
        }),
      },
      { subject: 'longs-value' },
    );
    const valid = await fixtures.client.encode(id, { xs: [1, 2] });
    const deserialize = createDeserializer(avroConfig, { registry });
    expect(await deserialize(valid, context)).toEqual({ xs: [1, 2] });
    // Block count 2^47 (zigzag varint of 2^48) followed by one item's byte.
    const forged = Buffer.concat([
      valid.subarray(0, 5),
      Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x02]),
    ]);
    expect(() => deserialize(forged, context)).toThrow(
      /a block claims 140737488355328 items but only 1 bytes remain/,
    );
  });

  it('keeps a map entry whose key is "__proto__" as an ordinary entry', async () => {
    const schema = {
      type: 'record',
      name: 'Labels',
      fields: [{ name: 'labels', type: { type: 'map', values: 'bytes' } }],
    };
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: 'proto-key-value' },
    );
    const labels: Record<string, Buffer> = { a: Buffer.from('x') };
    Object.defineProperty(labels, '__proto__', { value: Buffer.from('hi'), enumerable: true });
    const deserialize = createDeserializer(avroConfig, { registry });
    const decoded = await deserialize(await fixtures.client.encode(id, { labels }), context);
    expect(JSON.stringify(decoded)).toBe('{"labels":{"a":"eA==","__proto__":"aGk="}}');
  });

  it('reads field defaults of logical types, which avsc converts both ways', async () => {
    const schema = {
      type: 'record',
      name: 'WithDefaults',
      fields: [
        {
          name: 'amount',
          type: { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 2 },
          default: '\u0000',
        },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' }, default: 0 },
        { name: 'day', type: { type: 'int', logicalType: 'date' }, default: 0 },
      ],
    };
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: 'defaults-value' },
    );
    const deserialize = createDeserializer(avroConfig, { registry });
    const bytes = await fixtures.client.encode(id, { amount: Buffer.from([0xff, 0x38]), at: 1, day: -1 });
    expect(await deserialize(bytes, context)).toEqual({
      amount: '-2.00',
      at: '1970-01-01T00:00:00.000001Z',
      day: '1969-12-31',
    });
  });
});
