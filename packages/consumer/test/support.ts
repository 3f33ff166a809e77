import type { StartPosition, Subscription } from '@source-kafka/spec';
import {
  type BoundedRead,
  type ConsumerDeps,
  type IsolationLevel,
  type KafkaConnection,
  type KafkaRecord,
  listSelectedTopics,
  openBoundedRead,
  type PartitionStart,
  type ReadLimits,
  type ReadSummary,
  type RecordBatch,
} from '../src/index.js';

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      debug() {},
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    },
  };
}

export const deps: ConsumerDeps = { logger: silentLogger, clock: { now: () => Date.now() } };

/** What the consumer's tests configure: a connection, plus what the app derives a read from. */
export interface TestConfig extends KafkaConnection {
  readonly groupId: string;
  readonly subscription: Subscription;
  readonly maxPollRecords: number;
  readonly startPosition: StartPosition;
  readonly isolationLevel: IsolationLevel;
}

export function testConfig(brokers: readonly string[], overrides: Partial<TestConfig> = {}): TestConfig {
  return {
    brokers,
    clientId: 'consumer-int-test',
    groupId: 'consumer-int-test',
    subscription: { type: 'subscribe', pattern: 'never-matches' },
    security: { protocol: 'PLAINTEXT' },
    requestTimeoutMs: 10_000,
    retryBackoffMs: 100,
    maxPollRecords: 500,
    startPosition: { type: 'earliest' },
    isolationLevel: 'read_committed',
    ...overrides,
  };
}

export interface Collected {
  readonly batches: RecordBatch[];
  readonly records: (KafkaRecord & { readonly partition: number; readonly topic: string })[];
  readonly summary: ReadSummary;
}

export async function collect(read: BoundedRead): Promise<Collected> {
  const batches: RecordBatch[] = [];
  const records: (KafkaRecord & { partition: number; topic: string })[] = [];
  try {
    for await (const batch of read) {
      batches.push(batch);
      for (const record of batch.records)
        records.push({ ...record, partition: batch.partition, topic: batch.topic });
    }
  } finally {
    await read.close();
  }
  return { batches, records, summary: read.summary() };
}

export function offsetsOf(summary: ReadSummary): Record<string, string> {
  return Object.fromEntries(summary.nextOffsets.map((o) => [`${o.topic}:${o.partition}`, o.offset]));
}

/**
 * A bounded read of the partitions the config's subscription selects, as the app asks for one:
 * the given starts resume their partitions, the others begin at the configured start position.
 */
export async function readSelected(
  config: TestConfig,
  options: { readonly starts: readonly PartitionStart[] } & ReadLimits,
  consumerDeps: ConsumerDeps,
): Promise<BoundedRead> {
  const { starts, ...limits } = options;
  const topics = await listSelectedTopics(config, config.subscription, consumerDeps);
  const { subscription } = config;
  const selected = (topic: string, partition: number) =>
    subscription.type === 'subscribe' ||
    subscription.partitions.some((p) => p.topic === topic && p.partition === partition);
  const partitions = topics.flatMap((t) =>
    Array.from({ length: t.partitions }, (_, partition) => partition)
      .filter((partition) => selected(t.name, partition))
      .map((partition): PartitionStart => {
        const offset = starts.find((s) => s.topic === t.name && s.partition === partition)?.offset;
        return { topic: t.name, partition, offset };
      }),
  );
  return openBoundedRead(
    {
      connection: config,
      groupIdPrefix: config.groupId,
      partitions,
      startPosition: config.startPosition,
      isolationLevel: config.isolationLevel,
      limits: { maxBufferedRecords: config.maxPollRecords, ...limits },
    },
    consumerDeps,
  );
}
