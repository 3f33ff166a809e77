// Pure planning of where each partition's read starts and ends, from the snapshot and Airbyte state.
// Offsets are decimal strings (as in kafkajs); arithmetic goes through BigInt so no offset loses precision.
import type { StartPosition } from '@source-kafka/spec';
import { ConsumerError, consumerErrorCodes } from './errors.js';
import type { OffsetReport, PartitionRange } from './types.js';

export interface PartitionSnapshot {
  readonly topic: string;
  readonly partition: number;
  readonly logStart: string;
  /** Exclusive end of this read: the last stable offset under read_committed. */
  readonly end: string;
  /** Offset for a timestamp start position, when the config asks for one. */
  readonly timestampOffset?: string | undefined;
}

export interface PlanInput {
  readonly snapshot: PartitionSnapshot;
  readonly stateOffset?: string | undefined;
  readonly startPosition: StartPosition;
}

export interface PlannedPartition {
  readonly range: PartitionRange;
  readonly report?: OffsetReport | undefined;
}

function parseOffset(value: string, what: string): bigint {
  if (!/^-?\d+$/.test(value)) {
    throw new ConsumerError(consumerErrorCodes.invalidConfig, `${what} "${value}" is not an integer offset`);
  }
  return BigInt(value);
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}

function configuredStart(input: PlanInput, logStart: bigint, end: bigint): bigint {
  const { snapshot, startPosition } = input;
  switch (startPosition.type) {
    case 'earliest':
      return logStart;
    case 'latest':
      return end;
    case 'timestamp': {
      const found = snapshot.timestampOffset;
      return found === undefined ? end : clamp(parseOffset(found, 'timestamp offset'), logStart, end);
    }
    case 'none':
      throw new ConsumerError(
        consumerErrorCodes.noStartOffset,
        `Partition ${snapshot.topic}:${snapshot.partition} has no offset in the state and auto_offset_reset is "none": ` +
          'set auto_offset_reset to earliest or latest, or provide state for this partition',
      );
  }
}

export function planPartition(input: PlanInput): PlannedPartition {
  const { snapshot, stateOffset } = input;
  const where = `${snapshot.topic}:${snapshot.partition}`;
  const logStart = parseOffset(snapshot.logStart, `log start of ${where}`);
  const end = parseOffset(snapshot.end, `end offset of ${where}`);
  const range = (start: bigint): PartitionRange => ({
    topic: snapshot.topic,
    partition: snapshot.partition,
    logStart: logStart.toString(),
    end: end.toString(),
    start: start.toString(),
  });

  if (stateOffset === undefined) {
    return { range: range(configuredStart(input, logStart, end)) };
  }
  const requested = parseOffset(stateOffset, `state offset of ${where}`);
  if (requested < logStart) {
    const report: OffsetReport = {
      kind: 'retention_gap',
      topic: snapshot.topic,
      partition: snapshot.partition,
      requestedOffset: requested.toString(),
      logStart: logStart.toString(),
      lostOffsets: (logStart - requested).toString(),
    };
    // Whether a gap fails the read is the caller's policy: it gets the report and decides.
    return { range: range(logStart), report };
  }
  if (requested > end) {
    // Only a recreated topic (or a different cluster) puts a committed position past the end: the state does not
    // describe this log, so the configured start position applies again.
    const report: OffsetReport = {
      kind: 'offset_beyond_end',
      topic: snapshot.topic,
      partition: snapshot.partition,
      requestedOffset: requested.toString(),
      end: end.toString(),
    };
    return { range: range(configuredStart(input, logStart, end)), report };
  }
  return { range: range(requested) };
}

/** Compares decimal offsets without losing precision. */
export function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
