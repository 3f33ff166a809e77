import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brokerSettingsFrom, createTopic, ensureKafkaJars } from '@source-kafka/testkit';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerCodecs } from '../src/index.js';
import { collect, deps, readSelected, testConfig } from './support.js';

const run = promisify(execFile);
const conn = inject('broker');
let dir: string;

const { CompressionCodecs, CompressionTypes } = kafkajs;
const types = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};
const decompressions = new Map<string, number>();

/** Counts each codec's decompressions, to prove the producer really wrote that codec. */
function countDecompressions(): void {
  registerCodecs();
  const table = CompressionCodecs as unknown as Record<number, () => unknown>;
  for (const [name, type] of Object.entries(types)) {
    const original = table[type];
    if (original === undefined) throw new Error(`kafkajs has no codec ${name}`);
    table[type] = () => {
      const codec = original() as { compress: unknown; decompress(buffer: Buffer): Promise<Buffer> };
      return {
        compress: codec.compress,
        decompress: (buffer: Buffer) => {
          decompressions.set(name, (decompressions.get(name) ?? 0) + 1);
          return codec.decompress(buffer);
        },
      };
    };
  }
}

beforeAll(async () => {
  countDecompressions();
  dir = await mkdtemp(join(tmpdir(), 'consumer-codecs-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Compressible text around random bytes, so the codec really shrinks it and the producer keeps it compressed. */
function payload(i: number): Buffer {
  return Buffer.concat([
    Buffer.from(`message ${i} `.repeat(200)),
    randomBytes(64),
    Buffer.from([0, 10, 13, 255]),
  ]);
}

describe('codecs written by librdkafka (kcat)', () => {
  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)(
    'reads %s-compressed messages back byte-exact',
    async (codec) => {
      const topic = await createTopic(conn, { prefix: `consumer-codec-${codec}`, partitions: 1 });
      const payloads = Array.from({ length: 20 }, (_, i) => payload(i));
      const files: string[] = [];
      for (const [i, bytes] of payloads.entries()) {
        const file = join(dir, `${codec}-${i}.bin`);
        await writeFile(file, bytes);
        files.push(file);
      }
      // kcat sends each file as one message; linger groups them into compressed batches.
      await run('kcat', [
        '-P',
        '-b',
        conn.plaintext.brokers.join(','),
        '-t',
        topic,
        '-p',
        '0',
        '-z',
        codec,
        '-X',
        'linger.ms=200',
        ...files,
      ]);
      const config = testConfig(conn.plaintext.brokers, {
        subscription: { type: 'subscribe', pattern: topic },
      });
      const { records } = await collect(await readSelected(config, { starts: [] }, deps));
      expect(decompressions.get(codec) ?? 0).toBeGreaterThan(0);
      expect(records).toHaveLength(payloads.length);
      records.forEach((record, i) => {
        expect(record.value?.equals(payloads[i] ?? Buffer.alloc(0))).toBe(true);
      });
    },
  );
});

describe('codecs written by the Java producer', () => {
  // The Java client frames snappy the xerial way and writes its own LZ4 frames: read both back byte-exact.
  it.each(['snappy', 'lz4'] as const)('reads %s-compressed messages back byte-exact', async (codec) => {
    const topic = await createTopic(conn, { prefix: `consumer-java-${codec}`, partitions: 1 });
    const jars = await ensureKafkaJars(
      conn.kafkaVersion,
      brokerSettingsFrom(process.env).cacheDir,
      () => undefined,
    );
    const lines = Array.from({ length: 30 }, (_, i) => `java ${codec} line ${i} ${'abc'.repeat(300)}`);
    const child = execFile(
      'java',
      [
        '-cp',
        `${jars.libDir}/*`,
        // Kafka 4 moved the console tools out of the Scala core.
        conn.kafkaVersion.startsWith('3.')
          ? 'kafka.tools.ConsoleProducer'
          : 'org.apache.kafka.tools.ConsoleProducer',
        '--bootstrap-server',
        conn.plaintext.brokers.join(','),
        '--topic',
        topic,
        '--compression-codec',
        codec,
        '--producer-property',
        'linger.ms=200',
      ],
      { timeout: 90_000 },
    );
    child.stdin?.end(`${lines.join('\n')}\n`);
    await new Promise<void>((resolve, reject) =>
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`ConsoleProducer exited with ${code}`)),
      ),
    );
    const config = testConfig(conn.plaintext.brokers, {
      subscription: { type: 'subscribe', pattern: topic },
    });
    const before = decompressions.get(codec) ?? 0;
    const { records } = await collect(await readSelected(config, { starts: [] }, deps));
    expect((decompressions.get(codec) ?? 0) - before).toBeGreaterThan(0);
    expect(records.map((r) => r.value?.toString())).toEqual(lines);
  });
});
