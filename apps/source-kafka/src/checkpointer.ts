import type { Clock } from '@source-kafka/consumer';
import { STATE_VERSION, type TopicState } from './state.js';

export interface StreamCheckpoint {
  readonly stream: string;
  readonly state: TopicState;
  /** Records written for this stream since its previous checkpoint (Airbyte `sourceStats.recordCount`). */
  readonly recordCount: number;
  /** Messages of this stream skipped since its previous checkpoint (`sourceStats.rejectedRecordCount`). */
  readonly rejectedCount: number;
}

export interface CheckpointerOptions {
  readonly everyRecords: number;
  readonly everyMs: number;
  readonly clock: Clock;
}

interface StreamProgress {
  readonly partitions: Map<string, string>;
  readonly topicId: string | undefined;
  recordsSinceCheckpoint: number;
  rejectedSinceCheckpoint: number;
  dirty: boolean;
}

/**
 * Decides when to checkpoint and what each stream's state is. The caller reports a partition's next offset
 * only after it has handed every record up to that offset to the writer, and writes the returned states to
 * the same writer, so a STATE always follows the records it covers.
 */
export class Checkpointer {
  private readonly streams = new Map<string, StreamProgress>();
  private readonly everyRecords: number;
  private readonly everyMs: number;
  private readonly clock: Clock;
  private recordsSinceCheckpoint = 0;
  private lastCheckpointAt: number;
  private totalRecords = 0;

  constructor(options: CheckpointerOptions) {
    this.everyRecords = Math.max(1, options.everyRecords);
    this.everyMs = Math.max(0, options.everyMs);
    this.clock = options.clock;
    this.lastCheckpointAt = options.clock.now();
  }

  /** Starts tracking a stream at the offsets where its read begins (so a stream with no records keeps them). */
  addStream(stream: string, startOffsets: Readonly<Record<string, string>>, topicId?: string): void {
    this.streams.set(stream, {
      partitions: new Map(Object.entries(startOffsets)),
      topicId,
      recordsSinceCheckpoint: 0,
      rejectedSinceCheckpoint: 0,
      dirty: true,
    });
  }

  /** Records that `recordCount` records of the partition were written and it now resumes at `nextOffset`. */
  advance(stream: string, partition: number, nextOffset: string, recordCount: number): void {
    const progress = this.streams.get(stream);
    if (progress === undefined) throw new Error(`Checkpointer: stream "${stream}" was never added`);
    progress.partitions.set(String(partition), nextOffset);
    progress.recordsSinceCheckpoint += recordCount;
    progress.dirty = true;
    this.recordsSinceCheckpoint += recordCount;
    this.totalRecords += recordCount;
  }

  /** Counts a message that was skipped, not written; the next `advance` past it moves the offset. */
  reject(stream: string): void {
    const progress = this.streams.get(stream);
    if (progress === undefined) throw new Error(`Checkpointer: stream "${stream}" was never added`);
    progress.rejectedSinceCheckpoint++;
  }

  /**
   * Moves a partition forward without records: past transaction markers or aborted messages. Never moves it
   * back, and ignores partitions the stream does not track.
   */
  moveForward(stream: string, partition: number, nextOffset: string): void {
    const progress = this.streams.get(stream);
    const current = progress?.partitions.get(String(partition));
    if (progress === undefined || current === undefined || BigInt(nextOffset) <= BigInt(current)) return;
    progress.partitions.set(String(partition), nextOffset);
    progress.dirty = true;
  }

  get recordsWritten(): number {
    return this.totalRecords;
  }

  /** True when N records or T milliseconds have passed since the last checkpoint, and something moved. */
  isDue(): boolean {
    if (this.recordsSinceCheckpoint >= this.everyRecords) return true;
    if (this.recordsSinceCheckpoint === 0 && !this.anyDirty()) return false;
    return this.clock.now() - this.lastCheckpointAt >= this.everyMs;
  }

  /** States of the streams that moved since the last checkpoint; resets the counters. */
  checkpoint(): StreamCheckpoint[] {
    return this.take(false);
  }

  /** States of every stream, moved or not: the end of a read. */
  finalCheckpoint(): StreamCheckpoint[] {
    return this.take(true);
  }

  /** The current state of one stream, without checkpointing. */
  stateOf(stream: string): TopicState | undefined {
    const progress = this.streams.get(stream);
    return progress === undefined ? undefined : toState(progress);
  }

  private anyDirty(): boolean {
    for (const progress of this.streams.values()) if (progress.dirty) return true;
    return false;
  }

  private take(all: boolean): StreamCheckpoint[] {
    const out: StreamCheckpoint[] = [];
    for (const [stream, progress] of this.streams) {
      if (!all && !progress.dirty) continue;
      out.push({
        stream,
        state: toState(progress),
        recordCount: progress.recordsSinceCheckpoint,
        rejectedCount: progress.rejectedSinceCheckpoint,
      });
      progress.recordsSinceCheckpoint = 0;
      progress.rejectedSinceCheckpoint = 0;
      progress.dirty = false;
    }
    this.recordsSinceCheckpoint = 0;
    this.lastCheckpointAt = this.clock.now();
    return out;
  }
}

function toState(progress: StreamProgress): TopicState {
  const partitions: Record<string, string> = {};
  const keys = [...progress.partitions.keys()].sort((a, b) => Number(a) - Number(b));
  for (const key of keys) partitions[key] = progress.partitions.get(key)!;
  return progress.topicId === undefined
    ? { version: STATE_VERSION, partitions }
    : { version: STATE_VERSION, partitions, topicId: progress.topicId };
}
