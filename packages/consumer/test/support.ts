import type { StartPosition, Subscription } from '@source-kafka/spec';
import { type BrokerConnection, createTopic, produceMessages } from '@source-kafka/testkit';
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

/** A one-partition compacted topic on tiny segments, so the broker's cleaner compacts it within seconds. */
export function createCompactingTopic(conn: BrokerConnection, prefix: string): Promise<string> {
  return createTopic(conn, {
    prefix,
    partitions: 1,
    config: {
      'cleanup.policy': 'compact',
      // Kafka 4 refuses segment.bytes below 1 MiB and offers this test-only key for small segments instead.
      [conn.kafkaVersion.startsWith('3.') ? 'segment.bytes' : 'internal.segment.bytes']: '2048',
      'min.cleanable.dirty.ratio': '0.001',
      'min.compaction.lag.ms': '0',
      'delete.retention.ms': '0',
    },
  });
}

/**
 * Writes `keys` keys `rounds` times to partition 0, one produce request per round, so segments roll and the
 * cleaner can work. Resolves each key's last value.
 */
export async function overwriteKeys(
  conn: BrokerConnection,
  topic: string,
  options: { readonly rounds: number; readonly keys: number; readonly padding: number },
): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  for (let round = 0; round < options.rounds; round++) {
    const batch = Array.from({ length: options.keys }, (_, k) => ({
      key: `key${k}`,
      value: `v${round}-${k}-${'x'.repeat(options.padding)}`,
      partition: 0,
    }));
    for (const m of batch) latest.set(m.key, m.value);
    await produceMessages(conn, topic, batch);
  }
  return latest;
}

/**
 * Reads again until the broker's cleaner (on its own schedule, 15 s backoff by default) has compacted away
 * some of the `written` records, or 40 tries. `beforeRead` runs before each read.
 */
export async function readOnceCompacted(
  read: () => Promise<BoundedRead>,
  written: number,
  beforeRead: () => void = () => {},
): Promise<Collected> {
  beforeRead();
  let result = await collect(await read());
  for (let attempt = 0; attempt < 40 && result.records.length === written; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    beforeRead();
    result = await collect(await read());
  }
  return result;
}
