// The rules of a sync, apart from the loop that moves records: the record and time caps, what a message that
// cannot be decoded does, and which status each stream ends with. They take their clock and timers as
// arguments, so unit tests drive them on fake time.
import type { Timers } from '@source-kafka/consumer';
import type { AirbyteStreamStatus, Clock, ConnectorLogger, SyncMode } from './protocol.js';

/**
 * `max_records_process`: bounds the records of incremental streams only. The next sync of a full-refresh
 * stream starts over at the log start, so capping it would truncate the stream on every sync and never read
 * past the cap.
 */
export class RecordCap {
  private counted = 0;
  private hit = false;

  constructor(private readonly maxRecords: number | undefined) {}

  get reached(): boolean {
    return this.hit;
  }

  /** How many more records of a stream in `mode` may be written. */
  allowance(mode: SyncMode | undefined): number {
    if (this.maxRecords === undefined || mode !== 'incremental') return Number.POSITIVE_INFINITY;
    if (this.hit) return 0;
    return Math.max(0, this.maxRecords - this.counted);
  }

  /** `written` records of a stream in `mode` went out; `cut` when the allowance ended a batch before its end. */
  count(mode: SyncMode | undefined, written: number, cut: boolean): void {
    if (this.maxRecords === undefined || mode !== 'incremental') return;
    this.counted += written;
    if (cut) this.hit = true;
  }

  /** Whether the batches of a stream in `mode` are passed over from now on. */
  skips(mode: SyncMode | undefined): boolean {
    return this.hit && this.maxRecords !== undefined && mode === 'incremental';
  }
}

/**
 * `read_bounds.max_duration_seconds`: reached once the clock passes the deadline (checked between batches),
 * or when its timer fires during a wait for the next batch, which then calls `onReached` to end that wait.
 */
export class TimeCap {
  private readonly deadline: number;
  private fired = false;
  private readonly cancelTimer: () => void;

  constructor(
    readonly maxDurationMs: number | undefined,
    private readonly clock: Clock,
    timers: Timers,
    onReached: () => void,
  ) {
    this.deadline = maxDurationMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + maxDurationMs;
    this.cancelTimer =
      maxDurationMs === undefined
        ? () => undefined
        : timers.after(maxDurationMs, () => {
            this.fired = true;
            onReached();
          });
  }

  get reached(): boolean {
    return this.fired || this.clock.now() >= this.deadline;
  }

  cancel(): void {
    this.cancelTimer();
  }
}

/** Logs at most this many skipped messages one by one; the rest are only counted. */
export const SKIP_LOG_LIMIT = 20;

/** Under the `skip` policy: counts the messages that cannot be decoded, and logs the first few. */
export class SkippedMessages {
  private count = 0;

  constructor(private readonly logger: ConnectorLogger) {}

  get total(): number {
    return this.count;
  }

  skip(where: string, reason: string): void {
    this.count++;
    if (this.count <= SKIP_LOG_LIMIT) {
      this.logger.warn(`Skipped the message at ${where}: ${reason}`);
    } else if (this.count === SKIP_LOG_LIMIT + 1) {
      this.logger.warn('More messages were skipped; they are counted but no longer logged one by one.');
    }
  }
}

/** How the batches of a sync ended, as far as the final statuses care. */
export interface SyncEnding {
  /** A stop signal (SIGTERM) ended the sync: every stream is INCOMPLETE. */
  readonly aborted: boolean;
  /** The brokers stopped sending before the snapshotted ends were reached. */
  readonly stalled: boolean;
}

export interface StreamEnding {
  readonly syncMode: SyncMode;
  /** Every partition resumes at or past the end snapshotted at the start. */
  readonly reachedEnd: boolean;
}

/**
 * A stream that stopped short of its snapshotted end is INCOMPLETE when the brokers stalled (the sync fails
 * and is retried) and, for full refresh, whatever stopped it: the destination would otherwise replace the
 * stream with a part of it. An incremental stream stopped by a cap is COMPLETE: the next sync goes on.
 */
export function finalStatus(ending: SyncEnding, stream: StreamEnding): AirbyteStreamStatus {
  if (ending.aborted) return 'INCOMPLETE';
  if (stream.reachedEnd) return 'COMPLETE';
  if (ending.stalled || stream.syncMode === 'full_refresh') return 'INCOMPLETE';
  return 'COMPLETE';
}

/**
 * Waits for `promise` at most `ms` on `timers`: true when it settled in time. What runs after the last
 * STATE (the last group commit, leaving the read group) must not keep a finished sync alive when the
 * brokers stopped answering.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number, timers: Timers): Promise<boolean> {
  let cancel: () => void = () => undefined;
  const timeout = new Promise<false>((resolve) => {
    cancel = timers.after(ms, () => resolve(false));
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    cancel();
  }
}
