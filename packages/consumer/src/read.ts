// Bounded reads. kafkajs has no manual assign, so each read joins a consumer group of its own (a unique id
// derived from config.groupId) whose single member is given exactly the chosen partitions by a custom assigner,
// then seeks each one to its planned start. The group commits nothing: Airbyte state is the source of truth.
import { randomUUID } from 'node:crypto';
import type { KafkaSourceConfig } from '@source-kafka/spec';
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
import { Handoff } from './handoff.js';
import { fetchHighWatermarks } from './high-watermark.js';
import { OutageBudget } from './outage.js';
import { type PartitionSnapshot, planPartition } from './plan.js';
import { compileSubscribePattern, isInternalTopic, selectTopics, type TopicSelection } from './topics.js';
import type {
  KafkaHeader,
  KafkaRecord,
  OffsetReport,
  PartitionRange,
  PartitionStart,
  RecordBatch,
  TimestampType,
  TopicInfo,
} from './types.js';

export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read. */
  readonly offset: string;
}

/** Why the read ended: every selected partition reached its snapshot end, a cap, no progress, or the caller. */
export type StopReason = 'end' | 'max_records' | 'max_duration' | 'stalled' | 'closed';

export interface ReadSummary {
  readonly stopReason: StopReason;
  readonly recordsRead: number;
  /** For every selected partition, the offset to resume from: exact at any stop. */
  readonly nextOffsets: readonly PartitionOffset[];
}

export interface ReadOptions {
  /** Offsets from Airbyte state; selected partitions not listed use the configured start position. */
  readonly starts: readonly PartitionStart[];
  /**
   * How long the caller may wait for the next batch, once the read's consumer has joined its group, before the
   * read stops as 'stalled' (a clean stop, offsets exact). Default: the largest of 30 s, twice the request
   * timeout and the broker outage tolerance (a frozen broker is an outage the read waits out too). Joining has its own deadline, the larger of this and 3 x the request timeout; missing it is an error.
   */
  readonly stallTimeoutMs?: number | undefined;
  /** Per-fetch byte bounds handed to kafkajs, i.e. what is held in memory ahead of the caller. Default 2 MB. */
  readonly fetchMaxBytes?: number | undefined;
  /** Default 512 KB. */
  readonly fetchMaxBytesPerPartition?: number | undefined;
  /** Session timeout of the read's group member. Default 30 s; heartbeats go every tenth of it (at most 3 s). */
  readonly sessionTimeoutMs?: number | undefined;
}

export interface BoundedRead extends AsyncIterable<RecordBatch> {
  /** The consumer group this read joins; it never commits offsets. */
  readonly readGroupId: string;
  readonly topics: readonly TopicInfo[];
  readonly ranges: readonly PartitionRange[];
  readonly reports: readonly OffsetReport[];
  /** Valid at any time; final once iteration has ended. */
  summary(): ReadSummary;
  /** Stops the read and leaves the group. Idempotent; iteration ending calls it too. */
  close(): Promise<void>;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly end: bigint;
  /** Next offset to queue for the caller (kafkajs side). */
  queued: bigint;
  /** Next offset after what the caller has received. */
  handed: bigint;
}

type Item =
  | { readonly kind: 'batch'; readonly batch: RecordBatch }
  | { readonly kind: 'advance'; readonly key: string; readonly nextOffset: bigint };

const ASSIGNER_NAME = 'SourceKafkaExactPartitions';
const MAX_HEARTBEAT_INTERVAL_MS = 3_000;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
/** error_handling.broker_outage_seconds when the config does not say (the spec's default). */
const DEFAULT_BROKER_OUTAGE_MS = 60_000;
const MAX_WAIT_MS = 500;
// Smaller than kafkajs' defaults (10 MB, 1 MB): in the benchmark they were faster and kept peak RSS lower, since
// a whole fetch response is decoded into message objects before the first one is handed out.
const DEFAULT_FETCH_MAX_BYTES = 2 * 1024 * 1024;
const DEFAULT_FETCH_MAX_BYTES_PER_PARTITION = 512 * 1024;

const keyOf = (topic: string, partition: number): string => `${partition}:${topic}`;

function sleep(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

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
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext;
  const timestampType: TimestampType = context?.timestampType === 1 ? 'LogAppendTime' : 'CreateTime';
  return {
    offset: message.offset,
    timestamp: message.timestamp,
    timestampType,
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

async function connectAdmin(kafka: Kafka, config: KafkaSourceConfig): Promise<Admin> {
  const admin = kafka.admin({ retry: { retries: 2 } });
  const servers = config.brokers.join(',');
  try {
    await withDeadline(
      admin.connect(),
      config.requestTimeoutMs,
      () =>
        new ConsumerError(
          consumerErrorCodes.brokersUnreachable,
          'transient_error',
          `Could not connect to the Kafka brokers ${servers} within request_timeout_ms (${config.requestTimeoutMs} ms): ` +
            'check bootstrap_servers, the network and the security protocol',
        ),
    );
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw classifyError(error, 'connecting', config.brokers, clientSecurity(config));
  }
  return admin;
}

async function step<T>(config: KafkaSourceConfig, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(
      run(),
      config.requestTimeoutMs * 3,
      () =>
        new ConsumerError(
          consumerErrorCodes.timeout,
          'transient_error',
          `${what} on ${config.brokers.join(',')} did not finish within ${config.requestTimeoutMs * 3} ms (3 x request_timeout_ms)`,
        ),
    );
  } catch (error) {
    throw classifyError(error, what, config.brokers, clientSecurity(config));
  }
}

async function resolveSelection(admin: Admin, config: KafkaSourceConfig): Promise<TopicSelection> {
  const names = await step(config, 'listing topics', () => admin.listTopics());
  const subscription = config.subscription;
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
    const metadata = await step(config, 'fetching topic metadata', () =>
      admin.fetchTopicMetadata({ topics: wanted }),
    );
    for (const topic of metadata.topics) cluster.set(topic.name, topic.partitions.length);
  }
  return selectTopics(subscription, cluster);
}

/** The selected topics with their partition counts, for `discover` and `check`. */
export async function listSelectedTopics(
  config: KafkaSourceConfig,
  deps: ConsumerDeps,
): Promise<TopicInfo[]> {
  const kafka = createKafka(config, deps);
  const admin = await connectAdmin(kafka, config);
  try {
    return [...(await resolveSelection(admin, config)).topics];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function snapshotPartitions(
  admin: Admin,
  config: KafkaSourceConfig,
  selection: TopicSelection,
  needsTimestamp: (topic: string, partition: number) => boolean,
  highWatermarks: ReadonlyMap<string, string> | undefined,
): Promise<PartitionSnapshot[]> {
  const snapshots: PartitionSnapshot[] = [];
  for (const [topic, partitions] of selection.partitions) {
    // kafkajs' admin asks ListOffsets with isolation READ_COMMITTED, so `high` is the last stable offset.
    const offsets = await step(config, `fetching offsets of topic ${topic}`, () =>
      admin.fetchTopicOffsets(topic),
    );
    const startPosition = config.startPosition;
    const byTimestamp =
      startPosition.type === 'timestamp' && partitions.some((p) => needsTimestamp(topic, p))
        ? await step(config, `fetching offsets by timestamp of topic ${topic}`, () =>
            admin.fetchTopicOffsetsByTimestamp(topic, startPosition.timestampMs),
          )
        : [];
    for (const partition of partitions) {
      const found = offsets.find((o) => o.partition === partition);
      if (found === undefined) {
        throw new ConsumerError(
          consumerErrorCodes.partitionNotFound,
          'transient_error',
          `The broker returned no offsets for ${topic}:${partition}`,
        );
      }
      snapshots.push({
        topic,
        partition,
        logStart: found.low,
        end: highWatermarks?.get(keyOf(topic, partition)) ?? found.high,
        timestampOffset: byTimestamp.find((o) => o.partition === partition)?.offset,
      });
    }
  }
  return snapshots;
}

/**
 * Connects, snapshots every selected partition's log start and end, plans the start offsets and returns a
 * bounded read: an async iterable of batches that ends when every partition reached its snapshot end, or a cap.
 */
export async function openBoundedRead(
  config: KafkaSourceConfig,
  options: ReadOptions,
  deps: ConsumerDeps,
): Promise<BoundedRead> {
  const kafka = createKafka(config, deps);
  const admin = await connectAdmin(kafka, config);
  let ranges: PartitionRange[];
  let reports: OffsetReport[];
  let selection: TopicSelection;
  try {
    selection = await resolveSelection(admin, config);
    const stateOffsets = new Map<string, string>();
    for (const start of options.starts) {
      if (start.offset !== undefined) stateOffsets.set(keyOf(start.topic, start.partition), start.offset);
    }
    let highWatermarks: Map<string, string> | undefined;
    if (config.isolationLevel === 'read_uncommitted' && selection.partitions.size > 0) {
      highWatermarks = await step(config, 'fetching high watermarks', () =>
        fetchHighWatermarks(kafka, selection.partitions),
      );
      if (highWatermarks === undefined) {
        deps.logger.warn(
          'This kafkajs build cannot ask for high watermarks: the read_uncommitted read ends at the last stable offset',
        );
      }
    }
    const snapshots = await snapshotPartitions(
      admin,
      config,
      selection,
      (topic, partition) => !stateOffsets.has(keyOf(topic, partition)),
      highWatermarks,
    );
    ranges = [];
    reports = [];
    for (const snapshot of snapshots) {
      const planned = planPartition({
        snapshot,
        stateOffset: stateOffsets.get(keyOf(snapshot.topic, snapshot.partition)),
        startPosition: config.startPosition,
        retentionGapPolicy: config.retentionGapPolicy,
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
  return new KafkaBoundedRead(kafka, config, selection.topics, ranges, reports, options, deps);
}

export function describeReport(report: OffsetReport): string {
  return report.kind === 'retention_gap'
    ? `Partition ${report.topic}:${report.partition}: the state offset ${report.requestedOffset} is below the log start ` +
        `${report.logStart}; ${report.lostOffsets} offsets were deleted by retention before they were read`
    : `Partition ${report.topic}:${report.partition}: the state offset ${report.requestedOffset} is beyond the end ` +
        `${report.end} (was the topic recreated?); reading from the configured start position`;
}

class KafkaBoundedRead implements BoundedRead {
  readonly readGroupId: string;
  private readonly states = new Map<string, PartitionState>();
  private readonly active = new Set<string>();
  private readonly handoff: Handoff<Item>;
  private readonly chunkSize: number;
  private readonly stallTimeoutMs: number;
  private readonly joinTimeoutMs: number;
  private joinStartedAt = 0;
  private readonly startedAt: number;
  private readonly fetchMaxBytes: number;
  private readonly fetchMaxBytesPerPartition: number;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  /** Broker failures mid-read are retried (kafkajs restarts the consumer) while this budget lasts. */
  private readonly outage: OutageBudget;
  private consumer: Consumer | undefined;
  private started = false;
  private joined = false;
  private stopping = false;
  private closePromise: Promise<void> | undefined;
  private failure: ConsumerError | undefined;
  private stopReason: StopReason | undefined;
  private recordsRead = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: KafkaSourceConfig,
    readonly topics: readonly TopicInfo[],
    readonly ranges: readonly PartitionRange[],
    readonly reports: readonly OffsetReport[],
    options: ReadOptions,
    private readonly deps: ConsumerDeps,
  ) {
    this.readGroupId = `${config.groupId}.read.${randomUUID()}`;
    this.chunkSize = Math.max(1, config.maxPollRecords);
    this.handoff = new Handoff<Item>(this.chunkSize);
    const outageMs = config.brokerOutageMs ?? DEFAULT_BROKER_OUTAGE_MS;
    this.outage = new OutageBudget(outageMs, deps.clock);
    this.stallTimeoutMs = options.stallTimeoutMs ?? Math.max(30_000, config.requestTimeoutMs * 2, outageMs);
    // Joining is not stalling: a short stall timeout must not turn a slow group join into a failure.
    this.joinTimeoutMs = Math.max(this.stallTimeoutMs, config.requestTimeoutMs * 3);
    this.startedAt = deps.clock.now();
    this.fetchMaxBytes = options.fetchMaxBytes ?? DEFAULT_FETCH_MAX_BYTES;
    this.fetchMaxBytesPerPartition =
      options.fetchMaxBytesPerPartition ?? DEFAULT_FETCH_MAX_BYTES_PER_PARTITION;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.heartbeatIntervalMs = Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor(this.sessionTimeoutMs / 10));
    for (const range of ranges) {
      const key = keyOf(range.topic, range.partition);
      const start = BigInt(range.start);
      const end = BigInt(range.end);
      this.states.set(key, {
        topic: range.topic,
        partition: range.partition,
        end,
        queued: start,
        handed: start,
      });
      if (start < end) this.active.add(key);
    }
  }

  summary(): ReadSummary {
    return {
      stopReason: this.stopReason ?? (this.active.size === 0 ? 'end' : 'closed'),
      recordsRead: this.recordsRead,
      nextOffsets: [...this.states.values()].map((s) => ({
        topic: s.topic,
        partition: s.partition,
        offset: s.handed.toString(),
      })),
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.stop('closed');
        return { done: true, value: undefined };
      },
    };
  }

  close(): Promise<void> {
    return this.stop('closed');
  }

  private async next(): Promise<IteratorResult<RecordBatch>> {
    for (;;) {
      if (this.failure !== undefined) {
        await this.stop('closed');
        throw this.failure;
      }
      if (this.stopReason !== undefined) {
        await this.stop(this.stopReason);
        return { done: true, value: undefined };
      }
      if (this.active.size === 0) {
        await this.stop('end');
        return { done: true, value: undefined };
      }
      const maxDuration = this.config.bounds.maxDurationMs;
      const remainingMs =
        maxDuration === undefined
          ? Number.POSITIVE_INFINITY
          : this.startedAt + maxDuration - this.deps.clock.now();
      if (remainingMs <= 0) {
        this.stopReason = 'max_duration';
        continue;
      }
      if (!this.started) await this.start();

      const item = this.handoff.take();
      if (item === undefined) {
        const joined = this.joined;
        const waitedFrom = this.deps.clock.now();
        // Until the group join (which interrupts this wait), the join deadline applies; after it, the stall one.
        const limitMs = joined
          ? this.stallTimeoutMs
          : Math.max(1, this.joinStartedAt + this.joinTimeoutMs - waitedFrom);
        const timer = sleep(Math.min(remainingMs, limitMs));
        await this.handoff.waitForItem(timer.promise);
        timer.cancel();
        if (this.handoff.size === 0 && this.failure === undefined && this.stopReason === undefined) {
          const now = this.deps.clock.now();
          if (!this.joined) {
            if (now - this.joinStartedAt >= this.joinTimeoutMs - 1) this.onJoinTimeout();
          } else if (joined && now - waitedFrom >= this.stallTimeoutMs - 1) {
            this.onStall();
          }
        }
        continue;
      }
      if (item.kind === 'advance') {
        this.advance(item.key, item.nextOffset);
        continue;
      }
      return { done: false, value: this.hand(item.batch) };
    }
  }

  /** Applies the record cap, records what the caller now holds, and returns what to hand out. */
  private hand(batch: RecordBatch): RecordBatch {
    const key = keyOf(batch.topic, batch.partition);
    const cap = this.config.bounds.maxRecords;
    let out = batch;
    if (cap !== undefined && this.recordsRead + batch.records.length >= cap) {
      const take = cap - this.recordsRead;
      if (take < batch.records.length) {
        const records = batch.records.slice(0, take);
        const last = records[records.length - 1];
        const nextOffset =
          last === undefined
            ? (this.states.get(key)?.handed.toString() ?? batch.nextOffset)
            : (BigInt(last.offset) + 1n).toString();
        out = { topic: batch.topic, partition: batch.partition, records, nextOffset };
      }
      this.stopReason = 'max_records';
    }
    this.recordsRead += out.records.length;
    this.advance(key, BigInt(out.nextOffset));
    return out;
  }

  private advance(key: string, nextOffset: bigint): void {
    const state = this.states.get(key);
    if (state === undefined) return;
    if (nextOffset > state.handed) state.handed = nextOffset;
    if (state.handed >= state.end) this.active.delete(key);
  }

  private onJoinTimeout(): void {
    this.fail(
      new ConsumerError(
        consumerErrorCodes.timeout,
        'transient_error',
        `The read consumer did not join its group ${this.readGroupId} on ${this.config.brokers.join(',')} within ${this.joinTimeoutMs} ms`,
      ),
    );
  }

  private onStall(): void {
    const stuck = [...this.active]
      .map((key) => this.states.get(key))
      .filter((s): s is PartitionState => s !== undefined)
      .map((s) => `${s.topic}:${s.partition} at offset ${s.handed} (end ${s.end})`);
    this.deps.logger.warn(
      `No records arrived for ${this.stallTimeoutMs} ms before the snapshot end was reached; stopping cleanly. ` +
        `Partitions still open: ${stuck.join(', ')}. The next sync resumes from these offsets.`,
    );
    this.stopReason = 'stalled';
  }

  private fail(error: ConsumerError): void {
    this.failure ??= error;
    this.handoff.interrupt();
  }

  private async start(): Promise<void> {
    this.started = true;
    this.joinStartedAt = this.deps.clock.now();
    const assignment: Record<string, number[]> = {};
    for (const key of this.active) {
      const state = this.states.get(key);
      if (state === undefined) continue;
      const partitions = assignment[state.topic] ?? [];
      partitions.push(state.partition);
      assignment[state.topic] = partitions;
    }
    const consumer = this.kafka.consumer({
      groupId: this.readGroupId,
      partitionAssigners: [exactAssigner(assignment)],
      readUncommitted: this.config.isolationLevel === 'read_uncommitted',
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: MAX_WAIT_MS,
      maxBytes: this.fetchMaxBytes,
      maxBytesPerPartition: this.fetchMaxBytesPerPartition,
      allowAutoTopicCreation: false,
      // A retriable crash (brokers gone, a coordinator loading) restarts the consumer while the outage budget
      // lasts; the rejoin seeks back to the queued positions, so nothing is skipped or read twice. Past the
      // budget, or for any other crash, the read ends with a typed error and the next sync resumes from state.
      retry: { ...this.retryBase(), restartOnFailure: async (error) => this.retryAfter(error) },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.joined && this.outage.inOutage) {
        this.deps.logger.info(
          `The brokers answer again after ${Math.round(this.outage.elapsedMs() / 1000)} s; the read goes on where it was`,
        );
      } else if (this.joined) {
        this.deps.logger.warn(
          `The read consumer rejoined its group ${this.readGroupId} (session expired or rebalance); seeking back to its positions`,
        );
      }
      this.joined = true;
      // A rejoin (e.g. after a session timeout) forgets positions; put every open partition back where it was.
      this.seekAll();
      // The caller may be waiting under the join deadline: from now on the stall deadline applies.
      this.handoff.interrupt();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts the consumer itself (retryAfter said so): this crash is part of an outage ridden out.
      if (event.payload.restart) return;
      this.fail(
        classifyError(event.payload.error, 'reading', this.config.brokers, clientSecurity(this.config)),
      );
    });
    // Batches made only of control records or aborted messages never reach eachBatch, but the position must
    // still move past them, or a partition ending in a commit marker would never finish.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, lastOffset } = event.payload;
      if (batchSize !== 0) return;
      this.queueAdvance(keyOf(topic, partition), BigInt(lastOffset) + 1n);
    });
    try {
      await withDeadline(
        consumer.connect(),
        this.config.requestTimeoutMs,
        () =>
          new ConsumerError(
            consumerErrorCodes.brokersUnreachable,
            'transient_error',
            `Could not connect to the Kafka brokers ${this.config.brokers.join(',')} within request_timeout_ms`,
          ),
      );
      await withDeadline(
        consumer.subscribe({ topics: Object.keys(assignment), fromBeginning: true }),
        this.config.requestTimeoutMs * 3,
        () =>
          new ConsumerError(
            consumerErrorCodes.timeout,
            'transient_error',
            `Subscribing the read consumer on ${this.config.brokers.join(',')} did not finish within 3 x request_timeout_ms`,
          ),
      );
      await consumer.run({
        autoCommit: false,
        // kafkajs' next fetch offset follows resolved offsets: after eachBatch, the batch's last offset.
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      this.fail(
        classifyError(error, 'starting the read consumer', this.config.brokers, clientSecurity(this.config)),
      );
      return;
    }
    this.seekAll();
  }

  /** Whether kafkajs should restart the consumer after this retriable crash: within the outage budget only. */
  private retryAfter(error: Error): boolean {
    if (this.stopping) return false;
    const first = !this.outage.inOutage;
    const retry = this.outage.failed();
    if (retry && first) {
      const reason = classifyError(
        error,
        'reading',
        this.config.brokers,
        clientSecurity(this.config),
      ).message;
      const seconds = Math.round((this.config.brokerOutageMs ?? DEFAULT_BROKER_OUTAGE_MS) / 1000);
      this.deps.logger.warn(
        `${reason}. Retrying for up to ${seconds} s (error_handling.broker_outage_seconds); nothing read so far is lost.`,
      );
    }
    return retry;
  }

  private retryBase(): { initialRetryTime: number; retries: number } {
    return { initialRetryTime: this.config.retryBackoffMs, retries: 5 };
  }

  private seekAll(): void {
    const consumer = this.consumer;
    if (consumer === undefined || this.stopping) return;
    for (const key of this.active) {
      const state = this.states.get(key);
      if (state === undefined || state.queued >= state.end) continue;
      try {
        consumer.seek({ topic: state.topic, partition: state.partition, offset: state.queued.toString() });
      } catch (error) {
        // kafkajs refuses a seek once a crash has stopped the consumer, and emits CRASH, with the real cause,
        // only after that. Failing here would hide that cause; if no CRASH comes, the stall deadline ends the read.
        if (!(error instanceof Error && error.message.includes('consumer#run must be called first')))
          throw error;
        this.deps.logger.debug(
          `Could not seek ${state.topic}:${state.partition}: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
    }
  }

  private queueAdvance(key: string, nextOffset: bigint): void {
    const state = this.states.get(key);
    if (state === undefined || this.stopping) return;
    const capped = nextOffset > state.end ? state.end : nextOffset;
    if (capped <= state.queued) return;
    state.queued = capped;
    this.handoff.put({ kind: 'advance', key, nextOffset: capped });
    this.pauseIfQueuedToEnd(state);
  }

  private pauseIfQueuedToEnd(state: PartitionState): void {
    if (state.queued >= state.end) {
      this.consumer?.pause([{ topic: state.topic, partitions: [state.partition] }]);
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const key = keyOf(batch.topic, batch.partition);
    const state = this.states.get(key);
    if (state === undefined || this.stopping || state.queued >= state.end) return;
    this.outage.progressed();
    let chunk: KafkaRecord[] = [];
    let lastOffset = -1n;
    const emit = async (nextOffset: bigint): Promise<void> => {
      const records = chunk;
      chunk = [];
      state.queued = nextOffset;
      const pushed = this.handoff.push(
        {
          kind: 'batch',
          batch: {
            topic: state.topic,
            partition: state.partition,
            records,
            nextOffset: nextOffset.toString(),
          },
        },
        records.length,
      );
      // The caller may be slow; heartbeats keep this member in its group while kafkajs waits on us.
      for (;;) {
        const tick = sleep(this.heartbeatIntervalMs);
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
        if (this.stopping || !isRunning() || isStale()) return;
      }
    }
    // Past the last record handed out, the fetched batch may hold aborted messages and control records: skip them.
    let tail = BigInt(batch.lastOffset()) + 1n;
    if (tail > state.end) tail = state.end;
    if (chunk.length > 0) {
      await emit(tail > lastOffset + 1n ? tail : lastOffset + 1n);
    } else if (tail > state.queued) {
      this.queueAdvance(key, tail);
    }
  }

  private stop(reason: StopReason): Promise<void> {
    // A caller that breaks out right after the last batch still read everything.
    this.stopReason ??= this.active.size === 0 ? 'end' : reason;
    if (this.closePromise !== undefined) return this.closePromise;
    this.stopping = true;
    this.handoff.close();
    const consumer = this.consumer;
    this.closePromise = (async () => {
      if (consumer === undefined) return;
      try {
        await withDeadline(
          consumer.disconnect(),
          this.config.requestTimeoutMs + this.sessionTimeoutMs,
          () => new Error('leaving the read group timed out'),
        );
      } catch (error) {
        this.deps.logger.debug(`Leaving group ${this.readGroupId} failed: ${String(error)}`);
      }
      await this.deleteReadGroup();
    })();
    return this.closePromise;
  }

  /**
   * Deletes this read's group, which is Empty once its one member left: without it, every read would leave a
   * group behind. The read's data is already out, so a failure (no Delete ACL on the group) is one WARN.
   */
  private async deleteReadGroup(): Promise<void> {
    const admin = this.kafka.admin({ retry: { retries: 2 } });
    try {
      await withDeadline(
        (async () => {
          await admin.connect();
          await admin.deleteGroups([this.readGroupId]);
        })(),
        this.config.requestTimeoutMs,
        () => new Error(`no answer within request_timeout_ms (${this.config.requestTimeoutMs} ms)`),
      );
    } catch (error) {
      const groups = (error as { groups?: Array<{ error?: { type?: unknown } }> }).groups;
      // Never joined (the read stopped first): there is no group to delete.
      if (groups?.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND') === true) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.logger.warn(
        `Could not delete the temporary consumer group ${this.readGroupId} (${reason}); it stays behind, Empty. Grant Delete on groups prefixed ${this.config.groupId}.read. to have each read remove its own.`,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
