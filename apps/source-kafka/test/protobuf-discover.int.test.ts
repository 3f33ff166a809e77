import { readFileSync } from 'node:fs';
import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogFor, ofType, plaintextConfig, recordsOf, runCli } from './cli.js';

// Protobuf end to end through the CLI: schemas registered as base64 FileDescriptorProtos (what
// confluent-kafka-python registers), payloads serialized by Python's protobuf runtime, on the real broker.
const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');
const fixtures = JSON.parse(
  readFileSync(
    new URL('../../../packages/deserializers/test/fixtures/protobuf/fixtures.json', import.meta.url),
    'utf8',
  ),
) as {
  schemas: Record<'shop/common.proto' | 'shop/order.proto', string>;
  payloads: Record<'shop.orders.Order' | 'shop.orders.Envelope', string>;
};

async function register(subject: string, schema: string, references: unknown[] = []): Promise<number> {
  const response = await fetch(`${registry.ccompatUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schemaType: 'PROTOBUF', schema, references }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: number }).id;
}

/** Confluent's framing: magic byte, schema id, message indexes ([1] is the count 1 then index 1, zigzag). */
function framed(id: number, indexes: readonly number[], payload: string): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  const zigzag = (n: number) => (n << 1) ^ (n >> 31);
  const prefix =
    indexes.length === 1 && indexes[0] === 0 ? [0] : [zigzag(indexes.length), ...indexes.map(zigzag)];
  return Buffer.concat([header, Buffer.from(prefix), Buffer.from(payload, 'base64')]);
}

describe('Protobuf topics under TopicNameStrategy', () => {
  let orders: string;
  let empty: string;

  beforeAll(async () => {
    orders = await createTopic(conn, { prefix: 'app-pb-orders', partitions: 2 });
    empty = await createTopic(conn, { prefix: 'app-pb-empty', partitions: 1 });
    // The registry is shared by every run: the topic's name keeps this run's subject apart.
    const common = `${orders}-common`;
    await register(common, fixtures.schemas['shop/common.proto']);
    const reference = [{ name: 'shop/common.proto', subject: common, version: 1 }];
    const id = await register(`${orders}-value`, fixtures.schemas['shop/order.proto'], reference);
    await register(`${empty}-value`, fixtures.schemas['shop/order.proto'], reference);
    await produceMessages(
      conn,
      orders,
      [0, 1, 2].map((i) => ({
        key: `o-${i}`,
        value: framed(id, [1], fixtures.payloads['shop.orders.Order']),
        partition: i % 2,
      })),
    );
  });

  const config = (pattern: string) =>
    plaintextConfig(conn, pattern, {
      MessageFormat: { deserialization_type: 'PROTOBUF', deserialization_strategy: 'TopicNameStrategy' },
      schema_registry: { url: registry.ccompatUrl },
    });

  it('discovers the message the records carry, and reads descriptor-form schemas exactly', async () => {
    const discover = await runCli('discover', { config: config(`${orders}|${empty}`) });
    expect(discover.exitCode, discover.stderr).toBe(0);
    const catalog = ofType<{ streams: Array<{ name: string; json_schema: Record<string, unknown> }> }>(
      discover.messages,
      'CATALOG',
    )[0]!;
    const valueSchemaOf = (name: string) =>
      (catalog.streams.find((s) => s.name === name)!.json_schema.properties as Record<string, unknown>)
        .value as { description?: string; properties?: Record<string, unknown> };
    // The file's first message is Envelope; the topic carries Order (message index [1]).
    expect(valueSchemaOf(orders).description).toBe(
      "Protobuf message shop.orders.Order, as the topic's records carry it",
    );
    expect(valueSchemaOf(orders).properties).toMatchObject({
      orderId: { type: 'string' },
      signedBig: { type: 'integer' },
      linesById: { type: 'object' },
    });
    // No record to read an index from: the file's first message.
    expect(Object.keys(valueSchemaOf(empty).properties ?? {})).toEqual(['source', 'body']);

    const read = await runCli('read', {
      config: config(orders),
      catalog: catalogFor({ [orders]: 'full_refresh' }),
    });
    expect(read.exitCode, read.stderr).toBe(0);
    const records = recordsOf(read.messages);
    expect(records).toHaveLength(3);
    expect(records[0]!.data.value).toMatchObject({
      orderId: 'o-1',
      createdAt: '2023-11-14T22:13:20.123Z',
      customName: 'r',
      counters: { views: 5 },
    });
    // 64-bit integers are JSON numbers with every digit on stdout.
    expect(read.stdout).toContain('"signedBig":-9223372036854775808');
    expect(read.stdout).toContain('"unsignedBig":18446744073709551615');
    expect(read.stdout).toContain('"linesById":{"18446744073709551615":');
  });
});
