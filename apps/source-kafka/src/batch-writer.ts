// The per-record rules of a read: decode a batch's messages, unwrap their envelope, and write each as a RECORD
// or pass it over (a poison message under the bad-message policy, a message without a key under the message-key
// primary key, Debezium truncates and the tombstones after deletes). The loop in read.ts owns the batches, the
// caps and the checkpoints; this owns what happens to one message.
import { stringifyJson } from '@source-kafka/airbyte-protocol';
import type { KafkaRecord, RecordBatch } from '@source-kafka/consumer';
import {
  type Deserializer,
  JsonObjectMembers,
  type JsonTextDeserializer,
  type JsonValue,
} from '@source-kafka/deserializers';
import type { KafkaSourceConfig } from '@source-kafka/spec';
import type { Checkpointer } from './checkpointer.js';
import { EnvelopeError, type EnvelopeResult, unwrapConnectKey, unwrapValue } from './envelope.js';
import { PoisonMessageError } from './errors.js';
import { fieldNames } from './fields.js';
import type { Decoders } from './ports.js';
import type { AirbyteMessageSink, AirbyteRecordMessageMeta, ConnectorLogger } from './protocol.js';
import type { SkippedMessages } from './read-rules.js';
import { buildRecordData, type DecodedPart, isJsonObject, recordDataBytes } from './record.js';

export interface BatchWriterOptions {
  readonly config: Pick<KafkaSourceConfig, 'layout' | 'badMessagePolicy'>;
  readonly decoders: Decoders;
  readonly sink: Pick<AirbyteMessageSink, 'writeRecordData'>;
  /** Counts the messages passed over per stream, for the next STATE's rejected count. */
  readonly checkpointer: Pick<Checkpointer, 'reject'>;
  readonly skippedMessages: SkippedMessages;
  readonly logger: ConnectorLogger;
  /** The reason when `error` is about the message bytes (a poison message), undefined for anything else. */
  readonly isPoison?: ((error: unknown) => string | undefined) | undefined;
}

/** What writing one batch came to. */
export interface BatchOutcome {
  /** RECORD messages written. */
  readonly written: number;
  /** False when the sink asked the writer to wait before writing more. */
  readonly paced: boolean;
  /** The offset the stream's state may move to: past the batch, or the first record not written. */
  readonly nextOffset: string;
  /** The allowance ended the batch before its last record. */
  readonly cut: boolean;
  /** A message that cannot be decoded under the `fail` policy: the batch ended before it. */
  readonly poison: PoisonMessageError | undefined;
}

export class BatchWriter {
  private readonly layout: KafkaSourceConfig['layout'];
  private readonly envelope: NonNullable<KafkaSourceConfig['layout']['envelope']>;
  private readonly keyIsPrimaryKey: boolean;
  private readonly asText: boolean;
  private readonly flatten: boolean;
  private readonly decodeKey: Deserializer | JsonTextDeserializer | undefined;
  private readonly decodeValue: Deserializer | JsonTextDeserializer;
  private readonly poisonReason: (error: unknown) => string | undefined;
  /**
   * The key of the Debezium delete just read, per topic partition: the tombstone Debezium writes right after
   * it only serves compaction, so it is consumed. A tombstone without its delete (compaction removed that, or
   * an earlier sync read it) still deletes the key under the message-key primary key.
   */
  private readonly deletedKeys = new Map<string, Buffer | null>();
  /** Paths the deserializers wrote as null (NaN, infinite floats), per message; reused to spare garbage. */
  private readonly nulledKey: string[] = [];
  private readonly nulledValue: string[] = [];
  private nullKeyCount = 0;
  private truncateCount = 0;

  constructor(private readonly options: BatchWriterOptions) {
    const { layout } = options.config;
    const { decoders } = options;
    this.layout = layout;
    this.keyIsPrimaryKey = layout.primaryKey === 'message_key';
    this.envelope = layout.envelope ?? 'none';
    // Without an envelope, a key or value is written as its own JSON text where the format allows (a
    // flattened object as its members' text); envelopes and the message-key columns need decoded values.
    this.asText = this.envelope === 'none';
    this.flatten = layout.value === 'flatten';
    this.decodeKey = !layout.includeKey
      ? undefined
      : this.asText && !this.flatten && !this.keyIsPrimaryKey
        ? (decoders.keyText ?? decoders.key)
        : decoders.key;
    this.decodeValue = !this.asText
      ? decoders.value
      : this.flatten
        ? (decoders.valueMembers ?? decoders.value)
        : (decoders.valueText ?? decoders.value);
    this.poisonReason = options.isPoison ?? defaultPoisonReason;
  }

  /** Messages without a key, skipped because the message key is the primary key. */
  get nullKeys(): number {
    return this.nullKeyCount;
  }

  /** Debezium truncate events: a destination has no way to apply them, so they are passed over and counted. */
  get truncates(): number {
    return this.truncateCount;
  }

  /** Writes the records of `batch`, at most `allowed` of them, each stamped `emittedAt`. */
  async write(batch: RecordBatch, allowed: number, emittedAt: number): Promise<BatchOutcome> {
    const { sink, checkpointer, skippedMessages, logger } = this.options;
    const { badMessagePolicy } = this.options.config;
    const {
      layout,
      envelope,
      keyIsPrimaryKey,
      asText,
      flatten,
      decodeKey,
      decodeValue,
      nulledKey,
      nulledValue,
    } = this;
    const stream = batch.topic;
    const partitionKey = `${stream}\u0000${batch.partition}`;
    let written = 0;
    let paced = true;
    let nextOffset = batch.nextOffset;
    let cut = false;
    let poison: PoisonMessageError | undefined;
    for (let i = 0; i < batch.records.length; i++) {
      const record = batch.records[i]!;
      if (written >= allowed) {
        nextOffset = record.offset;
        cut = true;
        break;
      }
      let key: DecodedPart = null;
      let value: DecodedPart = null;
      let unwrapped: EnvelopeResult | undefined;
      nulledKey.length = 0;
      nulledValue.length = 0;
      try {
        if (decodeKey !== undefined && record.key !== null) {
          const k = decodeKey(record.key, context(batch, record, 'key', nulledKey));
          key = k instanceof Promise ? await k : k;
        }
        if (record.value !== null) {
          const v = decodeValue(record.value, context(batch, record, 'value', nulledValue));
          value = v instanceof Promise ? await v : v;
        }
        if (envelope !== 'none') {
          if (key !== null) key = unwrapConnectKey(decodedValue(key));
          if (record.value !== null) unwrapped = unwrapValue(envelope, decodedValue(value));
        }
      } catch (error) {
        const reason = error instanceof EnvelopeError ? error.message : this.poisonReason(error);
        if (reason === undefined) throw error;
        if (badMessagePolicy === 'skip') {
          checkpointer.reject(stream);
          skippedMessages.skip(
            `topic "${batch.topic}", partition ${batch.partition}, offset ${record.offset}`,
            reason,
          );
          continue;
        }
        // Everything before the poison message is written and checkpointed, so a rerun fails right here.
        poison = new PoisonMessageError(batch.topic, batch.partition, record.offset, reason, error);
        nextOffset = record.offset;
        break;
      }
      let change: { readonly timeMs: number | undefined; readonly deleted: boolean } | undefined;
      if (envelope === 'debezium') {
        const deleted = this.deletedKeys.get(partitionKey);
        this.deletedKeys.delete(partitionKey);
        if (unwrapped?.kind === 'truncate') {
          this.truncateCount++;
          continue;
        }
        if (unwrapped === undefined) {
          const followsItsDelete = deleted !== undefined && sameKey(deleted, record.key);
          if (followsItsDelete || !keyIsPrimaryKey) continue;
        } else {
          change = unwrapped.change;
          if (change?.deleted === true) this.deletedKeys.set(partitionKey, record.key);
          if (nulledValue.length > 0) rowPaths(nulledValue, change?.deleted === true ? 'before' : 'after');
        }
      }
      if (keyIsPrimaryKey && key === null) {
        // Such a message has no identity to deduplicate on (a compacted topic cannot even hold one).
        this.nullKeyCount++;
        checkpointer.reject(stream);
        if (this.nullKeyCount === 1) {
          logger.warn(
            `Skipped the message at topic "${batch.topic}", partition ${batch.partition}, offset ${record.offset}: it has no key, and the message key is the primary key (record_layout.primary_key). Messages without a key are skipped and counted.`,
          );
        }
        continue;
      }
      if (unwrapped?.kind === 'row') value = unwrapped.row;
      // A decoded object to flatten goes through buildRecordData, where its names meet the added ones.
      const data =
        asText && !(flatten && isJsonObject(value))
          ? recordDataBytes(
              { topic: stream, partition: batch.partition, record, key, value },
              layout,
              emittedAt,
            )
          : stringifyJson(
              buildRecordData(
                {
                  topic: stream,
                  partition: batch.partition,
                  record,
                  key: decodedValue(key),
                  value: decodedValue(value),
                  change,
                },
                layout,
                emittedAt,
              ),
            );
      const meta =
        nulledKey.length + nulledValue.length === 0
          ? undefined
          : nulledMeta(nulledKey, nulledValue, layout.value === 'flatten' && isJsonObject(value));
      paced = sink.writeRecordData(stream, data, emittedAt, undefined, meta) && paced;
      written++;
    }
    return { written, paced, nextOffset, cut, poison };
  }
}

function context(batch: RecordBatch, record: KafkaRecord, part: 'key' | 'value', nulledFields: string[]) {
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: record.offset,
    part,
    headers: record.headers,
    nulledFields,
  };
}

/** Where decoded values are needed the decoders give them, never JSON text. */
function decodedValue(part: DecodedPart): JsonValue {
  if (part instanceof Uint8Array || part instanceof JsonObjectMembers) {
    throw new TypeError('JSON text where a decoded value was expected');
  }
  return part;
}

/**
 * Protocol 0.18's record meta for values the deserializers wrote as null (JSON has no NaN or Infinity), each
 * named by its path in the record's data: under `_kafka_key`, under `value`, or at the top level when an
 * object value is flattened.
 */
function nulledMeta(
  nulledKey: readonly string[],
  nulledValue: readonly string[],
  valueFlattened: boolean,
): AirbyteRecordMessageMeta {
  const under = (root: string, path: string) => (path === '' ? root : `${root}.${path}`);
  const fields = [
    ...nulledKey.map((path) => under(fieldNames.key, path)),
    ...nulledValue.map((path) => (valueFlattened ? path : under(fieldNames.value, path))),
  ];
  return {
    changes: fields.map((field) => ({
      field,
      change: 'NULLED' as const,
      reason: 'SOURCE_SERIALIZATION_ERROR' as const,
    })),
  };
}

function sameKey(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/**
 * A Debezium record holds only the row (`after`, or `before` for a delete): the paths nulled inside it lose
 * that prefix, and the ones elsewhere in the envelope (`source`) are not in the record.
 */
function rowPaths(paths: string[], side: 'after' | 'before'): void {
  const kept = paths.flatMap((path) =>
    path === side ? [''] : path.startsWith(`${side}.`) ? [path.slice(side.length + 1)] : [],
  );
  paths.length = 0;
  paths.push(...kept);
}

/** Deserializers throw DeserializationError for bad bytes; anything else (registry down) is not poison. */

function defaultPoisonReason(error: unknown): string | undefined {
  return error instanceof Error && error.name === 'DeserializationError' ? error.message : undefined;
}
