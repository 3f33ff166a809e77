// Where each partition of a bounded read stands: how far kafkajs has queued records for the caller, and how far
// the caller has received them. Pure bookkeeping, no client and no time: the read loop and the kafkajs side
// both move it, and the offsets a read resumes from come from here.
import type { PartitionRange } from './types.js';

export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read. */
  readonly offset: string;
}

export interface PartitionState {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  /** Exclusive end snapshotted when the read was opened. */
  readonly end: bigint;
  /** Next offset to queue for the caller (kafkajs side). */
  queued: bigint;
  /** Next offset after what the caller has received. */
  handed: bigint;
}

export const partitionKey = (topic: string, partition: number): string => `${partition}:${topic}`;

export class ReadProgress {
  private readonly states = new Map<string, PartitionState>();
  /** Partitions the caller has not received up to their end. */
  private readonly open = new Set<string>();

  constructor(ranges: readonly PartitionRange[]) {
    for (const range of ranges) {
      const key = partitionKey(range.topic, range.partition);
      const start = BigInt(range.start);
      const end = BigInt(range.end);
      this.states.set(key, {
        key,
        topic: range.topic,
        partition: range.partition,
        end,
        queued: start,
        handed: start,
      });
      if (start < end) this.open.add(key);
    }
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.states.get(partitionKey(topic, partition));
  }

  /** Every partition was handed out up to its end. */
  get done(): boolean {
    return this.open.size === 0;
  }

  /** The partitions still open, in the order they were given. */
  openPartitions(): PartitionState[] {
    return [...this.open].flatMap((key) => {
      const state = this.states.get(key);
      return state === undefined ? [] : [state];
    });
  }

  /** The open partitions by topic, as a consumer group assignment. */
  assignment(): Record<string, number[]> {
    const assignment: Record<string, number[]> = {};
    for (const state of this.openPartitions()) {
      const partitions = assignment[state.topic] ?? [];
      partitions.push(state.partition);
      assignment[state.topic] = partitions;
    }
    return assignment;
  }

  /**
   * The kafkajs side queued everything below `nextOffset` (capped at the end). Returns the new queued offset,
   * or undefined when it did not move.
   */
  queue(key: string, nextOffset: bigint): bigint | undefined {
    const state = this.states.get(key);
    if (state === undefined) return undefined;
    const capped = nextOffset > state.end ? state.end : nextOffset;
    if (capped <= state.queued) return undefined;
    state.queued = capped;
    return capped;
  }

  /** The caller received everything below `nextOffset`. */
  hand(key: string, nextOffset: bigint): void {
    const state = this.states.get(key);
    if (state === undefined) return;
    if (nextOffset > state.handed) state.handed = nextOffset;
    if (state.handed >= state.end) this.open.delete(key);
  }

  /** For every partition, the offset to resume from: exact at any stop. */
  nextOffsets(): PartitionOffset[] {
    return [...this.states.values()].map((s) => ({
      topic: s.topic,
      partition: s.partition,
      offset: s.handed.toString(),
    }));
  }

  /** `topic:partition at offset N (end M)` for each open partition, for messages. */
  describeOpen(): string[] {
    return this.openPartitions().map((s) => `${s.topic}:${s.partition} at offset ${s.handed} (end ${s.end})`);
  }
}
