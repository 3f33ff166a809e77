// Bounded reads. kafkajs has no manual assign, so each read joins a consumer group of its own (a unique id
// derived from the caller's group id prefix) whose single member is given exactly the chosen partitions by a
// custom assigner, then seeks each one to its planned start. The group commits nothing: the caller's state is
// the source of truth. The caller's side of the read (hand-off, stall and join deadlines) is ./read-loop.ts;
// this file is the kafkajs side that feeds it.
import { randomUUID } from 'node:crypto';
import type { StartPosition, Subscription } from '@source-kafka/spec';
import {
  type Admin,
  AssignerProtocol,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type PartitionAssigner,
} from 'kafkajs';
import { type ConsumerDeps, createKafka } from './client.js';
import { withDeadline } from './deadline.js';
import { ConsumerError, classifyError, clientSecurity, consumerErrorCodes } from './errors.js';
import { fetchHighWatermarks } from './high-watermark.js';
import { isSeekBeforeRunError, timestampTypeOf } from './kafkajs-internals.js';
import { OutageBudget } from './outage.js';
import { type PartitionSnapshot, planPartition } from './plan.js';
import { ReadLoop, type ReadSummary } from './read-loop.js';
import { type PartitionState, partitionKey } from './read-progress.js';
import { sleepOn, systemTimers } from './timers.js';
import { compileSubscribePattern, isInternalTopic, selectTopics, type TopicSelection } from './topics.js';
import type {
  KafkaConnection,
  KafkaHeader,
  KafkaRecord,
  OffsetReport,
  PartitionRange,
  PartitionStart,
  RecordBatch,
  Timers,
  TopicInfo,
} from './types.js';

export type IsolationLevel = 'read_committed' | 'read_uncommitted';

/** What a read may hold and how long it waits; every field has a default. */
export interface ReadLimits {
  /** Records queued ahead of the caller, and the largest batch handed out. Default 500. */
  readonly maxBufferedRecords?: number | undefined;
  /**
   * How long the caller may wait for the next batch, once the read's consumer has joined its group, before the
   * read stops as 'stalled' (offsets exact). Default: the largest of 30 s, twice the request timeout and
   * `brokerOutageMs` (a frozen broker is an outage the read waits out too). Joining has its own deadline, the
   * larger of this and 3 x the request timeout; missing it is an error.
   */
  readonly stallTimeoutMs?: number | undefined;
  /**
   * How long brokers that went away mid-read (a restart, a coordinator loading) are waited for, from the first
   * failure after the last batch: within it kafkajs restarts the consumer and the read goes on where it was.
   * Default 60 s; 0 fails at the first crash.
   */
  readonly brokerOutageMs?: number | undefined;
  /** Per-fetch byte bounds handed to kafkajs, i.e. what is held in memory ahead of the caller. Default 1 MB. */
  readonly fetchMaxBytes?: number | undefined;
  /** Default 256 KB. */
  readonly fetchMaxBytesPerPartition?: number | undefined;
  /** Session timeout of the read's group member. Default 30 s; heartbeats go every tenth of it (at most 3 s). */
  readonly sessionTimeoutMs?: number | undefined;
}

/** Everything a bounded read needs, and nothing about what the caller makes of the records. */
export interface BoundedReadRequest {
  readonly connection: KafkaConnection;
  /** The read joins a group of its own, `<groupIdPrefix>.read.<uuid>`, which it deletes when it ends. */
  readonly groupIdPrefix: string;
  /** Exactly the partitions to read. An `offset` is where to resume (e.g. from saved state). */
  readonly partitions: readonly PartitionStart[];
  /** Where a partition without an offset starts, and one whose offset is beyond the end (a recreated topic). */
  readonly startPosition: StartPosition;
  readonly isolationLevel: IsolationLevel;
  readonly limits?: ReadLimits | undefined;
}

export interface BoundedRead extends AsyncIterable<RecordBatch> {
  /** The consumer group this read joins; it never commits offsets. */
  readonly readGroupId: string;
  readonly ranges: readonly PartitionRange[];
  /** Retention gaps (the caller decides whether they fail its read) and offsets beyond the end. */
  readonly reports: readonly OffsetReport[];
  /** Valid at any time; final once iteration has ended. */
  summary(): ReadSummary;
  /** Stops the read and leaves the group. Idempotent; iteration ending calls it too. */
  close(): Promise<void>;
}

const ASSIGNER_NAME = 'SourceKafkaExactPartitions';
const MAX_HEARTBEAT_INTERVAL_MS = 3_000;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BUFFERED_RECORDS = 500;
const DEFAULT_BROKER_OUTAGE_MS = 60_000;
const MAX_WAIT_MS = 500;
// Smaller than kafkajs' defaults (10 MB, 1 MB): a whole fetch response is decoded into message objects before the
// first one is handed out, and with small messages those objects outlive young-generation collections and fill
// the old one. In the benchmark, halving 2 MB / 512 KB held peak RSS at 10M 100-byte messages to about 230 MB
// instead of 290, read 1 KB messages as fast, and 100-byte ones up to 10% slower (in one A/B; level in the full run).
const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024;
const DEFAULT_FETCH_MAX_BYTES_PER_PARTITION = 256 * 1024;

/**
 * kafkajs collapses repeated header keys into an array under the first occurrence's key, so order within one key
 * is wire order, but the interleaving of different keys is lost: headers come out grouped by key.
 */
export function toHeaders(headers: KafkaMessage['headers']): KafkaHeader[] {
  const out: KafkaHeader[] = [];
  if (headers === undefined) return out;
  for (const [key, raw] of Object.entries(headers)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      out.push({
        key,
        value:
          value === undefined || value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
      });
    }
  }
  return out;
}

function toRecord(message: KafkaMessage): KafkaRecord {
  return {
    offset: message.offset,
    timestamp: message.timestamp,
    timestampType: timestampTypeOf(message),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: toHeaders(message.headers),
  };
}

/** Gives the group's one member exactly `assignment`, whatever it subscribed to. */
function exactAssigner(assignment: Record<string, number[]>): PartitionAssigner {
  return () => ({
    name: ASSIGNER_NAME,
    version: 1,
    async assign({ members }) {
      return members.map((member, index) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          // Only one member is expected (the group id is unique per read); any other gets nothing.
          assignment: index === 0 ? assignment : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}

async function connectAdmin(kafka: Kafka, connection: KafkaConnection, timers: Timers): Promise<Admin> {
  const admin = kafka.admin({ retry: { retries: 2 } });
  const servers = connection.brokers.join(',');
  try {
    await withDeadline(
      admin.connect(),
      connection.requestTimeoutMs,
      () =>
        ConsumerError.retriable(
          consumerErrorCodes.brokersUnreachable,
          `Could not connect to the Kafka brokers ${servers} within request_timeout_ms (${connection.requestTimeoutMs} ms): ` +
            'check bootstrap_servers, the network and the security protocol',
        ),
      timers,
    );
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw classifyError(error, 'connecting', connection.brokers, clientSecurity(connection));
  }
  return admin;
}

async function step<T>(
  connection: KafkaConnection,
  timers: Timers,
  what: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await withDeadline(
      run(),
      connection.requestTimeoutMs * 3,
      () =>
        ConsumerError.retriable(
          consumerErrorCodes.timeout,
          `${what} on ${connection.brokers.join(',')} did not finish within ${connection.requestTimeoutMs * 3} ms (3 x request_timeout_ms)`,
        ),
      timers,
    );
  } catch (error) {
    throw classifyError(error, what, connection.brokers, clientSecurity(connection));
  }
}

async function resolveSelection(
  admin: Admin,
  connection: KafkaConnection,
  subscription: Subscription,
  timers: Timers,
): Promise<TopicSelection> {
  const names = await step(connection, timers, 'listing topics', () => admin.listTopics());
  // Metadata only for the topics that can be selected: clusters may hold thousands.
  let wanted: string[];
  if (subscription.type === 'subscribe') {
    const pattern = compileSubscribePattern(subscription.pattern);
    wanted = names.filter((name) => !isInternalTopic(name) && pattern.test(name));
  } else {
    wanted = [...new Set(subscription.partitions.map((p) => p.topic))].filter((name) => names.includes(name));
  }
  const cluster = new Map<string, number>();
  if (wanted.length > 0) {
    const metadata = await step(connection, timers, 'fetching topic metadata', () =>
      admin.fetchTopicMetadata({ topics: wanted }),
    );
    for (const topic of metadata.topics) cluster.set(topic.name, topic.partitions.length);
  }
  return selectTopics(subscription, cluster);
}

/** The topics a subscription selects, with their partition counts, for `discover` and `check`. */
export async function listSelectedTopics(
  connection: KafkaConnection,
  subscription: Subscription,
  deps: ConsumerDeps,
): Promise<TopicInfo[]> {
  const timers = deps.timers ?? systemTimers;
  const kafka = createKafka(connection, deps);
  const admin = await connectAdmin(kafka, connection, timers);
  try {
    return [...(await resolveSelection(admin, connection, subscription, timers)).topics];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The requested partitions by topic, each once, in order. */
function partitionsByTopic(starts: readonly PartitionStart[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of starts) {
    const list = byTopic.get(topic) ?? [];
    if (!list.includes(partition)) list.push(partition);
    byTopic.set(topic, list);
  }
  return byTopic;
}

async function snapshotPartitions(
  admin: Admin,
  request: BoundedReadRequest,
  partitions: ReadonlyMap<string, readonly number[]>,
  needsTimestamp: (topic: string, partition: number) => boolean,
  highWatermarks: ReadonlyMap<string, string> | undefined,
  timers: Timers,
): Promise<PartitionSnapshot[]> {
  const { connection, startPosition } = request;
  const snapshots: PartitionSnapshot[] = [];
  for (const [topic, list] of partitions) {
    // kafkajs' admin asks ListOffsets with isolation READ_COMMITTED, so `high` is the last stable offset.
    const offsets = await step(connection, timers, `fetching offsets of topic ${topic}`, () =>
      admin.fetchTopicOffsets(topic),
    );
    const byTimestamp =
      startPosition.type === 'timestamp' && list.some((p) => needsTimestamp(topic, p))
        ? await step(connection, timers, `fetching offsets by timestamp of topic ${topic}`, () =>
            admin.fetchTopicOffsetsByTimestamp(topic, startPosition.timestampMs),
          )
        : [];
    for (const partition of list) {
      const found = offsets.find((o) => o.partition === partition);
      if (found === undefined) {
        throw ConsumerError.retriable(
          consumerErrorCodes.partitionNotFound,
          `The broker returned no offsets for ${topic}:${partition}`,
        );
      }
      snapshots.push({
        topic,
        partition,
        logStart: found.low,
        end: highWatermarks?.get(partitionKey(topic, partition)) ?? found.high,
        timestampOffset: byTimestamp.find((o) => o.partition === partition)?.offset,
      });
    }
  }
  return snapshots;
}

/**
 * Connects, snapshots every requested partition's log start and end, plans the start offsets and returns a
 * bounded read: an async iterable of batches that ends when every partition reached its snapshot end, when no
 * batch comes for the stall timeout, or when the caller closes it.
 */
export async function openBoundedRead(request: BoundedReadRequest, deps: ConsumerDeps): Promise<BoundedRead> {
  const { connection } = request;
  const timers = deps.timers ?? systemTimers;
  const kafka = createKafka(connection, deps);
  const admin = await connectAdmin(kafka, connection, timers);
  const ranges: PartitionRange[] = [];
  const reports: OffsetReport[] = [];
  try {
    const partitions = partitionsByTopic(request.partitions);
    const stateOffsets = new Map<string, string>();
    for (const start of request.partitions) {
      if (start.offset !== undefined)
        stateOffsets.set(partitionKey(start.topic, start.partition), start.offset);
    }
    let highWatermarks: Map<string, string> | undefined;
    if (request.isolationLevel === 'read_uncommitted' && partitions.size > 0) {
      highWatermarks = await step(connection, timers, 'fetching high watermarks', () =>
        fetchHighWatermarks(kafka, partitions),
      );
    }
    const snapshots = await snapshotPartitions(
      admin,
      request,
      partitions,
      (topic, partition) => !stateOffsets.has(partitionKey(topic, partition)),
      highWatermarks,
      timers,
    );
    for (const snapshot of snapshots) {
      const planned = planPartition({
        snapshot,
        stateOffset: stateOffsets.get(partitionKey(snapshot.topic, snapshot.partition)),
        startPosition: request.startPosition,
      });
      ranges.push(planned.range);
      if (planned.report !== undefined) {
        reports.push(planned.report);
        deps.logger.warn(describeReport(planned.report));
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return new KafkaBoundedRead(kafka, request, ranges, reports, { ...deps, timers });
}

export function describeReport(report: OffsetReport): string {
  return report.kind === 'retention_gap'
    ? `Partition ${report.topic}:${report.partition}: the state offset ${report.requestedOffset} is below the log start ` +
        `${report.logStart}; ${report.lostOffsets} offsets were deleted by retention before they were read`
    : `Partition ${report.topic}:${report.partition}: the state offset ${report.requestedOffset} is beyond the end ` +
        `${report.end} (was the topic recreated?); reading from the configured start position`;
}

/** The kafkajs side of one bounded read: a consumer group member that feeds the read loop. */
class KafkaBoundedRead implements BoundedRead {
  readonly readGroupId: string;
  private readonly connection: KafkaConnection;
  private readonly loop: ReadLoop;
  private readonly chunkSize: number;
  private readonly fetchMaxBytes: number;
  private readonly fetchMaxBytesPerPartition: number;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly timers: Timers;
  /** Broker failures mid-read are retried (kafkajs restarts the consumer) while this budget lasts. */
  private readonly outage: OutageBudget;
  private readonly outageMs: number;
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly request: BoundedReadRequest,
    readonly ranges: readonly PartitionRange[],
    readonly reports: readonly OffsetReport[],
    private readonly deps: ConsumerDeps & { readonly timers: Timers },
  ) {
    const limits = request.limits ?? {};
    this.connection = request.connection;
    this.timers = deps.timers;
    this.readGroupId = `${request.groupIdPrefix}.read.${randomUUID()}`;
    this.chunkSize = Math.max(1, limits.maxBufferedRecords ?? DEFAULT_MAX_BUFFERED_RECORDS);
    this.outageMs = limits.brokerOutageMs ?? DEFAULT_BROKER_OUTAGE_MS;
    this.outage = new OutageBudget(this.outageMs, deps.clock);
    const stallTimeoutMs =
      limits.stallTimeoutMs ?? Math.max(30_000, this.connection.requestTimeoutMs * 2, this.outageMs);
    this.fetchMaxBytes = limits.fetchMaxBytes ?? DEFAULT_FETCH_MAX_BYTES;
    this.fetchMaxBytesPerPartition =
      limits.fetchMaxBytesPerPartition ?? DEFAULT_FETCH_MAX_BYTES_PER_PARTITION;
    this.sessionTimeoutMs = limits.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.heartbeatIntervalMs = Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor(this.sessionTimeoutMs / 10));
    this.loop = new ReadLoop(
      {
        ranges,
        rules: {
          stallTimeoutMs,
          // Joining is not stalling: a short stall timeout must not turn a slow group join into a failure.
          joinTimeoutMs: Math.max(stallTimeoutMs, this.connection.requestTimeoutMs * 3),
        },
        capacity: this.chunkSize,
        where: `group ${this.readGroupId} on ${this.connection.brokers.join(',')}`,
        start: () => this.start(),
        release: () => this.release(),
      },
      deps,
    );
  }

  summary(): ReadSummary {
    return this.loop.summary();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    return {
      next: () => this.loop.next(),
      return: async () => {
        await this.loop.stop('closed');
        return { done: true, value: undefined };
      },
    };
  }

  close(): Promise<void> {
    return this.loop.stop('closed');
  }

  private classify(error: unknown, where: string): ConsumerError {
    return classifyError(error, where, this.connection.brokers, clientSecurity(this.connection));
  }

  private async start(): Promise<void> {
    const assignment = this.loop.progress.assignment();
    const consumer = this.kafka.consumer({
      groupId: this.readGroupId,
      partitionAssigners: [exactAssigner(assignment)],
      readUncommitted: this.request.isolationLevel === 'read_uncommitted',
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: MAX_WAIT_MS,
      maxBytes: this.fetchMaxBytes,
      maxBytesPerPartition: this.fetchMaxBytesPerPartition,
      allowAutoTopicCreation: false,
      // A retriable crash (brokers gone, a coordinator loading) restarts the consumer while the outage budget
      // lasts; the rejoin seeks back to the queued positions, so nothing is skipped or read twice. Past the
      // budget, or for any other crash, the read ends with a typed error and the next sync resumes from state.
      retry: {
        initialRetryTime: this.connection.retryBackoffMs,
        retries: 5,
        restartOnFailure: async (error) => this.retryAfter(error),
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.loop.hasJoined && this.outage.inOutage) {
        this.deps.logger.info(
          `The brokers answer again after ${Math.round(this.outage.elapsedMs() / 1000)} s; the read goes on where it was`,
        );
      } else if (this.loop.hasJoined) {
        this.deps.logger.warn(
          `The read consumer rejoined its group ${this.readGroupId} (session expired or rebalance); seeking back to its positions`,
        );
      }
      // A rejoin (e.g. after a session timeout) forgets positions; put every open partition back where it was.
      this.seekAll();
      this.loop.onJoined();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts the consumer itself (retryAfter said so): this crash is part of an outage ridden out.
      if (event.payload.restart) return;
      this.loop.fail(this.classify(event.payload.error, 'reading'));
    });
    // Batches made only of control records or aborted messages never reach eachBatch, but the position must
    // still move past them, or a partition ending in a commit marker would never finish.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, lastOffset } = event.payload;
      if (batchSize !== 0) return;
      this.queueAdvance(topic, partition, BigInt(lastOffset) + 1n);
    });
    const servers = this.connection.brokers.join(',');
    try {
      await withDeadline(
        consumer.connect(),
        this.connection.requestTimeoutMs,
        () =>
          ConsumerError.retriable(
            consumerErrorCodes.brokersUnreachable,
            `Could not connect to the Kafka brokers ${servers} within request_timeout_ms`,
          ),
        this.timers,
      );
      await withDeadline(
        consumer.subscribe({ topics: Object.keys(assignment), fromBeginning: true }),
        this.connection.requestTimeoutMs * 3,
        () =>
          ConsumerError.retriable(
            consumerErrorCodes.timeout,
            `Subscribing the read consumer on ${servers} did not finish within 3 x request_timeout_ms`,
          ),
        this.timers,
      );
      await consumer.run({
        autoCommit: false,
        // kafkajs' next fetch offset follows resolved offsets: after eachBatch, the batch's last offset.
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      this.loop.fail(this.classify(error, 'starting the read consumer'));
      return;
    }
    this.seekAll();
  }

  /** Whether kafkajs should restart the consumer after this retriable crash: within the outage budget only. */
  private retryAfter(error: Error): boolean {
    if (this.loop.isStopping) return false;
    const first = !this.outage.inOutage;
    const retry = this.outage.failed();
    if (retry && first) {
      this.deps.logger.warn(
        `${this.classify(error, 'reading').message}. Retrying for up to ${Math.round(this.outageMs / 1000)} s ` +
          '(error_handling.broker_outage_seconds); nothing read so far is lost.',
      );
    }
    return retry;
  }

  private seekAll(): void {
    const consumer = this.consumer;
    if (consumer === undefined || this.loop.isStopping) return;
    for (const state of this.loop.progress.openPartitions()) {
      if (state.queued >= state.end) continue;
      try {
        consumer.seek({ topic: state.topic, partition: state.partition, offset: state.queued.toString() });
      } catch (error) {
        // kafkajs refuses a seek once a crash has stopped the consumer, and emits CRASH, with the real cause,
        // only after that. Failing here would hide that cause; if no CRASH comes, the stall deadline ends the read.
        if (!isSeekBeforeRunError(error)) throw error;
        this.deps.logger.debug(
          `Could not seek ${state.topic}:${state.partition}: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
    }
  }

  private queueAdvance(topic: string, partition: number, nextOffset: bigint): void {
    if (this.loop.advance(topic, partition, nextOffset) === undefined) return;
    const state = this.loop.progress.get(topic, partition);
    if (state !== undefined) this.pauseIfQueuedToEnd(state);
  }

  private pauseIfQueuedToEnd(state: PartitionState): void {
    if (state.queued >= state.end) {
      this.consumer?.pause([{ topic: state.topic, partitions: [state.partition] }]);
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const state = this.loop.progress.get(batch.topic, batch.partition);
    if (state === undefined || this.loop.isStopping || state.queued >= state.end) return;
    this.outage.progressed();
    let chunk: KafkaRecord[] = [];
    let lastOffset = -1n;
    const emit = async (nextOffset: bigint): Promise<void> => {
      const records = chunk;
      chunk = [];
      const pushed = this.loop.push({
        topic: state.topic,
        partition: state.partition,
        records,
        nextOffset: nextOffset.toString(),
      });
      // The caller may be slow; heartbeats keep this member in its group while kafkajs waits on us.
      for (;;) {
        const tick = sleepOn(this.timers, this.heartbeatIntervalMs);
        const done = await Promise.race([pushed.then(() => true), tick.promise.then(() => false)]);
        tick.cancel();
        if (done) break;
        await heartbeat().catch(() => undefined);
      }
      this.pauseIfQueuedToEnd(state);
    };

    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < state.queued) continue;
      if (offset >= state.end) break;
      chunk.push(toRecord(message));
      lastOffset = offset;
      if (chunk.length >= this.chunkSize) {
        await emit(offset + 1n);
        resolveOffset(message.offset);
        if (this.loop.isStopping || !isRunning() || isStale()) return;
      }
    }
    // Past the last record handed out, the fetched batch may hold aborted messages and control records: skip them.
    let tail = BigInt(batch.lastOffset()) + 1n;
    if (tail > state.end) tail = state.end;
    if (chunk.length > 0) {
      await emit(tail > lastOffset + 1n ? tail : lastOffset + 1n);
    } else if (tail > state.queued) {
      this.queueAdvance(state.topic, state.partition, tail);
    }
  }

  private async release(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    try {
      await withDeadline(
        consumer.disconnect(),
        this.connection.requestTimeoutMs + this.sessionTimeoutMs,
        () => new Error('leaving the read group timed out'),
        this.timers,
      );
    } catch (error) {
      this.deps.logger.debug(`Leaving group ${this.readGroupId} failed: ${String(error)}`);
    }
    await this.deleteReadGroup();
  }

  /**
   * Deletes this read's group, which is Empty once its one member left: without it, every read would leave a
   * group behind. The read's data is already out, so a failure (no Delete ACL on the group) is one WARN.
   */
  private async deleteReadGroup(): Promise<void> {
    const admin = this.kafka.admin({ retry: { retries: 2 } });
    const { requestTimeoutMs } = this.connection;
    try {
      await withDeadline(
        (async () => {
          await admin.connect();
          await admin.deleteGroups([this.readGroupId]);
        })(),
        requestTimeoutMs,
        () => new Error(`no answer within request_timeout_ms (${requestTimeoutMs} ms)`),
        this.timers,
      );
    } catch (error) {
      const groups = (error as { groups?: Array<{ error?: { type?: unknown } }> }).groups;
      // Never joined (the read stopped first): there is no group to delete.
      if (groups?.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND') === true) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.logger.warn(
        `Could not delete the temporary consumer group ${this.readGroupId} (${reason}); it stays behind, Empty. Grant Delete on groups prefixed ${this.request.groupIdPrefix}.read. to have each read remove its own.`,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
