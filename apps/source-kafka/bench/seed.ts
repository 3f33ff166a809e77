// Benchmark harness (bench engineer).
// Seeds the benchmark topic: N JSON messages of exactly B bytes each, spread evenly over P partitions, written
// by kcat (librdkafka) because a kafkajs producer would take minutes for 1 GB. A marker file remembers the
// topic so reruns reuse it; it is re-seeded only when the marker is missing, the topic is gone, or its
// readable message count differs.
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/seed.ts [--messages=100000] [--fresh]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type BrokerConnection, createTopic, readBrokerConnection } from '@source-kafka/testkit';
import {
  BenchError,
  isMain,
  markerPath,
  readableMessages,
  readMarker,
  type SeedMarker,
  type SeedSettings,
  seedSettings,
  writeMarker,
} from './common.js';

const BASE_TIME_MS = Date.UTC(2026, 0, 1);
const TIERS = ['free', 'pro', 'enterprise'] as const;
const PAD_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** One message value: a small realistic object padded with a string field to exactly `bytes` bytes. */
export function messageValue(i: number, bytes: number): string {
  const base = JSON.stringify({
    id: i,
    created_at: new Date(BASE_TIME_MS + i * 1000).toISOString(),
    user: { id: i % 9973, name: `user-${i % 9973}`, tier: TIERS[i % TIERS.length] },
    amount: (i % 100_000) / 100,
    active: i % 2 === 0,
    tags: ['bench', `batch-${i % 50}`],
    payload: '',
  });
  const padLength = bytes - base.length;
  if (padLength < 0) throw new BenchError('bad_setting', `--message-bytes must be at least ${base.length}`);
  const start = i % PAD_ALPHABET.length;
  const pad = (
    PAD_ALPHABET.slice(start) + PAD_ALPHABET.repeat(Math.ceil(padLength / PAD_ALPHABET.length) + 1)
  ).slice(0, padLength);
  return `${base.slice(0, -2)}${pad}"}`;
}

async function producePartition(
  conn: BrokerConnection,
  topic: string,
  partition: number,
  ids: { from: number; to: number },
  bytes: number,
): Promise<void> {
  const kcat = spawn(
    'kcat',
    [
      '-P',
      '-q',
      '-b',
      conn.plaintext.brokers.join(','),
      '-t',
      topic,
      '-p',
      String(partition),
      '-K',
      '\t',
      '-X',
      'linger.ms=20',
      '-X',
      'batch.size=1000000',
      '-X',
      'queue.buffering.max.kbytes=1048576',
    ],
    { stdio: ['pipe', 'inherit', 'inherit'] },
  );
  const exited = new Promise<number>((done, fail) => {
    kcat.once('error', fail);
    kcat.once('close', (code) => done(code ?? 1));
  });
  const stdin = kcat.stdin!;
  const chunkLines = 2000;
  for (let i = ids.from; i < ids.to; i += chunkLines) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(i + chunkLines, ids.to); j++)
      lines.push(`k-${j}\t${messageValue(j, bytes)}\n`);
    if (!stdin.write(lines.join(''))) await once(stdin, 'drain');
  }
  stdin.end();
  const code = await exited;
  if (code !== 0)
    throw new BenchError('seed_failed', `kcat -P for ${topic}/${partition} exited with ${code}`);
}

export async function seed(
  conn: BrokerConnection,
  settings: SeedSettings,
  fresh: boolean,
): Promise<SeedMarker> {
  const existing = fresh ? undefined : readMarker(settings);
  if (existing !== undefined) {
    const readable = await readableMessages(conn, existing.topic);
    if (readable === settings.messages) {
      console.error(`seed: reusing ${existing.topic} (${readable} messages, marker ${markerPath(settings)})`);
      return existing;
    }
    console.error(
      `seed: marker topic ${existing.topic} has ${readable ?? 'no'} readable messages; re-seeding`,
    );
  }
  const { messages, messageBytes, partitions } = settings;
  const topic = await createTopic(conn, { prefix: `bench-json-${messages}x${messageBytes}`, partitions });
  const started = Date.now();
  const perPartition = Math.ceil(messages / partitions);
  for (let p = 0; p < partitions; p++) {
    const from = p * perPartition;
    const to = Math.min(messages, from + perPartition);
    if (from < to) await producePartition(conn, topic, p, { from, to }, messageBytes);
    console.error(`seed: ${topic}/${p} done (${to} of ${messages})`);
  }
  const readable = await readableMessages(conn, topic);
  if (readable !== messages) {
    throw new BenchError('seed_failed', `seeded ${topic} but it holds ${readable} messages, not ${messages}`);
  }
  const marker: SeedMarker = {
    ...settings,
    topic,
    brokers: conn.plaintext.brokers,
    seededAt: new Date().toISOString(),
    payloadBytes: messages * messageBytes + keyBytes(messages),
  };
  writeMarker(marker);
  console.error(
    `seed: ${messages} messages into ${topic} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return marker;
}

function keyBytes(messages: number): number {
  let total = 0;
  for (let digits = 1, start = 0; start < messages; digits++, start = 10 ** (digits - 1)) {
    total += (Math.min(messages, 10 ** digits) - start) * (2 + digits);
  }
  return total;
}

if (isMain(import.meta.url)) {
  const marker = await seed(readBrokerConnection(), seedSettings(), process.argv.includes('--fresh'));
  process.stdout.write(`${marker.topic}\n`);
}
