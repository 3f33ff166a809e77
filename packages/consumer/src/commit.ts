// The `enable_auto_commit` mapping: after a checkpoint, the checkpointed offsets are written to the connector's group id
// so lag dashboards see progress. Reads never depend on them; Airbyte state stays the source of truth.
import type { Admin } from 'kafkajs';
import { type ConsumerDeps, createKafka, retryOptions } from './client.js';
import { withDeadline } from './deadline.js';
import { ConsumerError, classifyError, clientSecurity, consumerErrorCodes } from './errors.js';
import {
  type OffsetCommitRequest,
  type PrivateBroker,
  type PrivateCluster,
  privateClusterFactory,
} from './private-cluster.js';
import type { PartitionOffset } from './read-progress.js';
import { sleepOn, systemTimers } from './timers.js';
import type { Clock, KafkaConnection } from './types.js';

export interface OffsetCommitter {
  /**
   * Writes the offsets (next offset to read, per partition) to the group. Rejects with a ConsumerError;
   * `GROUP_HAS_ACTIVE_MEMBERS` when another consumer is an active member of that group.
   */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

/** What the Java client's standalone `commitSync` sends for a consumer that never joined the group. */
const STANDALONE_GENERATION_ID = -1;
const STANDALONE_MEMBER_ID = '';

/** The coordinator moved, is loading, or its connection dropped: find it again and retry. */
const coordinatorMovedTypes = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
]);
const coordinatorMovedNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
]);
/** The broker's answers to a standalone commit for a group that has (or is getting) members. */
const activeGroupTypes = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);

function errorField(error: unknown, field: 'type' | 'name'): string {
  if (typeof error !== 'object' || error === null) return '';
  const value: unknown = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : '';
}

export interface StandaloneCommitOptions {
  readonly clock: Clock;
  /** The whole commit, retries included, must finish by then (clock ms). */
  readonly deadline: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

const defaultSleep = (ms: number) => sleepOn(systemTimers, ms).promise;

/**
 * Sends OffsetCommit to the group coordinator as a standalone ("simple") consumer: generation -1 and an empty
 * member id, which the broker accepts only while the group has no members. Unlike kafkajs' `admin.setOffsets`
 * it never joins the group (that join costs a fetch wait, ~5 s, per topic). Retries with backoff, until the
 * deadline, when the coordinator moves. Throws ConsumerError; raw kafkajs errors keep their `type` for
 * `classifyError`.
 */
export async function commitAsStandaloneConsumer(
  cluster: Pick<PrivateCluster, 'findGroupCoordinator' | 'refreshMetadata'>,
  request: Pick<OffsetCommitRequest, 'groupId' | 'topics'>,
  options: StandaloneCommitOptions,
): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  let backoffMs = options.initialBackoffMs;
  for (let attempt = 1; ; attempt++) {
    let coordinator: PrivateBroker | undefined;
    try {
      coordinator = await cluster.findGroupCoordinator({ groupId: request.groupId });
      await coordinator.offsetCommit({
        groupId: request.groupId,
        groupGenerationId: STANDALONE_GENERATION_ID,
        memberId: STANDALONE_MEMBER_ID,
        topics: request.topics,
      });
      return;
    } catch (error) {
      const type = errorField(error, 'type');
      if (activeGroupTypes.has(type)) {
        throw new ConsumerError(
          consumerErrorCodes.groupHasActiveMembers,
          `Cannot commit offsets to consumer group "${request.groupId}": another consumer is an active member ` +
            `of it (the broker answered ${type}). Use a group id that no other consumer uses.`,
          { cause: error },
        );
      }
      const moved = coordinatorMovedTypes.has(type) || coordinatorMovedNames.has(errorField(error, 'name'));
      const waitMs = Math.min(backoffMs, options.maxBackoffMs);
      if (!moved) throw error;
      if (options.clock.now() + waitMs >= options.deadline) {
        throw ConsumerError.retriable(
          consumerErrorCodes.timeout,
          `Could not reach the coordinator of consumer group "${request.groupId}" to commit offsets after ` +
            `${attempt} attempts (last: ${type || errorField(error, 'name') || 'unknown error'})`,
          { cause: error },
        );
      }
      await sleep(waitMs);
      backoffMs *= 2;
      // The coordinator is looked up from fresh metadata on the next attempt.
      await cluster.refreshMetadata().catch(() => undefined);
    }
  }
}

function groupByTopic(offsets: readonly PartitionOffset[]): OffsetCommitRequest['topics'] {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    const list = byTopic.get(topic) ?? [];
    list.push({ partition, offset });
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/**
 * Commits as a standalone consumer (see `commitAsStandaloneConsumer`), which needs no member in the group:
 * the reads themselves use their own groups. If something else is an active member of the group the
 * broker refuses, and the error (GROUP_HAS_ACTIVE_MEMBERS) says so. Without kafkajs' private cluster factory
 * it falls back to the slower `admin.setOffsets`.
 */
export function createOffsetCommitter(
  config: KafkaConnection,
  groupId: string,
  deps: ConsumerDeps,
): OffsetCommitter {
  let cluster: PrivateCluster | undefined;
  let admin: Admin | undefined;
  let warnedFallback = false;
  const deadlineMs = config.requestTimeoutMs * 3;
  const where = `committing offsets to consumer group ${groupId}`;
  const timers = deps.timers ?? systemTimers;
  const timeout = () =>
    ConsumerError.retriable(
      consumerErrorCodes.timeout,
      `Committing offsets to group ${groupId} on ${config.brokers.join(',')} did not finish within ${deadlineMs} ms`,
    );

  const commitThroughAdmin = async (topics: OffsetCommitRequest['topics']) => {
    if (!warnedFallback) {
      warnedFallback = true;
      deps.logger.warn(
        'This kafkajs build hides its cluster factory: committing offsets through admin.setOffsets, which joins the group (a few seconds per topic)',
      );
    }
    if (admin === undefined) {
      const created = createKafka(config, deps).admin();
      await withDeadline(created.connect(), config.requestTimeoutMs, timeout, timers);
      admin = created;
    }
    for (const { topic, partitions } of topics) {
      await withDeadline(
        admin.setOffsets({ groupId, topic, partitions: [...partitions] }),
        deadlineMs,
        timeout,
        timers,
      );
    }
  };

  return {
    async commit(offsets) {
      const topics = groupByTopic(offsets);
      if (topics.length === 0) return;
      try {
        if (cluster === undefined && admin === undefined) {
          const create = privateClusterFactory(createKafka(config, deps));
          if (create !== undefined) {
            const created = create({ allowAutoTopicCreation: false });
            try {
              await withDeadline(created.connect(), config.requestTimeoutMs, timeout, timers);
            } catch (error) {
              // A connect that finishes after the deadline must not leave sockets open.
              await created.disconnect().catch(() => undefined);
              throw error;
            }
            cluster = created;
          }
        }
        if (cluster === undefined) {
          await commitThroughAdmin(topics);
          return;
        }
        const started = deps.clock.now();
        await withDeadline(
          commitAsStandaloneConsumer(
            cluster,
            { groupId, topics },
            {
              clock: deps.clock,
              deadline: started + deadlineMs,
              initialBackoffMs: config.retryBackoffMs,
              maxBackoffMs: retryOptions(config).maxRetryTime ?? config.retryBackoffMs,
              sleep: (ms) => sleepOn(timers, ms).promise,
            },
          ),
          deadlineMs,
          timeout,
          timers,
        );
      } catch (error) {
        throw classifyError(error, where, config.brokers, clientSecurity(config));
      }
    },
    async close() {
      await cluster?.disconnect().catch(() => undefined);
      await admin?.disconnect().catch(() => undefined);
      cluster = undefined;
      admin = undefined;
    },
  };
}
