// kafkajs ships only gzip. The other codecs Kafka producers write are registered here, decompression
// first: this package only reads, but kafkajs' codec interface also asks for `compress`.
import { createRequire } from 'node:module';
import { zstdDecompressSync } from 'node:zlib';
import kafkajs from 'kafkajs';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

interface SnappyJs {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array): Uint8Array;
}

// snappyjs ships no types; require keeps its untyped surface behind the small interface above.
const snappy = createRequire(import.meta.url)('snappyjs') as SnappyJs;

interface EncoderLike {
  readonly buffer: Buffer;
}

// The Java client (and so librdkafka, for compatibility) may frame snappy the xerial way: an 8-byte magic, two
// 4-byte version words, then blocks each prefixed by a 4-byte big-endian length.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_LENGTH = 16;

export function snappyDecompress(input: Buffer): Buffer {
  if (input.length < XERIAL_HEADER_LENGTH || !input.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return Buffer.from(snappy.uncompress(input));
  }
  const blocks: Buffer[] = [];
  let position = XERIAL_HEADER_LENGTH;
  while (position < input.length) {
    if (position + 4 > input.length) throw new Error('truncated xerial snappy block header');
    const length = input.readUInt32BE(position);
    position += 4;
    if (position + length > input.length) throw new Error('truncated xerial snappy block');
    blocks.push(Buffer.from(snappy.uncompress(input.subarray(position, position + length))));
    position += length;
  }
  return Buffer.concat(blocks);
}

export function snappyCompress(input: Buffer): Buffer {
  return Buffer.from(snappy.compress(input));
}

export function lz4Decompress(input: Buffer): Buffer {
  return decompressFrameSync(input);
}

/** zstd through Node's zlib (native libzstd, Node >= 22.15), one batch's records at a time. */
export function zstdDecompressBuffer(input: Buffer): Buffer {
  return zstdDecompressSync(input);
}

// Node's ESM loader does not see CompressionCodecs among kafkajs' (CommonJS) named exports: go through the default.
const { CompressionCodecs, CompressionTypes } = kafkajs;

let registered = false;

/** Registers snappy, lz4 and zstd in kafkajs' process-wide codec table. Idempotent. */
export function registerCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: EncoderLike) => snappyCompress(encoder.buffer),
    decompress: async (buffer: Buffer) => snappyDecompress(buffer),
  });
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: EncoderLike) => compressFrameSync(encoder.buffer),
    decompress: async (buffer: Buffer) => lz4Decompress(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async () => {
      // This package never produces.
      throw new Error('zstd compression is not supported by @source-kafka/consumer; it only reads');
    },
    decompress: async (buffer: Buffer) => zstdDecompressBuffer(buffer),
  });
}
