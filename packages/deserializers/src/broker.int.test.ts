import { SchemaRegistry as ThirdPartyClient } from '@kafkajs/confluent-schema-registry';
import type { MessageFormat } from '@source-kafka/spec';
import { consumeMessages, createTopic, produceMessages } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { everyExpected, everyType, everyValue } from '../test/avro-fixtures.js';
import {
  airbyteValidator,
  fixturesAt,
  readBack,
  readBackExact,
  SchemaType,
  withMessageIndexes,
} from '../test/helpers.js';
import { order, orderJson, registerOrders } from '../test/protobuf-fixtures.js';
import { createDeserializer } from './create-deserializer.js';
import { createSchemaRegistryClient } from './registry-client.js';
import { streamSchemaFor } from './stream-schema.js';
import type { JsonValue, SchemaRegistry } from './types.js';

// Round trips through the real broker: the third-party client registers and encodes, the broker stores,
// and this package decodes what a consumer hands it.

describe('decoding records read back from the real broker', () => {
  const broker = inject('broker');
  // The real registry the testkit runs (Apicurio, through its Confluent-compatible API).
  const fixtures = fixturesAt(inject('registry').ccompatUrl);
  const registry: SchemaRegistry = createSchemaRegistryClient({ url: fixtures.url });

  async function roundTrip(
    format: MessageFormat,
    topic: string,
    values: readonly (Buffer | string | null)[],
  ): Promise<{ decoded: JsonValue[]; offsets: string[] }> {
    await produceMessages(
      broker,
      topic,
      values.map((value, i) => ({ key: `k${i}`, value })),
    );
    const consumed = await consumeMessages(broker, topic, values.length);
    consumed.sort((a, b) => Number(a.message.offset) - Number(b.message.offset));
    const config = { format, subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: true } as const;
    const value = createDeserializer(config, { registry });
    const key = createDeserializer({ ...config, format: 'STRING' });
    const decoded: JsonValue[] = [];
    for (const { partition, message } of consumed) {
      const ctx = { topic, partition, offset: message.offset, part: 'value' as const };
      expect(key(message.key, { ...ctx, part: 'key' })).toBe(`k${decoded.length}`);
      decoded.push(await value(message.value, ctx));
    }
    const schema = await streamSchemaFor({ topic, part: 'value', format: config, registry });
    const validate = airbyteValidator(schema);
    for (const record of decoded) if (record !== null) expect(validate(readBack(record))).toBe(true);
    return { decoded, offsets: consumed.map((c) => c.message.offset) };
  }

  it('AVRO: decodes two writer versions of one topic and a tombstone', async () => {
    const topic = await createTopic(broker, { prefix: 'deser-avro' });
    const v1 = {
      type: 'record',
      name: 'Payment',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    const v2 = {
      ...v1,
      fields: [
        ...v1.fields,
        {
          name: 'amount',
          type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 },
          default: '\u0000',
        },
      ],
    };
    const first = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v1) },
      { subject: `${topic}-value` },
    );
    const second = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v2) },
      { subject: `${topic}-value` },
    );
    const { decoded } = await roundTrip('AVRO', topic, [
      await fixtures.client.encode(first.id, { id: 9007199254740993n, at: 0 }),
      await fixtures.client.encode(second.id, {
        id: 1,
        at: 1_700_000_000_000,
        amount: Buffer.from([0x04, 0xd2]),
      }),
      null,
    ]);
    expect(decoded).toEqual([
      { id: 9007199254740993n, at: '1970-01-01T00:00:00.000Z' },
      { id: 1, at: '2023-11-14T22:13:20.000Z', amount: '12.34' },
      null,
    ]);
  });

  it('AVRO: round-trips every type of the JSON mapping through the broker', async () => {
    const topic = await createTopic(broker, { prefix: 'deser-avro-every' });
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(everyType) },
      { subject: `${topic}-value` },
    );
    const { decoded } = await roundTrip('AVRO', topic, [await fixtures.client.encode(id, everyValue)]);
    expect(readBackExact(decoded)).toEqual([everyExpected]);
  });

  it('PROTOBUF: decodes a message chosen by its indexes', async () => {
    const topic = await createTopic(broker, { prefix: 'deser-proto' });
    const schema =
      'syntax = "proto3";\npackage it;\nmessage Reading { string sensor = 1; double value = 2; int64 seq = 3; }\n';
    const { id } = await fixtures.client.register(
      { type: SchemaType.PROTOBUF, schema },
      { subject: `${topic}-value` },
    );
    const { decoded } = await roundTrip('PROTOBUF', topic, [
      withMessageIndexes(await fixtures.client.encode(id, { sensor: 's1', value: 20.5, seq: 3 }), [0]),
    ]);
    expect(decoded).toEqual([{ sensor: 's1', value: 20.5, seq: 3 }]);
  });

  it('PROTOBUF: decodes a message with references and well-known types', async () => {
    const topic = await createTopic(broker, { prefix: 'deser-proto-refs' });
    const id = await registerOrders(fixtures, `${topic}-value`);
    const orderClient = new ThirdPartyClient(
      { host: fixtures.url },
      { [SchemaType.PROTOBUF]: { messageName: 'Order' } },
    );
    const { decoded } = await roundTrip('PROTOBUF', topic, [
      withMessageIndexes(await orderClient.encode(id, order), [1]),
    ]);
    expect(decoded).toEqual([orderJson]);
  });

  it('JSON_SCHEMA: decodes and validates framed JSON', async () => {
    const topic = await createTopic(broker, { prefix: 'deser-jsonschema' });
    const schema = { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] };
    const { id } = await fixtures.client.register(
      { type: SchemaType.JSON, schema: JSON.stringify(schema) },
      { subject: `${topic}-value` },
    );
    const { decoded } = await roundTrip('JSON_SCHEMA', topic, [
      await fixtures.client.encode(id, { sku: 'a-1' }),
    ]);
    expect(decoded).toEqual([{ sku: 'a-1' }]);
  });

  it('JSON, STRING and BYTES: decode plain payloads', async () => {
    const json = await roundTrip('JSON', await createTopic(broker, { prefix: 'deser-json' }), [
      '\uFEFF{"a":1}',
      '[true]',
    ]);
    expect(json.decoded).toEqual([{ a: 1 }, [true]]);
    const text = await roundTrip('STRING', await createTopic(broker, { prefix: 'deser-string' }), ['héllo']);
    expect(text.decoded).toEqual(['héllo']);
    const bytes = await roundTrip('BYTES', await createTopic(broker, { prefix: 'deser-bytes' }), [
      Buffer.from([0, 255]),
    ]);
    expect(bytes.decoded).toEqual(['AP8=']);
  });
});
