// KafkaPort on top of the consumer package. Each read is narrowed to exactly the configured streams'
// partitions (an `assign` subscription), and full-refresh streams get a read of their own that starts at
// the log start, so neither the configured start position nor the state can leak into them.

import type { KafkaRecord, PartitionStart, RecordBatch } from '@source-kafka/consumer';
import {
  type BoundedRead,
  type ConsumerDeps,
  createKafka,
  createOffsetCommitter,
  fetchTopicIds,
  listSelectedTopics,
  type OffsetCommitter,
  openBoundedRead,
  withDeadline,
} from '@source-kafka/consumer';
import type { KafkaSourceConfig } from '@source-kafka/spec';
import { errorCodes, SourceKafkaError } from './errors.js';
import type { KafkaPort, ReadSession, ReadStart, TopicOffset } from './ports.js';

/** A subscribe pattern that selects exactly one topic name. */
function exactTopicPattern(topic: string): string {
  return topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The config of one read: exactly these partitions, and no record cap (the app counts records itself). */
export function readConfig(
  config: KafkaSourceConfig,
  starts: readonly ReadStart[],
  earliest: boolean,
): KafkaSourceConfig {
  return {
    ...config,
    subscription: {
      type: 'assign',
      partitions: starts.map((s) => ({ topic: s.topic, partition: s.partition })),
    },
    startPosition: earliest ? { type: 'earliest' } : config.startPosition,
    bounds: { maxDurationMs: config.bounds.maxDurationMs },
  };
}

export function createKafkaPort(config: KafkaSourceConfig, deps: ConsumerDeps): KafkaPort {
  return {
    listTopics: () => listSelectedTopics(config, deps),

    async topicIds(topics) {
      try {
        return await withDeadline(
          fetchTopicIds(createKafka(config, deps), topics),
          config.requestTimeoutMs * 3,
          () => new Error(`no answer within 3 x request_timeout_ms (${config.requestTimeoutMs * 3} ms)`),
        );
      } catch (error) {
        // The IDs only sharpen a check; the read itself must not fail over them.
        deps.logger.warn(
          `Could not look up topic IDs (${error instanceof Error ? error.message : String(error)}): a deleted and recreated topic is noticed only when its offsets went back.`,
        );
        return undefined;
      }
    },

    async openRead(starts) {
      const groups: Array<{ starts: ReadStart[]; earliest: boolean }> = [
        { starts: starts.filter((s) => s.earliest === true), earliest: true },
        { starts: starts.filter((s) => s.earliest !== true), earliest: false },
      ];
      const reads: BoundedRead[] = [];
      try {
        for (const group of groups) {
          if (group.starts.length === 0) continue;
          const offsets: PartitionStart[] = group.earliest
            ? []
            : group.starts.map((s) =>
                s.offset === undefined ? { topic: s.topic, partition: s.partition } : s,
              );
          reads.push(
            await openBoundedRead(
              readConfig(config, group.starts, group.earliest),
              { starts: offsets },
              deps,
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
      const probe = await openBoundedRead(readConfig(config, partitions, true), { starts: [] }, deps);
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
      const read = await openBoundedRead(readConfig(config, starts, false), { starts }, deps);
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
      const one: KafkaSourceConfig = {
        ...config,
        subscription: { type: 'subscribe', pattern: exactTopicPattern(topic) },
        startPosition: { type: 'earliest' },
        bounds: { maxRecords: 1, maxDurationMs: config.requestTimeoutMs },
      };
      const found = await listSelectedTopics(one, deps);
      if (found.length === 0) {
        throw new SourceKafkaError(
          errorCodes.testTopicMissing,
          `The test topic "${topic}" does not exist (or this principal may not describe it): create it, or fix test_topic.`,
          { failureType: 'config_error' },
        );
      }
      // Reading one message (or reaching the end of an empty topic) proves the Read permission and a working
      // consumer group, which metadata alone does not.
      const read = await openBoundedRead(one, { starts: [] }, deps);
      try {
        for await (const _batch of read) break;
      } finally {
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
    async commit(offsets) {
      committer ??= createOffsetCommitter(config, deps);
      await committer.commit(offsets);
    },
    async close() {
      await Promise.all(reads.map((r) => r.close()));
      await committer?.close();
    },
  };
}
