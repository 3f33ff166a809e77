import { stringifyJson } from '@source-kafka/airbyte-protocol';
import type { KafkaHeader, KafkaRecord } from '@source-kafka/consumer';
import { JsonObjectMembers, type JsonTextPart, type JsonValue } from '@source-kafka/deserializers';
import type { RecordLayoutConfig } from '@source-kafka/spec';
import { fieldNames } from './fields.js';

export interface HeaderField {
  readonly key: string;
  readonly value: string | null;
  /** How `value` is written: UTF-8 text when the bytes are valid UTF-8, base64 otherwise. */
  readonly encoding: 'utf8' | 'base64';
}

// fatal: true makes invalid UTF-8 throw instead of being silently replaced with U+FFFD.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function headerToField(header: KafkaHeader): HeaderField {
  if (header.value === null) return { key: header.key, value: null, encoding: 'utf8' };
  try {
    return { key: header.key, value: strictUtf8.decode(header.value), encoding: 'utf8' };
  } catch {
    return { key: header.key, value: header.value.toString('base64'), encoding: 'base64' };
  }
}

// Messages of one producer batch share a timestamp, so remembering the last one skips most Date work.
let lastTimestamp = '';
let lastRfc3339: string | null = null;

/** Kafka timestamps are milliseconds since the epoch; -1 means the producer set none. */
export function kafkaTimestampToRfc3339(timestamp: string): string | null {
  if (timestamp === lastTimestamp) return lastRfc3339;
  const ms = Number(timestamp);
  const date = new Date(ms);
  const text = !Number.isFinite(ms) || ms < 0 || Number.isNaN(date.getTime()) ? null : date.toISOString();
  lastTimestamp = timestamp;
  lastRfc3339 = text;
  return text;
}

/**
 * Offsets are int64 decimal strings. They are emitted as JSON integers so destinations sort and key on
 * them naturally; every real offset is far below 2^53, and a larger one stays exact as a bigint, which the
 * writer emits as a JSON number with every digit.
 */
export function offsetToJson(offset: string): number | bigint {
  const n = Number(offset);
  return Number.isSafeInteger(n) ? n : BigInt(offset);
}

export interface DecodedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly record: KafkaRecord;
  /** The decoded key, or null when the message has none or keys are not included. */
  readonly key: JsonValue;
  /** The decoded value (the row, under an envelope); null for a tombstone. */
  readonly value: JsonValue;
  /**
   * A Debezium change: `_ab_cdc_updated_at` is its source time (else the message timestamp) and
   * `_ab_cdc_deleted_at` is set for a delete, whatever the primary key.
   */
  readonly change?: { readonly timeMs: number | undefined; readonly deleted: boolean } | undefined;
}

/** Builds the `data` of one Airbyte RECORD in the documented layout. */
export function buildRecordData(
  decoded: DecodedRecord,
  layout: RecordLayoutConfig,
  /** The time of a message without a timestamp, for `_ab_cdc_*` (message_key primary key only). */
  fallbackTimeMs = 0,
): Record<string, JsonValue | HeaderField[]> {
  const { record } = decoded;
  const data: Record<string, JsonValue | HeaderField[]> = {};
  const value = decoded.value;
  if (layout.value === 'flatten' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const name in value) {
      // JSON.parse makes "__proto__" an own field; a plain assignment would set the prototype and drop it.
      if (name === '__proto__') {
        Object.defineProperty(data, name, {
          value: value[name],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        data[name] = value[name] as JsonValue;
      }
    }
  } else {
    data[fieldNames.value] = value;
  }
  // Metadata is written after the value's fields so that, in the flattened layout, a value field with a
  // reserved name cannot hide the primary key.
  const change = decoded.change;
  // Formatted once: the metadata column and both CDC column sets may all need it.
  const messageTime =
    layout.includeMetadata || layout.primaryKey === 'message_key' || change !== undefined
      ? kafkaTimestampToRfc3339(record.timestamp)
      : null;
  if (layout.includeKey) data[fieldNames.key] = decoded.key;
  if (layout.includeHeaders) data[fieldNames.headers] = record.headers.map(headerToField);
  if (layout.includeMetadata) {
    data[fieldNames.topic] = decoded.topic;
    data[fieldNames.partition] = decoded.partition;
    data[fieldNames.offset] = offsetToJson(record.offset);
    data[fieldNames.timestamp] = messageTime;
    data[fieldNames.timestampType] = record.timestampType;
  }
  data[fieldNames.isTombstone] = record.value === null;
  if (layout.primaryKey === 'message_key') addMessageKeyColumns(data, decoded, messageTime, fallbackTimeMs);
  if (change !== undefined) {
    const sourceTime = change.timeMs === undefined ? null : new Date(change.timeMs);
    const time =
      sourceTime !== null && !Number.isNaN(sourceTime.getTime())
        ? sourceTime.toISOString()
        : (messageTime ?? new Date(fallbackTimeMs).toISOString());
    data[fieldNames.updatedAt] = time;
    data[fieldNames.deletedAt] = change.deleted ? time : null;
  }
  return data;
}

/**
 * The key's fields as `_kafka_key_<field>` (an object key), and the CDC columns that make a deduplicating
 * destination keep the latest version of each key and delete tombstoned keys. A message without a timestamp
 * (-1) takes the sync's time, since a tombstone without `_ab_cdc_deleted_at` would not delete anything.
 */
function addMessageKeyColumns(
  data: Record<string, JsonValue | HeaderField[]>,
  decoded: DecodedRecord,
  messageTime: string | null,
  fallbackTimeMs: number,
): void {
  const key = decoded.key;
  if (key !== null && typeof key === 'object' && !Array.isArray(key)) {
    for (const name of Object.keys(key)) {
      data[`${fieldNames.keyFieldPrefix}${name}`] = key[name] as JsonValue;
    }
  }
  const time = messageTime ?? new Date(fallbackTimeMs).toISOString();
  data[fieldNames.updatedAt] = time;
  data[fieldNames.deletedAt] = decoded.record.value === null ? time : null;
}

/**
 * A decoded key or value: its JSON text as UTF-8 bytes (written as is), the members of an object's text (a
 * flattened value), or a value to serialize.
 */
export type DecodedPart = JsonTextPart;

/**
 * What the byte path takes: no envelope, so there is no change time; an object value to flatten comes as
 * JsonObjectMembers (a decoded object is flattened by buildRecordData).
 */
export interface TextRecord {
  readonly topic: string;
  readonly partition: number;
  readonly record: KafkaRecord;
  readonly key: DecodedPart;
  readonly value: DecodedPart;
}

/**
 * The record's `data` as JSON text in UTF-8, built straight into bytes: the same fields, order and values as
 * `stringifyJson(buildRecordData(...))` without an envelope, but a key or value given as JSON text (or an
 * object's members, flattened) is copied in as it is, and nothing else is built as an object. The bytes are
 * valid until the next call.
 */
export function recordDataBytes(
  input: TextRecord,
  layout: RecordLayoutConfig,
  fallbackTimeMs = 0,
): Uint8Array {
  const { record } = input;
  at = 0;
  const value = input.value;
  /** Flattening `{}`: the first added field's comma becomes the opening brace. */
  let noMembers = false;
  if (value instanceof JsonObjectMembers) {
    putAscii('{');
    putBytes(value.bytes);
    noMembers = value.bytes.length === 0;
  } else {
    putBytes(names.value);
    putPart(value);
  }
  const messageTime =
    layout.includeMetadata || layout.primaryKey === 'message_key'
      ? kafkaTimestampToRfc3339(record.timestamp)
      : null;
  if (layout.includeKey) {
    putBytes(names.key);
    putPart(input.key);
  }
  if (layout.includeHeaders) {
    putBytes(names.headers);
    putText(JSON.stringify(record.headers.map(headerToField)));
  }
  if (layout.includeMetadata) {
    putBytes(topicText(input.topic));
    putBytes(names.partition);
    putAscii(String(input.partition));
    putBytes(names.offset);
    // Offsets come as canonical int64 decimal text: written as a JSON number with every digit.
    putAscii(record.offset);
    putBytes(names.timestamp);
    putAscii(messageTime === null ? 'null' : `"${messageTime}"`);
    putBytes(names.timestampType);
    putAscii(JSON.stringify(record.timestampType));
  }
  putBytes(names.isTombstone);
  putAscii(record.value === null ? 'true' : 'false');
  if (layout.primaryKey === 'message_key') {
    const key = input.key;
    if (isJsonObject(key)) {
      for (const name of Object.keys(key)) {
        putText(`,${JSON.stringify(`${fieldNames.keyFieldPrefix}${name}`)}:`);
        putText(stringifyJson(key[name] as JsonValue));
      }
    }
    const time = `"${messageTime ?? new Date(fallbackTimeMs).toISOString()}"`;
    putBytes(names.updatedAt);
    putAscii(time);
    putBytes(names.deletedAt);
    putAscii(record.value === null ? time : 'null');
  }
  putAscii('}');
  if (!noMembers) return scratch.subarray(0, at);
  scratch[1] = 0x7b;
  return scratch.subarray(1, at);
}

const fieldPrefix = (name: string, first = false): Buffer =>
  Buffer.from(`${first ? '{' : ','}${JSON.stringify(name)}:`);

const names = {
  value: fieldPrefix(fieldNames.value, true),
  key: fieldPrefix(fieldNames.key),
  headers: fieldPrefix(fieldNames.headers),
  partition: fieldPrefix(fieldNames.partition),
  offset: fieldPrefix(fieldNames.offset),
  timestamp: fieldPrefix(fieldNames.timestamp),
  timestampType: fieldPrefix(fieldNames.timestampType),
  isTombstone: fieldPrefix(fieldNames.isTombstone),
  updatedAt: fieldPrefix(fieldNames.updatedAt),
  deletedAt: fieldPrefix(fieldNames.deletedAt),
};

/** `,"_kafka_topic":"<topic>"` per topic: a sync reads a handful of topics, each many times. */
const topicTexts = new Map<string, Buffer>();
function topicText(topic: string): Buffer {
  let text = topicTexts.get(topic);
  if (text === undefined) {
    text = Buffer.from(`,${JSON.stringify(fieldNames.topic)}:${JSON.stringify(topic)}`);
    topicTexts.set(topic, text);
  }
  return text;
}

// One scratch buffer for every record: the writer copies the bytes out before the next record is built.
let scratch = Buffer.allocUnsafe(16 * 1024);
let at = 0;

function reserve(bytes: number): void {
  if (at + bytes <= scratch.length) return;
  const grown = Buffer.allocUnsafe(Math.max(at + bytes, scratch.length * 2));
  scratch.copy(grown, 0, 0, at);
  scratch = grown;
}

function putBytes(bytes: Uint8Array): void {
  reserve(bytes.length);
  scratch.set(bytes, at);
  at += bytes.length;
}

/** Text known to be ASCII (digits, timestamps, literals); short, so a loop beats Buffer#write's native call. */
function putAscii(text: string): void {
  const n = text.length;
  reserve(n);
  for (let k = 0; k < n; k++) scratch[at++] = text.charCodeAt(k);
}

function putText(text: string): void {
  // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
  reserve(text.length * 3);
  at += scratch.write(text, at, 'utf8');
}

function putPart(part: DecodedPart): void {
  if (part instanceof Uint8Array) putBytes(part);
  else if (part instanceof JsonObjectMembers) throw new TypeError('object members outside a flattened value');
  else putText(stringifyJson(part));
}

/** A decoded object (not JSON text). */
export function isJsonObject(value: DecodedPart): value is { readonly [name: string]: JsonValue } {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof JsonObjectMembers)
  );
}
