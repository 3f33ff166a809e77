import {
  estimateTraceMessage,
  streamStateMessage,
  streamStatusMessage,
} from '@source-kafka/airbyte-protocol';
import { type OffsetReport, type PartitionRange, systemTimers, type Timers } from '@source-kafka/consumer';
import type { KafkaSourceConfig } from '@source-kafka/spec';
import { BatchWriter } from './batch-writer.js';
import { Checkpointer, type StreamCheckpoint } from './checkpointer.js';
import { InvalidCatalogError, ReadStalledError, RetentionGapError } from './errors.js';
import { BackgroundGroupCommitter } from './group-commit.js';
import type { Decoders, KafkaPort, ReadSession, ReadStart, TopicOffset } from './ports.js';
import { estimateRows, formatProgress, ProgressTracker } from './progress.js';
import type {
  AirbyteMessage,
  AirbyteMessageSink,
  AirbyteStreamStatus,
  Clock,
  ConnectorLogger,
  SyncMode,
} from './protocol.js';
import {
  finalStatus,
  RecordCap,
  SkippedMessages,
  type StreamEnding,
  type SyncEnding,
  settlesWithin,
  TimeCap,
} from './read-rules.js';
import { parseTopicState, planPartitionStarts, type TopicState } from './state.js';

export interface ConfiguredStream {
  readonly name: string;
  readonly syncMode: SyncMode;
}

export interface ReadContext {
  readonly writer: AirbyteMessageSink;
  readonly logger: ConnectorLogger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

export interface ReadOptions {
  readonly config: KafkaSourceConfig;
  readonly streams: readonly ConfiguredStream[];
  /** Incoming stream_state per stream name, not yet validated. */
  readonly states: ReadonlyMap<string, unknown>;
  readonly kafka: KafkaPort;
  readonly decoders: Decoders;
  readonly ctx: ReadContext;
  /** How often to log progress; 10 s unless a test says otherwise. */
  readonly progressIntervalMs?: number | undefined;
  /**
   * The reason when `error` is about the message bytes (a poison message), undefined for anything else
   * (registry down, bad credentials), which must fail the sync whatever the bad-message policy.
   */
  readonly isPoison?: ((error: unknown) => string | undefined) | undefined;
  /** The time cap's timer and the bounded waits after the last STATE; Node's timers unless a test says otherwise. */
  readonly timers?: Timers | undefined;
}

export interface ReadSummary {
  readonly records: number;
  readonly skipped: number;
  readonly stoppedEarly: boolean;
}

/**
 * Reads the configured streams once, from their start offsets to the ends snapshotted at the start, and
 * writes RECORD, STATE, TRACE and LOG messages to `ctx.writer`. Throws ReadStalledError, after the final
 * STATE and the statuses, when the brokers stopped sending before those ends.
 */
export async function readStreams(options: ReadOptions): Promise<ReadSummary> {
  const { config, ctx, kafka } = options;
  const { writer, logger, clock } = ctx;
  const timers = options.timers ?? systemTimers;
  const streamNames = options.streams.map((s) => s.name);
  if (streamNames.length === 0) {
    logger.info('The configured catalog has no streams: nothing to read.');
    return { records: 0, skipped: 0, stoppedEarly: false };
  }

  let starts: ReadStart[];
  let topicIds: ReadonlyMap<string, string>;
  try {
    ({ starts, topicIds } = await planStarts(options));
  } catch (error) {
    await reportIncomplete(writer, clock, streamNames);
    throw error;
  }

  for (const name of streamNames) emitStatus(writer, clock, name, 'STARTED');

  let session: ReadSession;
  try {
    session = await kafka.openRead(starts);
  } catch (error) {
    await reportIncomplete(writer, clock, streamNames);
    throw error;
  }

  const modes = new Map(options.streams.map((s) => [s.name, s.syncMode]));
  const checkpointer = new Checkpointer({
    everyRecords: config.checkpoint.everyRecords,
    everyMs: config.checkpoint.everyMs,
    clock,
  });
  const committer = config.commitOffsetsToGroup
    ? new BackgroundGroupCommitter((offsets) => session.commit(offsets), logger)
    : undefined;
  const running = new Set<string>();
  let records = 0;
  const recordCap = new RecordCap(config.bounds.maxRecords);
  // A stop request, and the time cap, also end a wait for the next batch, not only the loop between batches.
  const stopRead = () => void session.close().catch(() => undefined);
  const timeCap = new TimeCap(config.bounds.maxDurationMs, clock, timers, stopRead);
  const skippedMessages = new SkippedMessages(logger);
  let stoppedEarly = false;
  let stalled: ReadStalledError | undefined;
  const fullRefreshStreams = new Set(
    options.streams.filter((s) => s.syncMode === 'full_refresh').map((s) => s.name),
  );
  try {
    enforceRetentionPolicy(session.reports, modes, config);
    for (const name of streamNames) {
      checkpointer.addStream(name, startOffsets(session.ranges, name), topicIds.get(name));
    }
    for (const estimate of estimateRows(session.ranges)) {
      writer.write(
        estimateTraceMessage(
          { name: estimate.stream, type: 'STREAM', rowEstimate: estimate.rowEstimate },
          clock.now(),
        ),
      );
    }

    const progress = new ProgressTracker(session.ranges, clock, options.progressIntervalMs);
    const batchWriter = new BatchWriter({
      config,
      decoders: options.decoders,
      sink: writer,
      checkpointer,
      skippedMessages,
      logger,
      isPoison: options.isPoison,
    });

    ctx.signal.addEventListener('abort', stopRead, { once: true });
    // Iterated by hand: leaving a `for await` calls the iterator's return(), which waits for the consumer to
    // leave its group (seconds) before the final STATE could go out. session.close() in `finally` does that.
    const batches = session.batches[Symbol.asyncIterator]();
    for (;;) {
      const next = await batches.next();
      if (next.done === true || ctx.signal.aborted) break;
      const batch = next.value;
      const stream = batch.topic;
      if (!running.has(stream)) {
        running.add(stream);
        emitStatus(writer, clock, stream, 'RUNNING');
      }
      const mode = modes.get(stream);
      if (recordCap.skips(mode)) continue;
      const emittedAt = clock.now();
      const { written, paced, nextOffset, cut, poison } = await batchWriter.write(
        batch,
        recordCap.allowance(mode),
        emittedAt,
      );
      records += written;
      recordCap.count(mode, written, cut);
      checkpointer.advance(stream, batch.partition, nextOffset, written);
      // The catch below writes the state that covers everything before the poison message.
      if (poison !== undefined) throw poison;
      progress.observe(stream, batch.partition, nextOffset, written);
      if (!paced) await writer.ready();
      if (checkpointer.isDue()) await checkpoint(writer, checkpointer.checkpoint(), committer);
      const line = progress.poll();
      if (line !== undefined) logger.info(line);
      if (recordCap.reached && !stoppedEarly) {
        stoppedEarly = true;
        logger.info(
          `Reached the cap of ${config.bounds.maxRecords} records (max_records_process) for the incremental streams of this ` +
            'sync; the next sync goes on from here.',
        );
      }
      // Full-refresh streams still read to their end; the capped incremental batches are passed over.
      if (recordCap.reached && readToEnd(session, fullRefreshStreams)) break;
      // Every partition reached its end: the final STATE goes out now, not after the consumer leaves its group.
      if (progress.isDone()) break;
      if (timeCap.reached) break;
    }
    timeCap.cancel();
    ctx.signal.removeEventListener('abort', stopRead);
    const aborted = ctx.signal.aborted;
    if (aborted) {
      logger.info('Asked to stop: wrote the last state; the next sync goes on from it.');
      stoppedEarly = true;
    } else if (timeCap.reached && !progress.isDone()) {
      logger.info(`Reached the time cap of ${timeCap.maxDurationMs} ms; the next sync goes on from here.`);
      stoppedEarly = true;
    }
    if (!aborted) {
      // Past transaction markers and aborted messages. After an early stop only full-refresh streams move: no
      // cap cuts their batches, so everything handed out for them was written; an incremental stream stopped
      // mid-batch keeps the offset of its last written record.
      for (const o of session.finalOffsets()) {
        if (stoppedEarly && !fullRefreshStreams.has(o.topic)) continue;
        checkpointer.moveForward(o.topic, o.partition, o.offset);
      }
    }
    await checkpoint(writer, checkpointer.finalCheckpoint(), committer);
    logPassedOver(logger, {
      skipped: skippedMessages.total,
      truncates: batchWriter.truncates,
      nullKeys: batchWriter.nullKeys,
    });
    logger.info(`${formatProgress(progress.summary())} Done.`);
    // Only a read the consumer ended for lack of records: a stop of the app's own (a cap, the signal) is no stall.
    const ending = { aborted, stalled: !aborted && !timeCap.reached && session.stopReason() === 'stalled' };
    const cutShort = endStreams(
      { writer, clock, logger },
      ending,
      streamNames.map((name) => ({
        name,
        syncMode: modes.get(name) ?? 'incremental',
        reachedEnd: reachedEnds(checkpointer, session.ranges, name),
        ran: running.has(name),
      })),
    );
    if (ending.stalled) stalled = new ReadStalledError(cutShort);
    await writer.flush();
    if (stalled === undefined) return { records, skipped: skippedMessages.total, stoppedEarly };
  } catch (error) {
    // The records written so far are covered by the last state; the partial batch is not.
    writeStates(writer, checkpointer.checkpoint());
    await reportIncomplete(writer, clock, streamNames);
    throw error;
  } finally {
    timeCap.cancel();
    await closeAfterLastState(session, committer, clock, timers, logger);
  }
  throw stalled;
}

/** Says once, at the end, what was passed over and why: one line per kind, not one per message. */
function logPassedOver(
  logger: ConnectorLogger,
  counts: { readonly skipped: number; readonly truncates: number; readonly nullKeys: number },
): void {
  if (counts.skipped > 0) {
    logger.warn(`Skipped ${counts.skipped} message(s) that could not be decoded (bad-message policy: skip).`);
  }
  if (counts.truncates > 0) {
    logger.warn(
      `Passed over ${counts.truncates} Debezium truncate event(s) (op t): a destination cannot apply a truncate from records, so its rows stay until a full refresh.`,
    );
  }
  if (counts.nullKeys > 0) {
    logger.warn(
      `Skipped ${counts.nullKeys} message(s) without a key (record_layout.primary_key is message_key); STATE sourceStats.rejectedRecordCount counts them.`,
    );
  }
}

/**
 * Writes each stream's terminal status (after RUNNING, which a stream that got no batch has not had yet) and
 * returns the streams cut short of their snapshotted end.
 */
function endStreams(
  out: { readonly writer: AirbyteMessageSink; readonly clock: Clock; readonly logger: ConnectorLogger },
  ending: SyncEnding,
  streams: readonly (StreamEnding & { readonly name: string; readonly ran: boolean })[],
): string[] {
  const cutShort: string[] = [];
  for (const stream of streams) {
    const status = finalStatus(ending, stream);
    if (ending.aborted) {
      emitStatus(out.writer, out.clock, stream.name, status);
      continue;
    }
    if (!stream.reachedEnd && status === 'INCOMPLETE') {
      cutShort.push(stream.name);
      if (!ending.stalled) {
        out.logger.warn(
          `Full-refresh stream "${stream.name}" stopped before the end offsets snapshotted at start (the time cap), so the ` +
            'destination would hold only part of it: it is reported INCOMPLETE. If read_bounds.max_duration_seconds ' +
            'is set, raise it.',
        );
      }
    }
    if (!stream.ran) emitStatus(out.writer, out.clock, stream.name, 'RUNNING');
    emitStatus(out.writer, out.clock, stream.name, status);
  }
  return cutShort;
}

/** How long the last group commit and leaving the read group may take together, once the last STATE is out. */
const CLOSE_GRACE_MS = 5_000;
/** Leaving the group always gets at least this, however long the last commit took. */
const MIN_LEAVE_MS = 1_000;

/**
 * Nothing after the last STATE may keep the sync alive for long: a broker that stopped answering would hold
 * the group commit and the consumer's leave for a session timeout or more.
 */
async function closeAfterLastState(
  session: ReadSession,
  committer: BackgroundGroupCommitter | undefined,
  clock: Clock,
  timers: Timers,
  logger: ConnectorLogger,
): Promise<void> {
  const deadline = clock.now() + CLOSE_GRACE_MS;
  if (committer !== undefined && !(await settlesWithin(committer.drain(), CLOSE_GRACE_MS, timers))) {
    logger.warn(
      `The last offset commit to the consumer group did not finish within ${CLOSE_GRACE_MS} ms; it is dropped (the state holds the offsets).`,
    );
  }
  const closing = session.close().catch((error: unknown) => {
    logger.warn(
      `Closing the Kafka consumer failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const leaveMs = Math.max(MIN_LEAVE_MS, deadline - clock.now());
  if (!(await settlesWithin(closing, leaveMs, timers))) {
    logger.warn(
      `The Kafka consumer did not leave its read group within ${leaveMs} ms; stopped waiting (the temporary group may stay behind until the broker expires it).`,
    );
  }
}

/**
 * Where each partition of the configured streams starts. Fails on a catalog stream the subscription does
 * not select and on a malformed incoming state, before anything is read.
 */
async function planStarts(
  options: ReadOptions,
): Promise<{ starts: ReadStart[]; topicIds: ReadonlyMap<string, string> }> {
  const { config, kafka } = options;
  const { logger } = options.ctx;
  const topics = new Map((await kafka.listTopics()).map((t) => [t.name, t.partitions]));
  const missing = options.streams.map((s) => s.name).filter((name) => !topics.has(name));
  if (missing.length > 0) {
    throw new InvalidCatalogError(
      `The configured catalog has stream(s) ${missing.map((m) => `"${m}"`).join(', ')} that the subscription does not ` +
        'select or that no longer exist as topics. Run discover again and update the connection.',
    );
  }

  const topicIds = (await kafka.topicIds?.(options.streams.map((s) => s.name))) ?? new Map<string, string>();
  const starts: ReadStart[] = [];
  for (const stream of options.streams) {
    const partitions = selectedPartitions(config, stream.name, topics.get(stream.name) ?? 0);
    if (stream.syncMode === 'full_refresh') {
      for (const partition of partitions) starts.push({ topic: stream.name, partition, earliest: true });
      continue;
    }
    const raw = options.states.get(stream.name);
    let state: TopicState | undefined = raw === undefined ? undefined : parseTopicState(stream.name, raw);
    const topicId = topicIds.get(stream.name);
    if (state?.topicId !== undefined && topicId !== undefined && state.topicId !== topicId) {
      logger.warn(
        `Topic "${stream.name}" was deleted and recreated since the last sync: its topic ID is ${topicId}, the state's ` +
          `is ${state.topicId}. The saved offsets belong to the old topic, so they are dropped and every partition ` +
          `starts at the configured start position (${config.startPosition.type}).`,
      );
      state = undefined;
    }
    const plan = planPartitionStarts(stream.name, partitions, state);
    if (plan.vanished.length > 0) {
      logger.warn(
        `Topic "${stream.name}" no longer has partition(s) ${plan.vanished.join(', ')} that the state recorded; ` +
          'the topic was probably recreated with fewer partitions. Their state is dropped.',
      );
    }
    const known = state?.partitions ?? {};
    const fresh = plan.starts.filter((s) => s.offset === undefined).map((s) => s.partition);
    if (state !== undefined && fresh.length > 0 && Object.keys(known).length > 0) {
      logger.info(
        `Topic "${stream.name}": partition(s) ${fresh.join(', ')} are new since the last sync and start at the ` +
          `configured start position (${config.startPosition.type}).`,
      );
    }
    starts.push(...plan.starts);
  }
  return { starts, topicIds };
}

/**
 * Ends every configured stream with INCOMPLETE: Airbyte expects a terminal status for each stream of a failed
 * sync, also when it failed before the read opened. A failed flush must not hide the error that caused it.
 */
export async function reportIncomplete(
  writer: AirbyteMessageSink,
  clock: Clock,
  streams: readonly string[],
): Promise<void> {
  emitAllStatuses(writer, clock, streams, 'INCOMPLETE');
  await writer.flush().catch(() => undefined);
}

/** An `assign` subscription reads only its listed partitions; `subscribe` reads every partition. */
function selectedPartitions(config: KafkaSourceConfig, topic: string, count: number): number[] {
  const subscription = config.subscription;
  if (subscription.type === 'subscribe') return [...Array(count).keys()];
  const listed = subscription.partitions.filter((p) => p.topic === topic).map((p) => p.partition);
  return [...new Set(listed)].filter((p) => p < count).sort((a, b) => a - b);
}

/**
 * Every partition of these streams was handed out up to its snapshotted end (markers included). Each batch of
 * a full-refresh stream is written whole, so for them handed out means written.
 */
function readToEnd(session: ReadSession, streams: ReadonlySet<string>): boolean {
  if (streams.size === 0) return true;
  const next = new Map(
    session.finalOffsets().map((o) => [`${o.topic}\u0000${o.partition}`, BigInt(o.offset)]),
  );
  return session.ranges.every(
    (r) =>
      !streams.has(r.topic) ||
      (next.get(`${r.topic}\u0000${r.partition}`) ?? BigInt(r.start)) >= BigInt(r.end),
  );
}

/** Every partition of the stream resumes at or past the end snapshotted at the start. */
function reachedEnds(checkpointer: Checkpointer, ranges: readonly PartitionRange[], stream: string): boolean {
  const partitions = checkpointer.stateOf(stream)?.partitions ?? {};
  return ranges.every(
    (r) => r.topic !== stream || BigInt(partitions[String(r.partition)] ?? r.start) >= BigInt(r.end),
  );
}

function startOffsets(ranges: readonly PartitionRange[], topic: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const range of ranges) if (range.topic === topic) out[String(range.partition)] = range.start;
  return out;
}

/**
 * The consumer logs every report as a WARN already; what is left here is the policy. A port that plans
 * offsets without enforcing it still fails the sync as configured.
 */
function enforceRetentionPolicy(
  reports: readonly OffsetReport[],
  modes: ReadonlyMap<string, SyncMode>,
  config: KafkaSourceConfig,
): void {
  if (config.retentionGapPolicy !== 'fail') return;
  for (const report of reports) {
    if (report.kind !== 'retention_gap' || modes.get(report.topic) !== 'incremental') continue;
    throw new RetentionGapError(
      report.topic,
      `Topic "${report.topic}", partition ${report.partition}: the state resumes at offset ${report.requestedOffset}, ` +
        `below the log start ${report.logStart}: retention deleted them, so ${report.lostOffsets} offset(s) were never ` +
        'read. The retention-gap policy is "fail": reset the stream, or set the policy to continue.',
    );
  }
}

function writeStates(writer: AirbyteMessageSink, checkpoints: readonly StreamCheckpoint[]): void {
  for (const cp of checkpoints) writer.write(stateMessage(cp));
}

export function stateMessage(cp: StreamCheckpoint): AirbyteMessage {
  return streamStateMessage(
    { name: cp.stream },
    {
      version: cp.state.version,
      partitions: { ...cp.state.partitions },
      ...(cp.state.topicId === undefined ? {} : { topic_id: cp.state.topicId }),
    },
    {
      recordCount: cp.recordCount,
      rejectedRecordCount: cp.rejectedCount > 0 ? cp.rejectedCount : undefined,
    },
  );
}

async function checkpoint(
  writer: AirbyteMessageSink,
  checkpoints: readonly StreamCheckpoint[],
  committer: BackgroundGroupCommitter | undefined,
): Promise<void> {
  writeStates(writer, checkpoints);
  if (committer === undefined || checkpoints.length === 0) return;
  // Committed only after the STATE reached the output, so the group never runs ahead of what Airbyte holds.
  await writer.flush();
  const offsets: TopicOffset[] = [];
  for (const cp of checkpoints) {
    for (const [partition, offset] of Object.entries(cp.state.partitions)) {
      offsets.push({ topic: cp.stream, partition: Number(partition), offset });
    }
  }
  committer.submit(offsets);
}

function emitStatus(
  writer: AirbyteMessageSink,
  clock: Clock,
  stream: string,
  status: AirbyteStreamStatus,
): void {
  writer.write(streamStatusMessage({ name: stream }, status, clock.now()));
}

function emitAllStatuses(
  writer: AirbyteMessageSink,
  clock: Clock,
  streams: readonly string[],
  status: AirbyteStreamStatus,
): void {
  for (const name of streams) emitStatus(writer, clock, name, status);
}
