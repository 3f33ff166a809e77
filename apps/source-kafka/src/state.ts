import type { PartitionStart } from '@source-kafka/consumer';
import { InvalidStateError } from './errors.js';

export const STATE_VERSION = 1;

/** The `stream_state` of one stream (one topic): the next offset to read in each partition. */
export interface TopicState {
  readonly version: typeof STATE_VERSION;
  /** Partition number (as a string key) -> next offset to read, a decimal string. */
  readonly partitions: Readonly<Record<string, string>>;
  /**
   * The Kafka topic ID these offsets belong to (`topic_id` in the stream_state). A recreated topic gets a new
   * one, so a mismatch means the offsets describe a log that no longer exists. Absent in states written before
   * it was recorded, and on clusters that have no topic IDs (Kafka < 2.8).
   */
  readonly topicId?: string | undefined;
}

const offsetPattern = /^(0|[1-9][0-9]*)$/;
const partitionPattern = /^(0|[1-9][0-9]*)$/;
/** Kafka's Uuid.toString(): 16 bytes in URL-safe base64 without padding. */
const topicIdPattern = /^[A-Za-z0-9_-]{22}$/;

/**
 * Validates a stream_state from the incoming state. Anything malformed is an error naming the stream and
 * the field, rather than a silent restart from the start position.
 */
export function parseTopicState(stream: string, raw: unknown): TopicState {
  const where = `state of stream "${stream}"`;
  const invalid = (message: string) => new InvalidStateError(message, undefined, stream);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(`The ${where} must be an object with "version" and "partitions".`);
  }
  const record = raw as Record<string, unknown>;
  if (record.version !== STATE_VERSION) {
    throw invalid(
      `The ${where} has version ${JSON.stringify(record.version)}; this connector reads version ${STATE_VERSION}. ` +
        'Reset the stream to start over.',
    );
  }
  const partitions = record.partitions;
  if (partitions === null || typeof partitions !== 'object' || Array.isArray(partitions)) {
    throw invalid(`The ${where}: "partitions" must be an object of partition -> next offset.`);
  }
  const out: Record<string, string> = {};
  for (const [partition, offset] of Object.entries(partitions as Record<string, unknown>)) {
    if (!partitionPattern.test(partition)) {
      throw invalid(`The ${where}: partitions."${partition}" is not a partition number.`);
    }
    const text = typeof offset === 'number' && Number.isSafeInteger(offset) ? String(offset) : offset;
    if (typeof text !== 'string' || !offsetPattern.test(text)) {
      throw invalid(
        `The ${where}: partitions."${partition}" must be a non-negative offset, got ${JSON.stringify(offset)}.`,
      );
    }
    out[partition] = text;
  }
  const topicId = record.topic_id;
  if (topicId === undefined || topicId === null) return { version: STATE_VERSION, partitions: out };
  if (typeof topicId !== 'string' || !topicIdPattern.test(topicId)) {
    throw invalid(
      `The ${where}: "topic_id" must be a Kafka topic ID (22 characters), got ${JSON.stringify(topicId)}.`,
    );
  }
  return { version: STATE_VERSION, partitions: out, topicId };
}

export function emptyTopicState(): TopicState {
  return { version: STATE_VERSION, partitions: {} };
}

export interface PartitionStartPlan {
  readonly starts: PartitionStart[];
  /** Partitions in the state that the topic no longer has (it was recreated with fewer partitions). */
  readonly vanished: number[];
}

/**
 * Where each partition of a topic starts: the state offset when the state has one, otherwise the configured
 * start position (a partition added since the last sync, or a first sync).
 */
export function planPartitionStarts(
  topic: string,
  partitions: readonly number[],
  state: TopicState | undefined,
): PartitionStartPlan {
  const known = state?.partitions ?? {};
  const starts = partitions.map((partition): PartitionStart => {
    const offset = known[String(partition)];
    return offset === undefined ? { topic, partition } : { topic, partition, offset };
  });
  const present = new Set(partitions.map(String));
  const vanished = Object.keys(known)
    .filter((p) => !present.has(p))
    .map(Number)
    .sort((a, b) => a - b);
  return { starts, vanished };
}
