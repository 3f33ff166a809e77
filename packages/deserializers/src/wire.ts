// Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the payload.
// Written by hand: it is five bytes and a varint list, and no library exposes it apart from a client.

export const CONFLUENT_MAGIC_BYTE = 0;
export const CONFLUENT_HEADER_LENGTH = 5;

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

export function readConfluentFrame(bytes: Uint8Array): ConfluentFrame {
  if (bytes.length === 0) {
    throw new WireFormatError(
      'expected the Confluent wire format (magic byte 0 and a 4-byte schema id), found 0 bytes',
    );
  }
  const magic = bytes[0]!;
  if (magic !== CONFLUENT_MAGIC_BYTE) {
    const hint =
      magic === 1
        ? ' (magic byte 1 is the GUID-based format with a 16-byte schema GUID, which is not supported; configure the producer to write integer schema ids)'
        : magic === 0x7b || magic === 0x5b
          ? ' (the payload looks like plain JSON: was it produced without a schema registry serializer? schema ids carried in headers are not supported)'
          : ' (was it produced without a schema registry serializer? schema ids carried in headers are not supported)';
    throw new WireFormatError(
      `expected magic byte 0 of the Confluent wire format, found 0x${magic.toString(16).padStart(2, '0')}${hint}`,
    );
  }
  if (bytes.length < CONFLUENT_HEADER_LENGTH) {
    throw new WireFormatError(
      `expected at least 5 bytes (magic byte and 4-byte schema id), found ${bytes.length}`,
    );
  }
  const schemaId = ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
  return { schemaId, payloadOffset: CONFLUENT_HEADER_LENGTH };
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
