import Long from 'long';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  airbyteValidator,
  context,
  type Fixtures,
  SchemaType,
  startFixtures,
  withMessageIndexes,
} from '../test/helpers.js';
import { createDeserializer } from './create-deserializer.js';
import { createSchemaRegistryClient } from './registry-client.js';
import { streamSchemaFor } from './stream-schema.js';
import type { SchemaRegistry } from './types.js';

const common = `syntax = "proto3";
package fixtures.common;
message Money {
  string currency_code = 1;
  int64 units = 2;
}
`;

const orders = `syntax = "proto3";
package fixtures.orders;
import "common.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message Header { string source = 1; }
message Order {
  enum Status { UNKNOWN = 0; PAID = 1; SHIPPED = 2; }
  message Line { string sku = 1; uint32 quantity = 2; }
  string order_id = 1;
  fixtures.common.Money total = 2;
  google.protobuf.Timestamp created_at = 3;
  google.protobuf.StringValue note = 4;
  Status status = 5;
  repeated Line lines = 6;
  map<string, int64> counters = 7;
  bytes payload = 8;
  double weight = 9;
  uint64 big = 10;
  Order parent = 11;
  oneof contact { string email = 12; string phone = 13; }
}
`;

// The third-party client cannot load Google's well-known files on its own, so they are registered as
// references, the way Confluent serializers can register them too.
const timestampProto = `syntax = "proto3";
package google.protobuf;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`;
const wrappersProto = `syntax = "proto3";
package google.protobuf;
message StringValue { string value = 1; }
message Int64Value { int64 value = 1; }
`;

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
    await fixtures.client.register(
      { type: SchemaType.PROTOBUF, schema: common },
      { subject: 'common.proto' },
    );
    await fixtures.client.register(
      { type: SchemaType.PROTOBUF, schema: timestampProto },
      { subject: 'google/protobuf/timestamp.proto' },
    );
    await fixtures.client.register(
      { type: SchemaType.PROTOBUF, schema: wrappersProto },
      { subject: 'google/protobuf/wrappers.proto' },
    );
    const registered = await fixtures.client.register(
      {
        type: SchemaType.PROTOBUF,
        schema: orders,
        references: [
          { name: 'common.proto', subject: 'common.proto', version: 1 },
          { name: 'google/protobuf/timestamp.proto', subject: 'google/protobuf/timestamp.proto', version: 1 },
          { name: 'google/protobuf/wrappers.proto', subject: 'google/protobuf/wrappers.proto', version: 1 },
        ],
      },
      { subject: 'orders-value' },
    );
    orderId = registered.id;
  });
  afterAll(() => fixtures.registry.close());

  const order = {
    orderId: 'o-1',
    total: { currencyCode: 'EUR', units: Long.fromString('9007199254740993') },
    createdAt: { seconds: 1_700_000_000, nanos: 123_000_000 },
    note: { value: 'leave at door' },
    status: 2,
    lines: [{ sku: 'a', quantity: 2 }],
    counters: { views: 5 },
    payload: Buffer.from([1, 2, 3]),
    weight: 2.5,
    big: Long.fromString('18446744073709551615', true),
    parent: { orderId: 'o-0' },
    phone: '+1',
  };

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
    expect(decoded).toMatchObject({
      orderId: 'o-1',
      total: { currencyCode: 'EUR', units: '9007199254740993' },
      createdAt: '2023-11-14T22:13:20.123Z',
      note: 'leave at door',
      status: 'SHIPPED',
      lines: [{ sku: 'a', quantity: 2 }],
      counters: { views: 5 },
      payload: 'AQID',
      weight: 2.5,
      big: '18446744073709551615',
      parent: { orderId: 'o-0', total: null, createdAt: null },
      phone: '+1',
    });
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
      const ok = validate(decoded);
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

  it('says which indexes do not exist', async () => {
    const framed = await fixtures.client.encode(orderId, { source: 'web' });
    const deserialize = createDeserializer(config, { registry });
    await expect(deserialize(withMessageIndexes(framed, [7]), context)).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      reason: expect.stringContaining('message indexes [7]'),
    });
  });
});
