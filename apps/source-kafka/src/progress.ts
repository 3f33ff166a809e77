import type { Clock, PartitionRange } from '@source-kafka/consumer';

/** Offsets left to read in one partition range, given where the read now stands. */
export function remainingOffsets(end: string, position: string): bigint {
  const left = BigInt(end) - BigInt(position);
  return left > 0n ? left : 0n;
}

export interface StreamEstimate {
  readonly stream: string;
  /** Offsets between start and end: an upper bound, as compaction, transactions and gaps take some. */
  readonly rowEstimate: number;
}

/** Row estimate per stream from the snapshotted ranges. */
export function estimateRows(ranges: readonly PartitionRange[]): StreamEstimate[] {
  const byTopic = new Map<string, bigint>();
  for (const range of ranges) {
    byTopic.set(range.topic, (byTopic.get(range.topic) ?? 0n) + remainingOffsets(range.end, range.start));
  }
  return [...byTopic].map(([stream, rows]) => ({ stream, rowEstimate: Number(rows) }));
}

export interface ProgressSnapshot {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly remainingLag: bigint;
}

/**
 * Tracks read progress and says, about every `intervalMs`, a line worth logging.
 * The read loop calls `observe` once per batch, so the check costs one clock read per batch.
 */
export class ProgressTracker {
  private readonly positions = new Map<string, { position: bigint; end: bigint }>();
  private readonly startedAt: number;
  private lastReportAt: number;
  private lastReportRecords = 0;
  private records = 0;
  /** Partitions whose position has not reached their end yet. */
  private open = 0;

  constructor(
    ranges: readonly PartitionRange[],
    private readonly clock: Clock,
    private readonly intervalMs = 10_000,
  ) {
    for (const range of ranges) {
      const entry = { position: BigInt(range.start), end: BigInt(range.end) };
      this.positions.set(`${range.topic}\u0000${range.partition}`, entry);
      if (entry.position < entry.end) this.open++;
    }
    this.startedAt = clock.now();
    this.lastReportAt = this.startedAt;
  }

  observe(topic: string, partition: number, nextOffset: string, recordCount: number): void {
    this.records += recordCount;
    const entry = this.positions.get(`${topic}\u0000${partition}`);
    if (entry === undefined) return;
    const wasOpen = entry.position < entry.end;
    entry.position = BigInt(nextOffset);
    if (wasOpen && entry.position >= entry.end) this.open--;
  }

  /** Every partition has reached the end snapshotted at the start. */
  isDone(): boolean {
    return this.open === 0;
  }

  remainingLag(): bigint {
    let lag = 0n;
    for (const { position, end } of this.positions.values()) if (end > position) lag += end - position;
    return lag;
  }

  /** A progress line when the interval has passed since the last one, otherwise undefined. */
  poll(): string | undefined {
    const now = this.clock.now();
    if (now - this.lastReportAt < this.intervalMs) return undefined;
    const rate = ((this.records - this.lastReportRecords) * 1000) / Math.max(1, now - this.lastReportAt);
    this.lastReportAt = now;
    this.lastReportRecords = this.records;
    return formatProgress({
      records: this.records,
      recordsPerSecond: rate,
      remainingLag: this.remainingLag(),
    });
  }

  summary(): ProgressSnapshot {
    const elapsed = Math.max(1, this.clock.now() - this.startedAt);
    return {
      records: this.records,
      recordsPerSecond: (this.records * 1000) / elapsed,
      remainingLag: this.remainingLag(),
    };
  }
}

export function formatProgress(snapshot: ProgressSnapshot): string {
  return (
    `Read ${snapshot.records} records (${Math.round(snapshot.recordsPerSecond)} records/s); ` +
    `${snapshot.remainingLag} offsets left to the end snapshotted at start.`
  );
}
