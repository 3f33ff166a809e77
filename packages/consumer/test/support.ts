import type { KafkaSourceConfig } from '@source-kafka/spec';
import type { BoundedRead, ConsumerDeps, KafkaRecord, ReadSummary, RecordBatch } from '../src/index.js';

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

export function testConfig(
  brokers: readonly string[],
  overrides: Partial<KafkaSourceConfig> = {},
): KafkaSourceConfig {
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
    keyFormat: { format: 'BYTES', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
    valueFormat: { format: 'BYTES', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
    layout: {
      includeKey: true,
      includeHeaders: true,
      includeMetadata: true,
      value: 'nested',
      primaryKey: 'offset',
    },
    bounds: {},
    checkpoint: { everyRecords: 1000, everyMs: 1000 },
    badMessagePolicy: 'fail',
    retentionGapPolicy: 'continue',
    commitOffsetsToGroup: false,
    schemaInferenceSampleSize: 0,
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
