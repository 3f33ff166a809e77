import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { compressFrameSync } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { lz4Decompress, snappyCompress, snappyDecompress, zstdDecompressBuffer } from './codecs.js';

const payload = Buffer.from(`${'kafka '.repeat(5000)}end`, 'utf8');

function xerialFrame(blocks: Buffer[]): Buffer {
  const header = Buffer.alloc(16);
  Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]).copy(header, 0);
  header.writeUInt32BE(1, 8);
  header.writeUInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

describe('codecs', () => {
  it('decompresses raw snappy', () => {
    expect(snappyDecompress(snappyCompress(payload)).equals(payload)).toBe(true);
  });

  it('decompresses xerial-framed snappy with several blocks', () => {
    const first = payload.subarray(0, 1000);
    const second = payload.subarray(1000);
    const framed = xerialFrame([snappyCompress(first), snappyCompress(second)]);
    expect(snappyDecompress(framed).equals(payload)).toBe(true);
  });

  it('decompresses lz4 frames', () => {
    expect(lz4Decompress(compressFrameSync(payload)).equals(payload)).toBe(true);
  });

  it('decompresses zstd frames written by the zstd tool', () => {
    const compressed = execFileSync('zstd', ['-q', '-c'], { input: payload });
    expect(zstdDecompressBuffer(compressed).equals(payload)).toBe(true);
  });

  it('registers snappy, lz4 and zstd in kafkajs', async () => {
    const { registerCodecs } = await import('./codecs.js');
    registerCodecs();
    const kafkajs = createRequire(import.meta.url)('kafkajs') as {
      CompressionCodecs: Record<number, () => { decompress(b: Buffer): Promise<Buffer> }>;
      CompressionTypes: Record<string, number>;
    };
    const snappy = kafkajs.CompressionCodecs[kafkajs.CompressionTypes.Snappy ?? -1];
    expect(snappy).toBeDefined();
    expect((await snappy?.().decompress(snappyCompress(payload)))?.equals(payload)).toBe(true);
  });
});

describe('loading under plain Node ESM', () => {
  it('resolves every kafkajs import the package uses (vitest is more lenient with CommonJS named exports)', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--conditions=source-kafka-source',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const m = await import('@source-kafka/consumer'); m.registerCodecs(); console.log(typeof m.openBoundedRead);",
      ],
      { encoding: 'utf8', cwd: new URL('..', import.meta.url) },
    );
    expect(out.trim()).toBe('function');
  });
});
