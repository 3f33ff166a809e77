import { randomBytes } from 'node:crypto';
import {
  CompressionTypes,
  type IHeaders,
  type Message,
  Partitioners,
  type ProducerConfig,
  type RecordMetadata,
} from 'kafkajs';
import { createKafka, type ListenerName, withAdmin } from './clients.js';
import type { BrokerConnection } from './connection.js';

const MAX_TOPIC_NAME = 249;

/**
 * A topic name no earlier run used: prefix, time and randomness. The prefix is cleaned to Kafka's legal
 * characters so a test title can be passed as is.
 */
export function uniqueTopicName(prefix = 'test', random: (bytes: number) => Buffer = randomBytes): string {
  const cleaned = prefix.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'test';
  const suffix = `${Date.now().toString(36)}-${random(4).toString('hex')}`;
  return `${cleaned.slice(0, MAX_TOPIC_NAME - suffix.length - 1)}-${suffix}`;
}

export interface CreateTopicOptions {
  /** Start of the generated name; ignored when `name` is given. */
  readonly prefix?: string;
  /** Exact name; the caller then owns its uniqueness. */
  readonly name?: string;
  readonly partitions?: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact', 'retention.ms': '1000' }`. */
  readonly config?: Readonly<Record<string, string>>;
}

/** Creates a topic (unique name unless one is given) and waits until every partition has a leader. */
export async function createTopic(conn: BrokerConnection, options: CreateTopicOptions = {}): Promise<string> {
  const topic = options.name ?? uniqueTopicName(options.prefix);
  const configEntries = Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value }));
  await withAdmin(conn, async (admin) => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: options.partitions ?? 1, replicationFactor: 1, configEntries }],
      waitForLeaders: true,
    });
    if (!created) throw new Error(`Topic ${topic} already exists; use a unique name per test`);
  });
  return topic;
}

export async function deleteTopics(conn: BrokerConnection, topics: readonly string[]): Promise<void> {
  await withAdmin(conn, (admin) => admin.deleteTopics({ topics: [...topics] }));
}

export interface FixtureMessage {
  readonly key?: string | Buffer | null;
  /** null writes a tombstone. */
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
  readonly partition?: number;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp?: string;
}

export interface ProduceOptions {
  readonly listener?: ListenerName;
  readonly compression?: CompressionTypes;
  /** Writes inside one transaction, committed or aborted (for read_committed tests). */
  readonly transaction?: 'commit' | 'abort';
}

function toKafkajsMessage(message: FixtureMessage): Message {
  return {
    key: message.key ?? null,
    value: message.value,
    ...(message.headers !== undefined ? { headers: message.headers } : {}),
    ...(message.partition !== undefined ? { partition: message.partition } : {}),
    ...(message.timestamp !== undefined ? { timestamp: message.timestamp } : {}),
  };
}

/**
 * The fixture producer: always idempotent with one request in flight. kafkajs retries a half-failed
 * multi-partition request whole, and without producer sequence numbers the broker would then store the
 * partitions that had already succeeded twice, so a test would see duplicates.
 */
export function fixtureProducerConfig(transactionalId?: string): ProducerConfig {
  return {
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
    ...(transactionalId !== undefined ? { transactionalId } : {}),
  };
}

/**
 * Produces the messages in order with acks=all and resolves once the broker has them, exactly once each. */
export async function produceMessages(
  conn: BrokerConnection,
  topic: string,
  messages: readonly FixtureMessage[],
  options: ProduceOptions = {},
): Promise<RecordMetadata[]> {
  const kafka = createKafka(conn, options.listener ?? 'plaintext', { clientId: 'testkit-producer' });
  const compression = options.compression ?? CompressionTypes.None;
  const record = { topic, messages: messages.map(toKafkajsMessage), acks: -1, compression };
  if (options.transaction === undefined) {
    const producer = kafka.producer(fixtureProducerConfig());
    await producer.connect();
    try {
      return await producer.send(record);
    } finally {
      await producer.disconnect();
    }
  }
  const producer = kafka.producer(fixtureProducerConfig(`testkit-${randomBytes(6).toString('hex')}`));
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    try {
      const metadata = await transaction.send(record);
      if (options.transaction === 'commit') await transaction.commit();
      else await transaction.abort();
      return metadata;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  } finally {
    await producer.disconnect();
  }
}
