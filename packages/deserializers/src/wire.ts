// Confluent wire format: magic byte 0 and a 4-byte big-endian schema id, or magic byte 1 and a 16-byte schema
// GUID, then (Protobuf) message indexes, then the payload. The same prefix may instead travel in a record
// header, leaving the payload bare. Written by hand: it is a few bytes and a varint list, and no library
// exposes it apart from a whole client.

export const CONFLUENT_MAGIC_BYTE = 0;
export const CONFLUENT_HEADER_LENGTH = 5;
export const CONFLUENT_GUID_MAGIC_BYTE = 1;
export const CONFLUENT_GUID_HEADER_LENGTH = 17;
/** Record headers Confluent's serializers write the schema id or GUID to, instead of the payload prefix. */
export const KEY_SCHEMA_ID_HEADER = '__key_schema_id';
export const VALUE_SCHEMA_ID_HEADER = '__value_schema_id';

export interface ConfluentFrame {
  readonly schemaId: number;
  /** Offset of the first payload byte in the input. */
  readonly payloadOffset: number;
}

/** Thrown by the frame readers; the deserializer turns it into a DeserializationError with location. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
  readonly code = 'BAD_FRAME';
}

/** The id-only frame (magic byte 0). Kept for callers that know their producers write integer ids. */
export function readConfluentFrame(bytes: Uint8Array): ConfluentFrame {
  const frame = readSchemaIdFrame(bytes);
  if (frame.schemaId === undefined) {
    throw new WireFormatError(
      `expected magic byte 0 of the Confluent wire format, found 0x01 (a schema GUID; use readSchemaIdFrame)`,
    );
  }
  return { schemaId: frame.schemaId, payloadOffset: frame.next };
}

/** A schema named by id (magic byte 0) or by GUID (magic byte 1), and where the bytes after it start. */
export type SchemaIdFrame =
  | { readonly schemaId: number; readonly guid?: undefined; readonly next: number }
  | { readonly schemaId?: undefined; readonly guid: string; readonly next: number };

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** The 16 GUID bytes in the registry's text form: lowercase 8-4-4-4-12 hex, as Java's UUID prints it. */
export function guidText(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[bytes[offset + i]!];
  }
  return text;
}

/**
 * Reads the schema id or GUID that starts a payload, or a `__key_schema_id`/`__value_schema_id` header
 * (`where` names it in errors). Confluent writes both the same way: magic byte 0 and a 4-byte big-endian id,
 * or magic byte 1 and a 16-byte GUID.
 */
export function readSchemaIdFrame(bytes: Uint8Array, where = 'the payload'): SchemaIdFrame {
  if (bytes.length === 0) {
    throw new WireFormatError(
      `expected the Confluent wire format in ${where} (magic byte 0 and a 4-byte schema id, or magic byte 1 and a 16-byte schema GUID), found 0 bytes`,
    );
  }
  const magic = bytes[0]!;
  if (magic === CONFLUENT_MAGIC_BYTE) {
    if (bytes.length < CONFLUENT_HEADER_LENGTH) {
      throw new WireFormatError(
        `expected at least 5 bytes in ${where} (magic byte and 4-byte schema id), found ${bytes.length}`,
      );
    }
    const schemaId = ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
    return { schemaId, next: CONFLUENT_HEADER_LENGTH };
  }
  if (magic === CONFLUENT_GUID_MAGIC_BYTE) {
    if (bytes.length < CONFLUENT_GUID_HEADER_LENGTH) {
      throw new WireFormatError(
        `expected at least 17 bytes in ${where} (magic byte 1 and a 16-byte schema GUID), found ${bytes.length}`,
      );
    }
    return { guid: guidText(bytes, 1), next: CONFLUENT_GUID_HEADER_LENGTH };
  }
  const hint =
    where !== 'the payload'
      ? ''
      : magic === 0x7b || magic === 0x5b
        ? ' (the payload looks like plain JSON: was it produced without a schema registry serializer?)'
        : ' (was it produced without a schema registry serializer?)';
  throw new WireFormatError(
    `expected magic byte 0 or 1 of the Confluent wire format in ${where}, found 0x${magic.toString(16).padStart(2, '0')}${hint}`,
  );
}

const MAX_MESSAGE_INDEXES = 64;

/** Reads one zigzag varint (32-bit range) at `offset`. */
function readZigZagVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    if (position >= bytes.length) {
      throw new WireFormatError(`protobuf message indexes end early at byte ${position} of ${bytes.length}`);
    }
    const byte = bytes[position++]!;
    if (shift >= 35)
      throw new WireFormatError(`protobuf message index varint at byte ${offset} is longer than 5 bytes`);
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) break;
  }
  if (result > 0xffffffff)
    throw new WireFormatError(`protobuf message index at byte ${offset} exceeds 32 bits`);
  const value = result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  return { value, next: position };
}

/**
 * Protobuf message indexes after the schema id: a zigzag varint count, then that many zigzag varint indexes.
 * A single 0 byte is the shorthand for [0], the first message of the file.
 */
export function readMessageIndexes(bytes: Uint8Array, offset: number): { indexes: number[]; next: number } {
  const count = readZigZagVarint(bytes, offset);
  if (count.value === 0) return { indexes: [0], next: count.next };
  if (count.value < 0 || count.value > MAX_MESSAGE_INDEXES) {
    throw new WireFormatError(
      `protobuf message index count ${count.value} is out of range 0..${MAX_MESSAGE_INDEXES}`,
    );
  }
  const indexes: number[] = [];
  let next = count.next;
  for (let i = 0; i < count.value; i++) {
    const index = readZigZagVarint(bytes, next);
    if (index.value < 0) throw new WireFormatError(`protobuf message index ${index.value} is negative`);
    indexes.push(index.value);
    next = index.next;
  }
  return { indexes, next };
}
