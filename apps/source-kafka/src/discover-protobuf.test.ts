import { readFileSync } from 'node:fs';
import type { ConnectorContext } from '@source-kafka/airbyte-protocol';
import type { KafkaRecord } from '@source-kafka/consumer';
import type { RegisteredSchema, SchemaRegistry } from '@source-kafka/deserializers';
import { parseConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { createSourceKafkaConnector } from './connector.js';
import type { KafkaPort } from './ports.js';

// Schemas and payloads made by protoc and Python's protobuf runtime (see the deserializers' fixtures).
const fixtures = JSON.parse(
  readFileSync(
    new URL('../../../packages/deserializers/test/fixtures/protobuf/fixtures.json', import.meta.url),
    'utf8',
  ),
) as { schemas: Record<string, string>; payloads: Record<string, string> };

const schemas: (RegisteredSchema & { subject: string })[] = [
  {
    id: 1,
    subject: 'shop-common',
    schemaType: 'PROTOBUF',
    schema: fixtures.schemas['shop/common.proto']!,
    references: [],
  },
  {
    id: 2,
    subject: 'orders-value',
    schemaType: 'PROTOBUF',
    schema: fixtures.schemas['shop/order.proto']!,
    references: [{ name: 'shop/common.proto', subject: 'shop-common', version: 1 }],
  },
];
const registry: SchemaRegistry = {
  getSchemaById: async (id) => schemas.find((s) => s.id === id)!,
  getLatestSchema: async (subject) => schemas.find((s) => s.subject === subject)!,
  getSchemaBySubjectVersion: async (subject) => schemas.find((s) => s.subject === subject)!,
  listSubjects: async () => schemas.map((s) => s.subject),
};

/** An Order framed by Confluent's rules: schema id 2, message indexes [1]. */
const orderRecord: KafkaRecord = {
  offset: '0',
  timestamp: '0',
  timestampType: 'CreateTime',
  key: null,
  value: Buffer.concat([
    Buffer.from([0, 0, 0, 0, 2, 2, 2]),
    Buffer.from(fixtures.payloads['shop.orders.Order']!, 'base64'),
  ]),
  headers: [],
};

function kafkaPort(sample: () => Promise<Map<string, KafkaRecord[]>>): KafkaPort {
  return {
    listTopics: async () => [{ name: 'orders', partitions: 1 }],
    sampleLatest: sample,
    openRead: async () => {
      throw new Error('discover never reads a whole topic');
    },
    checkTopicReadable: async () => {},
    close: async () => {},
  };
}

const config = parseConfig({
  bootstrap_servers: 'localhost:9092',
  subscription: { subscription_type: 'subscribe', topic_pattern: 'orders' },
  protocol: { security_protocol: 'PLAINTEXT' },
  MessageFormat: { deserialization_type: 'PROTOBUF', deserialization_strategy: 'TopicNameStrategy' },
  schema_registry: { url: 'http://registry.invalid' },
});

function context(warnings: string[]): ConnectorContext {
  return {
    writer: {
      write: () => true,
      writeRecord: () => true,
      writeRecordData: () => true,
      ready: async () => {},
      flush: async () => {},
    },
    logger: { log() {}, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
    signal: new AbortController().signal,
    clock: { now: () => 0 },
  };
}

async function valueSchemaOf(sample: () => Promise<Map<string, KafkaRecord[]>>, warnings: string[] = []) {
  const connector = createSourceKafkaConnector({
    createKafkaPort: () => kafkaPort(sample),
    createRegistry: () => registry,
  });
  const catalog = await connector.discover(config, context(warnings));
  const properties = catalog.streams[0]!.json_schema.properties as Record<string, Record<string, unknown>>;
  return properties.value!;
}

describe('discover of a Protobuf topic under TopicNameStrategy', () => {
  it('types the topic by the message its newest records carry', async () => {
    const value = await valueSchemaOf(async () => new Map([['orders', [orderRecord]]]));
    expect(value.description).toBe("Protobuf message shop.orders.Order, as the topic's records carry it");
  });

  it('still answers, typed by the first message and with a warning, when the records cannot be read', async () => {
    const warnings: string[] = [];
    const value = await valueSchemaOf(async () => {
      throw new Error('Not authorized to access topics: [orders]');
    }, warnings);
    expect(Object.keys(value.properties as object)).toEqual(['source', 'body']);
    expect(warnings).toEqual([
      expect.stringContaining('Could not read the newest records of the topics (Not authorized'),
    ]);
  });
});
