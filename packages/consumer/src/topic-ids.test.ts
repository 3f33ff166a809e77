import { describe, expect, it } from 'vitest';
import { decodeMetadataV11, encodeMetadataV11, formatTopicId } from './topic-ids.js';

// Metadata v11 as Kafka's protocol guide lays it out (flexible version: compact strings and arrays, whose
// lengths are written plus one, and a tagged-fields byte after each struct).
const int16 = (v: number) => Buffer.from([(v >> 8) & 0xff, v & 0xff]);
const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const compact = (text: string | null) =>
  text === null
    ? Buffer.from([0])
    : Buffer.concat([Buffer.from([Buffer.byteLength(text) + 1]), Buffer.from(text)]);
const array = (items: Buffer[]) => Buffer.concat([Buffer.from([items.length + 1]), ...items]);
const TAGS = Buffer.from([0]);

function topic(error: number, name: string, id: Buffer, partitions: number): Buffer {
  const partition = (p: number) =>
    Buffer.concat([
      int16(0),
      int32(p),
      int32(1),
      int32(0),
      array([int32(1)]),
      array([int32(1)]),
      array([]),
      TAGS,
    ]);
  return Buffer.concat([
    int16(error),
    compact(name),
    id,
    Buffer.from([0]),
    array(Array.from({ length: partitions }, (_, p) => partition(p))),
    int32(-2147483648),
    TAGS,
  ]);
}

describe('Metadata v11 for topic IDs', () => {
  const idA = Buffer.from('d4411ec3927c4ac8ab2e0557494 75e01'.replace(/ /g, ''), 'hex');
  const idB = Buffer.alloc(16, 7);

  it('reads each topic ID, printed as Kafka prints it, and leaves out topics with an error or no ID', () => {
    const response = Buffer.concat([
      TAGS, // response header
      int32(0),
      array([Buffer.concat([int32(1), compact('localhost'), int32(9092), compact(null), TAGS])]),
      compact('cluster'),
      int32(1),
      array([
        topic(0, 'orders', idA, 3),
        topic(0, 'payments', idB, 1),
        topic(3, 'missing', Buffer.alloc(16), 0),
        topic(0, 'no-id', Buffer.alloc(16), 1),
      ]),
      TAGS,
    ]);
    expect(decodeMetadataV11(response)).toEqual(
      new Map([
        ['orders', formatTopicId(idA)],
        ['payments', formatTopicId(idB)],
      ]),
    );
    expect(formatTopicId(idA)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('fails on a response cut short instead of inventing IDs', () => {
    expect(() => decodeMetadataV11(Buffer.from([0, 0, 0]))).toThrow(RangeError);
  });

  it('asks for the named topics only, never creating one', () => {
    const body = encodeMetadataV11(['orders']);
    expect(body).toEqual(
      Buffer.concat([
        TAGS,
        Buffer.from([2]),
        Buffer.alloc(16),
        compact('orders'),
        TAGS,
        Buffer.from([0, 0]),
        TAGS,
      ]),
    );
  });
});
