import Long from 'long';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  airbyteValidator,
  context,
  type Fixtures,
  readBack,
  SchemaType,
  startFixtures,
  withMessageIndexes,
} from '../test/helpers.js';
import { order, orderJson, registerOrders } from '../test/protobuf-fixtures.js';
import { createDeserializer } from './create-deserializer.js';
import { createSchemaRegistryClient } from './registry-client.js';
import { streamSchemaFor } from './stream-schema.js';
import type { SchemaRegistry } from './types.js';

describe('Protobuf', () => {
  let fixtures: Fixtures;
  let registry: SchemaRegistry;
  let orderId: number;
  const config = {
    format: 'PROTOBUF',
    subjectNameStrategy: 'TopicNameStrategy',
    validateJsonSchema: false,
  } as const;

  beforeAll(async () => {
    fixtures = await startFixtures();
    registry = createSchemaRegistryClient({ url: fixtures.registry.url });
    orderId = await registerOrders(fixtures, 'orders-value');
  });
  afterAll(() => fixtures.registry.close());

  it('decodes a message with references and well-known types, chosen by the shorthand index [0]', async () => {
    // The third-party client encodes the first message of the file when no message name is given: Header.
    const framed = await fixtures.client.encode(orderId, { source: 'web' });
    const deserialize = createDeserializer(config, { registry });
    expect(await deserialize(withMessageIndexes(framed, [0]), context)).toEqual({ source: 'web' });
  });

  it('decodes the message the indexes point at, with the JSON mapping', async () => {
    const { SchemaRegistry: Client } = await import('@kafkajs/confluent-schema-registry');
    // A client told to use the second message of the file, as a Confluent serializer would for [1].
    const orderClient = new Client(
      { host: fixtures.registry.url },
      { [SchemaType.PROTOBUF]: { messageName: 'Order' } },
    );
    const framed = await orderClient.encode(orderId, order);
    const deserialize = createDeserializer(config, { registry });
    const decoded = await deserialize(withMessageIndexes(framed, [1]), context);
    expect(decoded).toEqual(orderJson);
    expect(decoded).not.toHaveProperty('email');

    const schema = await streamSchemaFor({ topic: 'orders', part: 'value', format: config, registry });
    // The topic's schema describes the file's first message; validate Order against its own conversion instead.
    expect(Object.keys(schema.properties as object)).toEqual(['source']);
    const orderSchema = await streamSchemaFor({
      topic: 'orders',
      part: 'value',
      format: { ...config, subjectNameStrategy: 'RecordNameStrategy' },
      registry,
      recordNames: [],
    });
    expect(orderSchema.description).toContain('No schema is registered');
  });

  it('produces Order records that validate against the schema converted from their writer schema', async () => {
    const { streamSchemaOfRegistered } = await import('./stream-schema.js');
    const registered = await registry.getSchemaById(orderId);
    const schema = await streamSchemaOfRegistered(registry, registered, {
      messageName: 'fixtures.orders.Order',
    });
    const validate = airbyteValidator(schema);
    const { SchemaRegistry: Client } = await import('@kafkajs/confluent-schema-registry');
    const orderClient = new Client(
      { host: fixtures.registry.url },
      { [SchemaType.PROTOBUF]: { messageName: 'Order' } },
    );
    const deserialize = createDeserializer(config, { registry });
    for (const value of [order, {}, { orderId: 'o-2', weight: Number.POSITIVE_INFINITY, email: 'x@y' }]) {
      const decoded = await deserialize(
        withMessageIndexes(await orderClient.encode(orderId, value), [1]),
        context,
      );
      const ok = validate(readBack(decoded));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    expect(schema).toMatchObject({
      properties: {
        createdAt: {
          anyOf: [{ type: 'null' }, { $ref: 'WellKnownTypes.json#/definitions/TimestampWithTimezone' }],
        },
      },
    });
  });

  it('reads nested message indexes written as zigzag varints', async () => {
    const { SchemaRegistry: Client } = await import('@kafkajs/confluent-schema-registry');
    const lineClient = new Client(
      { host: fixtures.registry.url },
      { [SchemaType.PROTOBUF]: { messageName: 'Order.Line' } },
    );
    const framed = await lineClient.encode(orderId, { sku: 'z', quantity: 9 });
    const deserialize = createDeserializer(config, { registry });
    expect(await deserialize(withMessageIndexes(framed, [1, 0]), context)).toEqual({ sku: 'z', quantity: 9 });
  });

  it('resolves references of references, recursively', async () => {
    const base = 'syntax = "proto3";\npackage chain;\nmessage Unit { string name = 1; }\n';
    const middle =
      'syntax = "proto3";\npackage chain;\nimport "chain/unit.proto";\nmessage Amount { int64 value = 1; Unit unit = 2; }\n';
    const top =
      'syntax = "proto3";\npackage chain;\nimport "chain/amount.proto";\nmessage Item { string sku = 1; Amount price = 2; }\n';
    await fixtures.client.register({ type: SchemaType.PROTOBUF, schema: base }, { subject: 'chain-unit' });
    await fixtures.client.register(
      {
        type: SchemaType.PROTOBUF,
        schema: middle,
        references: [{ name: 'chain/unit.proto', subject: 'chain-unit', version: 1 }],
      },
      { subject: 'chain-amount' },
    );
    const { id } = await fixtures.client.register(
      {
        type: SchemaType.PROTOBUF,
        schema: top,
        references: [{ name: 'chain/amount.proto', subject: 'chain-amount', version: 1 }],
      },
      { subject: 'chain-value' },
    );
    const framed = await fixtures.client.encode(id, {
      sku: 'k',
      price: { value: Long.fromString('9007199254740993'), unit: { name: 'EUR' } },
    });
    const deserialize = createDeserializer(config, { registry });
    expect(await deserialize(withMessageIndexes(framed, [0]), context)).toEqual({
      sku: 'k',
      price: { value: 9007199254740993n, unit: { name: 'EUR' } },
    });
  });

  it('writes 64-bit map keys as their decimal text', async () => {
    const schema =
      'syntax = "proto3";\npackage keys;\nmessage Keyed { map<int64, string> by_id = 1; map<uint64, bool> by_u = 2; map<sint64, int32> by_s = 3; map<bool, string> flags = 4; }\n';
    const { id } = await fixtures.client.register(
      { type: SchemaType.PROTOBUF, schema },
      { subject: 'keys-value' },
    );
    const framed = await fixtures.client.encode(id, {
      byId: { '9007199254740993': 'big', '-5': 'negative' },
      byU: { '18446744073709551615': true },
      byS: { '-9223372036854775808': 1 },
      flags: { true: 'yes' },
    });
    const deserialize = createDeserializer(config, { registry });
    expect(await deserialize(withMessageIndexes(framed, [0]), context)).toEqual({
      byId: { '9007199254740993': 'big', '-5': 'negative' },
      byU: { '18446744073709551615': true },
      byS: { '-9223372036854775808': 1 },
      flags: { true: 'yes' },
    });
  });

  it('says which indexes do not exist', async () => {
    const framed = await fixtures.client.encode(orderId, { source: 'web' });
    const deserialize = createDeserializer(config, { registry });
    await expect(deserialize(withMessageIndexes(framed, [7]), context)).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      reason: expect.stringContaining('message indexes [7]'),
    });
  });
});
