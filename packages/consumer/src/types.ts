// Contract of the consumer package: raw bytes plus metadata out, no decoding.
// Offsets are decimal strings, as in kafkajs, so no offset ever loses precision.
import type { SecurityConfig } from '@source-kafka/spec';

/**
 * How to reach and authenticate to the cluster: all a client needs before it asks anything. The spec's
 * normalized config has these fields, so it can be passed as it is.
 */
export interface KafkaConnection {
  /** `host:port`, IPv6 hosts in brackets. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly security: SecurityConfig;
  /** Per request; connect, join and close deadlines are derived from it. */
  readonly requestTimeoutMs: number;
  /** First retry backoff; it doubles on each retry. */
  readonly retryBackoffMs: number;
}

export interface KafkaHeader {
  readonly key: string;
  /** null when the header has no value. */
  readonly value: Buffer | null;
}

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface KafkaRecord {
  readonly offset: string;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
  readonly timestampType: TimestampType;
  readonly key: Buffer | null;
  /** null is a tombstone. */
  readonly value: Buffer | null;
  /** In wire order, duplicates kept. */
  readonly headers: readonly KafkaHeader[];
}

export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly KafkaRecord[];
  /** The offset to resume from once every record of this batch is safely written. */
  readonly nextOffset: string;
}

export interface TopicInfo {
  readonly name: string;
  readonly partitions: number;
}

export interface PartitionStart {
  readonly topic: string;
  readonly partition: number;
  /** From Airbyte state. Undefined: use the configured start position. */
  readonly offset?: string | undefined;
}

/** Offsets snapshotted at the start of a read: the read ends at `end` (exclusive). */
export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly logStart: string;
  /** High watermark, or the last stable offset under read_committed. */
  readonly end: string;
  /** Where the read actually starts, after state, start position and gap handling. */
  readonly start: string;
}

export type OffsetReport =
  | {
      readonly kind: 'retention_gap';
      readonly topic: string;
      readonly partition: number;
      readonly requestedOffset: string;
      readonly logStart: string;
      /** logStart - requestedOffset. */
      readonly lostOffsets: string;
    }
  | {
      readonly kind: 'offset_beyond_end';
      readonly topic: string;
      readonly partition: number;
      readonly requestedOffset: string;
      readonly end: string;
    };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Clock {
  now(): number;
}

/** Schedules the waits of this package, so a test can run them on fake time. */
export interface Timers {
  /** Calls `fn` once after `ms`; the returned function cancels it. Never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
}
