// KafkaPort on top of the consumer package. Each read is narrowed to exactly the configured streams'
// partitions (an `assign` subscription), and full-refresh streams get a read of their own that starts at
// the log start, so neither the configured start position nor the state can leak into them.

import {
  type BoundedRead,
  type ConsumerDeps,
  ConsumerError,
  consumerErrorCodes,
  createOffsetCommitter,
  fetchTopicIds,
  type KafkaRecord,
  listSelectedTopics,
  type OffsetCommitter,
  openBoundedRead,
  type PartitionStart,
  type ReadLimits,
  type RecordBatch,
  type StopReason,
  systemTimers,
  withDeadline,
} from '@source-kafka/consumer';
import type { KafkaSourceConfig, StartPosition } from '@source-kafka/spec';
import { errorCodes, SourceKafkaError } from './errors.js';
import type { KafkaPort, ReadSession, TopicOffset } from './ports.js';

/** A subscribe pattern that selects exactly one topic name. */
function exactTopicPattern(topic: string): string {
  return topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Read limits that are not the connector's config: how long the brokers may send nothing before a stall. */
export type KafkaPortLimits = Pick<ReadLimits, 'stallTimeoutMs'>;

export function createKafkaPort(
  config: KafkaSourceConfig,
  deps: ConsumerDeps,
  limits: KafkaPortLimits = {},
): KafkaPort {
  const timers = deps.timers ?? systemTimers;
  /** A read of exactly these partitions: no cap here, the app counts records and time itself. */
  const open = (partitions: readonly PartitionStart[], startPosition: StartPosition): Promise<BoundedRead> =>
    openBoundedRead(
      {
        connection: config,
        groupIdPrefix: config.groupId,
        partitions,
        startPosition,
        isolationLevel: config.isolationLevel,
        limits: {
          ...limits,
          maxBufferedRecords: config.maxPollRecords,
          brokerOutageMs: config.brokerOutageMs,
        },
      },
      deps,
    );

  return {
    listTopics: () => listSelectedTopics(config, config.subscription, deps),

    async topicIds(topics) {
      try {
        return await withDeadline(
          fetchTopicIds(config, topics, deps),
          config.requestTimeoutMs * 3,
          () => new Error(`no answer within 3 x request_timeout_ms (${config.requestTimeoutMs * 3} ms)`),
          timers,
        );
      } catch (error) {
        // kafkajs internals that moved fail the sync, as every other hook does (the consumer's kafkajs fence).
        if (error instanceof ConsumerError && error.code === consumerErrorCodes.kafkajsHookMissing)
          throw error;
        // The IDs only sharpen a check; the read itself must not fail over them.
        deps.logger.warn(
          `Could not look up topic IDs (${error instanceof Error ? error.message : String(error)}): a deleted and recreated topic is noticed only when its offsets went back.`,
        );
        return undefined;
      }
    },

    async openRead(starts) {
      const reads: BoundedRead[] = [];
      try {
        const earliest = starts.filter((s) => s.earliest === true);
        if (earliest.length > 0) {
          reads.push(
            await open(
              earliest.map((s) => ({ topic: s.topic, partition: s.partition })),
              { type: 'earliest' },
            ),
          );
        }
        const resumed = starts.filter((s) => s.earliest !== true);
        if (resumed.length > 0) {
          reads.push(
            await open(
              resumed.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.offset })),
              config.startPosition,
            ),
          );
        }
      } catch (error) {
        await Promise.all(reads.map((r) => r.close()));
        throw error;
      }
      return sessionOf(reads, config, deps);
    },

    async sampleLatest(topics, perPartition, options = {}) {
      const samples = new Map<string, KafkaRecord[]>();
      const countOf = new Map(
        topics.map((t) => [t.name, typeof perPartition === 'number' ? perPartition : perPartition(t)]),
      );
      const partitions = topics
        .filter((t) => (countOf.get(t.name) ?? 0) > 0)
        .flatMap((t) =>
          Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition })),
        );
      if (partitions.length === 0) return samples;
      // A bounded read opened and closed unread only looks up each partition's log start and end offsets.
      const probe = await open(partitions, { type: 'earliest' });
      await probe.close();
      const starts = probe.ranges
        .filter((r) => BigInt(r.end) > BigInt(r.logStart))
        .map((r) => {
          const from = BigInt(r.end) - BigInt(countOf.get(r.topic) ?? 0);
          return {
            topic: r.topic,
            partition: r.partition,
            offset: String(from > BigInt(r.logStart) ? from : BigInt(r.logStart)),
          };
        });
      if (starts.length === 0) return samples;
      const maxBytes = options.maxBytesPerTopic ?? Number.POSITIVE_INFINITY;
      const bytesOf = new Map<string, number>();
      const read = await open(starts, config.startPosition);
      try {
        for await (const batch of read) {
          const list = samples.get(batch.topic) ?? [];
          let bytes = bytesOf.get(batch.topic) ?? 0;
          for (const record of batch.records) {
            bytes += (record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0);
            if (bytes > maxBytes) break;
            list.push(record);
          }
          bytesOf.set(batch.topic, bytes);
          samples.set(batch.topic, list);
        }
      } finally {
        await read.close();
      }
      return samples;
    },

    async checkTopicReadable(topic) {
      const found = await listSelectedTopics(
        config,
        { type: 'subscribe', pattern: exactTopicPattern(topic) },
        deps,
      );
      const info = found[0];
      if (info === undefined) {
        throw new SourceKafkaError(
          errorCodes.testTopicMissing,
          `The test topic "${topic}" does not exist (or this principal may not describe it): create it, or fix test_topic.`,
          { failureType: 'config_error' },
        );
      }
      // Reading one message (or reaching the end of an empty topic) proves the Read permission and a working
      // consumer group, which metadata alone does not. Waiting past the request timeout would prove no more.
      const read = await open(
        Array.from({ length: info.partitions }, (_, partition) => ({ topic, partition })),
        { type: 'earliest' },
      );
      const cancel = timers.after(config.requestTimeoutMs, () => void read.close());
      try {
        for await (const _batch of read) break;
      } finally {
        cancel();
        await read.close();
      }
    },

    async close() {},
  };
}

function sessionOf(
  reads: readonly BoundedRead[],
  config: KafkaSourceConfig,
  deps: ConsumerDeps,
): ReadSession {
  let committer: OffsetCommitter | undefined;
  async function* batches(): AsyncGenerator<RecordBatch> {
    for (const read of reads) yield* read;
  }
  return {
    ranges: reads.flatMap((r) => r.ranges),
    reports: reads.flatMap((r) => r.reports),
    batches: batches(),
    finalOffsets: () => reads.flatMap((r) => r.summary().nextOffsets.map((o): TopicOffset => ({ ...o }))),
    stopReason: () => combinedStopReason(reads.map((r) => r.summary().stopReason)),
    async commit(offsets) {
      committer ??= createOffsetCommitter(config, config.groupId, deps);
      await committer.commit(offsets);
    },
    async close() {
      await Promise.all(reads.map((r) => r.close()));
      await committer?.close();
    },
  };
}

/** A stall of any read is the session's; it ended only if every read did. */
function combinedStopReason(reasons: readonly StopReason[]): StopReason {
  if (reasons.includes('stalled')) return 'stalled';
  return reasons.every((r) => r === 'end') ? 'end' : 'closed';
}
