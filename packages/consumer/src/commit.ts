// The `enable_auto_commit` mapping: after a checkpoint, the checkpointed offsets are written to config.groupId
// so lag dashboards see progress. Reads never depend on them; Airbyte state stays the source of truth.
import type { KafkaSourceConfig } from '@source-kafka/spec';
import type { Admin } from 'kafkajs';
import { type ConsumerDeps, createKafka } from './client.js';
import { withDeadline } from './deadline.js';
import { ConsumerError, classifyError, consumerErrorCodes } from './errors.js';
import type { PartitionOffset } from './read.js';

export interface OffsetCommitter {
  /** Writes the offsets (next offset to read, per partition) to config.groupId. */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Commits through the admin API (OffsetCommit as an empty group), which needs no member in config.groupId: the
 * reads themselves use their own groups. If something else is an active member of config.groupId the broker
 * refuses, and the error says so.
 */
export function createOffsetCommitter(config: KafkaSourceConfig, deps: ConsumerDeps): OffsetCommitter {
  let admin: Admin | undefined;
  const deadlineMs = config.requestTimeoutMs * 3;
  const timeout = () =>
    new ConsumerError(
      consumerErrorCodes.timeout,
      'transient_error',
      `Committing offsets to group ${config.groupId} on ${config.brokers.join(',')} did not finish within ${deadlineMs} ms`,
    );
  return {
    async commit(offsets) {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const { topic, partition, offset } of offsets) {
        const list = byTopic.get(topic) ?? [];
        list.push({ partition, offset });
        byTopic.set(topic, list);
      }
      try {
        if (admin === undefined) {
          const created = createKafka(config, deps).admin();
          await withDeadline(created.connect(), config.requestTimeoutMs, timeout);
          admin = created;
        }
        const connected = admin;
        for (const [topic, partitions] of byTopic) {
          await withDeadline(
            connected.setOffsets({ groupId: config.groupId, topic, partitions }),
            deadlineMs,
            timeout,
          );
        }
      } catch (error) {
        throw classifyError(error, `committing offsets to consumer group ${config.groupId}`, config.brokers);
      }
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
      admin = undefined;
    },
  };
}
