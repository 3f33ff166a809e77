// The caller's side of a bounded read, as a small state machine: it hands out what the client side queued,
// moves the progress, and decides when waiting has gone on too long (the group join, a stall). It knows no
// client: the client side feeds it events (joined, batches, moves past empty batches, failures), and every
// wait goes through the injected timers and clock, so unit tests drive it on fake time.
import { ConsumerError, consumerErrorCodes } from './errors.js';
import { Handoff } from './handoff.js';
import { type PartitionOffset, partitionKey, ReadProgress } from './read-progress.js';
import { sleepOn } from './timers.js';
import type { Clock, Logger, PartitionRange, RecordBatch, Timers } from './types.js';

/** Why the read ended: every partition reached its snapshot end, no progress, or the caller stopped it. */
export type StopReason = 'end' | 'stalled' | 'closed';

export interface ReadSummary {
  readonly stopReason: StopReason;
  readonly recordsRead: number;
  /** For every selected partition, the offset to resume from: exact at any stop. */
  readonly nextOffsets: readonly PartitionOffset[];
}

export interface WaitRules {
  /** Once joined: how long without any item before the read stops as stalled. */
  readonly stallTimeoutMs: number;
  /** From the start of the join until the group join must have happened; missing it is an error. */
  readonly joinTimeoutMs: number;
}

export interface WaitState {
  readonly joined: boolean;
  /** Clock time the join started. */
  readonly joinStartedAt: number;
}

/** How long the caller may wait for the next item now: until the join deadline, or one stall timeout. */
export function waitLimitMs(rules: WaitRules, state: WaitState, now: number): number {
  return state.joined ? rules.stallTimeoutMs : Math.max(1, state.joinStartedAt + rules.joinTimeoutMs - now);
}

/**
 * What a wait that brought nothing means. A wait that the join interrupted is no stall: the stall clock
 * starts at the join. Timers may fire a millisecond before the clock shows the full wait, hence the 1 ms slack.
 */
export function emptyWaitVerdict(
  rules: WaitRules,
  state: WaitState,
  wait: { readonly from: number; readonly joinedBefore: boolean },
  now: number,
): 'join_timeout' | 'stalled' | undefined {
  if (!state.joined) return now - state.joinStartedAt >= rules.joinTimeoutMs - 1 ? 'join_timeout' : undefined;
  if (wait.joinedBefore && now - wait.from >= rules.stallTimeoutMs - 1) return 'stalled';
  return undefined;
}

type Item =
  | { readonly kind: 'batch'; readonly batch: RecordBatch }
  | { readonly kind: 'advance'; readonly key: string; readonly nextOffset: bigint };

export interface ReadLoopDeps {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
}

export interface ReadLoopOptions {
  readonly ranges: readonly PartitionRange[];
  readonly rules: WaitRules;
  /** Records the client side may queue ahead of the caller. */
  readonly capacity: number;
  /** Names the read in messages, e.g. `group g.read.1 on broker:9092`. */
  readonly where: string;
  /** Connects and joins; called once, on the first `next()` with a partition open. Failures go to `fail()`. */
  readonly start: () => Promise<void>;
  /** Lets go of the client; called once when the read stops. */
  readonly release: () => Promise<void>;
}

export class ReadLoop {
  readonly progress: ReadProgress;
  private readonly handoff: Handoff<Item>;
  private started = false;
  private joined = false;
  private joinStartedAt = 0;
  private stopping = false;
  private releasePromise: Promise<void> | undefined;
  private failure: ConsumerError | undefined;
  private stopReason: StopReason | undefined;
  private recordsRead = 0;

  constructor(
    private readonly options: ReadLoopOptions,
    private readonly deps: ReadLoopDeps,
  ) {
    this.progress = new ReadProgress(options.ranges);
    this.handoff = new Handoff<Item>(options.capacity);
  }

  /** The read stopped, or is stopping: the client side must queue nothing more. */
  get isStopping(): boolean {
    return this.stopping;
  }

  get hasJoined(): boolean {
    return this.joined;
  }

  summary(): ReadSummary {
    return {
      stopReason: this.stopReason ?? (this.progress.done ? 'end' : 'closed'),
      recordsRead: this.recordsRead,
      nextOffsets: this.progress.nextOffsets(),
    };
  }

  // Events from the client side.

  /** The group join (or a rejoin) happened: from now on the stall deadline applies. */
  onJoined(): void {
    this.joined = true;
    // The caller may be waiting under the join deadline.
    this.handoff.interrupt();
  }

  /** Queues a batch; resolves when the caller has room for more. */
  push(batch: RecordBatch): Promise<void> {
    const key = partitionKey(batch.topic, batch.partition);
    this.progress.queue(key, BigInt(batch.nextOffset));
    return this.handoff.push({ kind: 'batch', batch }, batch.records.length);
  }

  /** The client moved past offsets that hold no record for the caller (control records, aborted messages). */
  advance(topic: string, partition: number, nextOffset: bigint): bigint | undefined {
    if (this.stopping) return undefined;
    const key = partitionKey(topic, partition);
    const moved = this.progress.queue(key, nextOffset);
    if (moved !== undefined) this.handoff.put({ kind: 'advance', key, nextOffset: moved });
    return moved;
  }

  fail(error: ConsumerError): void {
    this.failure ??= error;
    this.handoff.interrupt();
  }

  // The caller's side.

  /**
   * The next batch, or done. Ending starts releasing the client but does not wait for it (leaving a group on a
   * broker that stopped answering can take a session timeout): `stop()` or `close()` waits for that.
   */
  async next(): Promise<IteratorResult<RecordBatch>> {
    for (;;) {
      if (this.failure !== undefined) {
        void this.stop('closed');
        throw this.failure;
      }
      if (this.stopReason !== undefined || this.progress.done) {
        void this.stop(this.stopReason ?? 'end');
        return { done: true, value: undefined };
      }
      if (!this.started) await this.start();

      const item = this.handoff.take();
      if (item === undefined) {
        await this.waitForItem();
        continue;
      }
      if (item.kind === 'advance') {
        this.progress.hand(item.key, item.nextOffset);
        continue;
      }
      const { batch } = item;
      this.recordsRead += batch.records.length;
      this.progress.hand(partitionKey(batch.topic, batch.partition), BigInt(batch.nextOffset));
      return { done: false, value: batch };
    }
  }

  /** Stops the read and lets go of the client. Idempotent. */
  stop(reason: StopReason): Promise<void> {
    // A caller that breaks out right after the last batch still read everything.
    this.stopReason ??= this.progress.done ? 'end' : reason;
    if (this.releasePromise !== undefined) return this.releasePromise;
    this.stopping = true;
    this.handoff.close();
    // release() never rejects: leaving is best effort once the data is out.
    this.releasePromise = this.started ? this.options.release().catch(() => undefined) : Promise.resolve();
    return this.releasePromise;
  }

  private async start(): Promise<void> {
    this.started = true;
    this.joinStartedAt = this.deps.clock.now();
    await this.options.start();
  }

  private async waitForItem(): Promise<void> {
    const { rules } = this.options;
    const from = this.deps.clock.now();
    const joinedBefore = this.joined;
    const timer = sleepOn(this.deps.timers, waitLimitMs(rules, this.waitState(), from));
    await this.handoff.waitForItem(timer.promise);
    timer.cancel();
    if (this.handoff.size > 0 || this.failure !== undefined || this.stopReason !== undefined) return;
    const verdict = emptyWaitVerdict(rules, this.waitState(), { from, joinedBefore }, this.deps.clock.now());
    if (verdict === 'join_timeout') {
      this.fail(
        ConsumerError.retriable(
          consumerErrorCodes.timeout,
          `The read consumer did not join its ${this.options.where} within ${rules.joinTimeoutMs} ms`,
        ),
      );
    } else if (verdict === 'stalled') {
      this.deps.logger.warn(
        `No records arrived for ${rules.stallTimeoutMs} ms before the snapshot end was reached; stopping the read. ` +
          `Partitions still open: ${this.progress.describeOpen().join(', ')}.`,
      );
      this.stopReason = 'stalled';
    }
  }

  private waitState(): WaitState {
    return { joined: this.joined, joinStartedAt: this.joinStartedAt };
  }
}
