import { describe, expect, it } from 'vitest';
import { readConfluentFrame, readMessageIndexes } from './wire.js';

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
    expect(() => readConfluentFrame(Uint8Array.from([1, 2, 3, 4, 5, 6]))).toThrow(
      /found 0x01 \(magic byte 1 is the GUID/,
    );
    expect(() => readConfluentFrame(Buffer.from('{"a":1}'))).toThrow(
      /found 0x7b \(the payload looks like plain JSON/,
    );
  });

  it('shows no payload bytes beyond the magic byte', () => {
    const payload = Buffer.from('SSN 123-45-6789');
    expect(() => readConfluentFrame(payload)).toThrow(/found 0x53 \(was it produced without[^)]*\)$/);
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
