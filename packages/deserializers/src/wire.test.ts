import { describe, expect, it } from 'vitest';
import { guidText, readConfluentFrame, readMessageIndexes, readSchemaIdFrame } from './wire.js';

describe('Confluent wire format', () => {
  it('reads the big-endian schema id after magic byte 0', () => {
    expect(readConfluentFrame(Uint8Array.from([0, 0x80, 0, 0, 1, 9]))).toEqual({
      schemaId: 0x80000001,
      payloadOffset: 5,
    });
  });

  it('says what it found when the frame is too short or the magic byte is wrong', () => {
    expect(() => readConfluentFrame(new Uint8Array())).toThrow('found 0 bytes');
    expect(() => readConfluentFrame(Uint8Array.from([0, 1, 2]))).toThrow(/found 3$/);
    expect(() => readConfluentFrame(Uint8Array.from([1, ...new Array(16).fill(2)]))).toThrow(
      /found 0x01 \(a schema GUID/,
    );
    expect(() => readConfluentFrame(Buffer.from('{"a":1}'))).toThrow(
      /found 0x7b \(the payload looks like plain JSON/,
    );
  });

  it('reads a 16-byte GUID after magic byte 1, in the text form the registry uses', () => {
    const bytes = Uint8Array.from([
      1, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10, 9,
    ]);
    expect(readSchemaIdFrame(bytes)).toEqual({ guid: '01234567-89ab-cdef-fedc-ba9876543210', next: 17 });
    // The same GUID as Java's UUID.toString prints it: bytes are most significant first.
    expect(guidText(Uint8Array.from(new Array(16).fill(0xff)), 0)).toBe(
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
    );
  });

  it('reads an integer id after magic byte 0 as the same frame type', () => {
    expect(readSchemaIdFrame(Uint8Array.from([0, 0, 0, 1, 0]))).toEqual({ schemaId: 256, next: 5 });
  });

  it('shows no payload bytes beyond the magic byte', () => {
    const payload = Buffer.from('SSN 123-45-6789');
    expect(() => readSchemaIdFrame(payload)).toThrow(/found 0x53 \(was it produced without[^)]*\)$/);
    expect(() => readSchemaIdFrame(Uint8Array.from([1, ...payload.subarray(0, 9)]))).toThrow(/found 10$/);
  });

  it('names where a short or unknown frame was found', () => {
    expect(() => readSchemaIdFrame(Uint8Array.from([1, 2, 3]), 'header "__value_schema_id"')).toThrow(
      'expected at least 17 bytes in header "__value_schema_id" (magic byte 1 and a 16-byte schema GUID), found 3',
    );
    expect(() => readSchemaIdFrame(Uint8Array.from([7, 0]), 'header "__key_schema_id"')).toThrow(
      'expected magic byte 0 or 1 of the Confluent wire format in header "__key_schema_id", found 0x07',
    );
  });

  it('reads the single-0 shorthand as [0] and zigzag varint index lists', () => {
    expect(readMessageIndexes(Uint8Array.from([9, 0, 7]), 1)).toEqual({ indexes: [0], next: 2 });
    // count 2 → zigzag 4; indexes 1 → 2, 70 → 140 (two varint bytes: 0x8c 0x01)
    expect(readMessageIndexes(Uint8Array.from([4, 2, 0x8c, 0x01, 0xff]), 0)).toEqual({
      indexes: [1, 70],
      next: 4,
    });
  });

  it('refuses negative counts and truncated index lists', () => {
    expect(() => readMessageIndexes(Uint8Array.from([1]), 0)).toThrow('out of range');
    expect(() => readMessageIndexes(Uint8Array.from([4, 2]), 0)).toThrow('end early');
  });
});
