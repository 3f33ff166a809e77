// Benchmark harness (bench engineer).
// Seeds the benchmark topic: N JSON messages of exactly B bytes each (18 fields, nested objects and arrays),
// spread evenly over P partitions, written by kcat (librdkafka) because a kafkajs producer would take minutes
// for 1 GB. A marker file remembers the
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

/**
 * The benchmark's message value: 18 fields with nested objects and arrays (an order event), padded with a
 * string field to exactly `bytes` bytes. Below the nested shape's own size (about 640 B) it is a small flat
 * object instead, for the many-small-messages memory runs.
 */
export function messageObject(i: number, bytes: number): Record<string, unknown> {
  const nested = nestedObject(i);
  const nestedBase = JSON.stringify(nested).length;
  const base = bytes >= nestedBase ? nested : smallObject(i);
  const padLength = bytes - JSON.stringify(base).length;
  if (padLength < 0) {
    throw new BenchError('bad_setting', `--message-bytes must be at least ${JSON.stringify(base).length}`);
  }
  const start = i % PAD_ALPHABET.length;
  const pad = (
    PAD_ALPHABET.slice(start) + PAD_ALPHABET.repeat(Math.ceil(padLength / PAD_ALPHABET.length) + 1)
  ).slice(0, padLength);
  return { ...base, payload: pad };
}

export function messageValue(i: number, bytes: number): string {
  return JSON.stringify(messageObject(i, bytes));
}

function smallObject(i: number): Record<string, unknown> {
  return { id: i, at: new Date(BASE_TIME_MS + i * 1000).toISOString(), payload: '' };
}

/** The 18 fields; `payload` comes last and is the padding. The Avro schema in seed-avro.ts mirrors it. */
export function nestedObject(i: number): Record<string, unknown> {
  const user = i % 9973;
  return {
    id: i,
    created_at: new Date(BASE_TIME_MS + i * 1000).toISOString(),
    updated_at: new Date(BASE_TIME_MS + i * 1000 + 250).toISOString(),
    user: {
      id: user,
      name: `user-${user}`,
      tier: TIERS[i % TIERS.length],
      email: `user-${user}@example.com`,
    },
    amount: (i % 100_000) / 100,
    currency: CURRENCIES[i % CURRENCIES.length],
    active: i % 2 === 0,
    quantity: (i % 17) + 1,
    score: ((i * 7919) % 1000) / 1000,
    tags: ['bench', `batch-${i % 50}`, `region-${i % 7}`],
    items: [
      { sku: `sku-${i % 1000}`, qty: (i % 5) + 1, price: ((i % 5000) + 99) / 100 },
      { sku: `sku-${(i + 1) % 1000}`, qty: (i % 3) + 1, price: ((i % 7000) + 199) / 100 },
    ],
    address: {
      street: `${i % 500} Main Street`,
      city: CITIES[i % CITIES.length],
      zip: String(10000 + (i % 89999)),
      country: 'DE',
      geo: { lat: 48 + (i % 1000) / 1000, lon: 11 + (i % 997) / 1000 },
    },
    device: { os: i % 3 === 0 ? 'ios' : 'android', version: `${(i % 9) + 10}.${i % 4}` },
    flags: [i % 2 === 0, i % 3 === 0, i % 5 === 0],
    ratio: i % 11 === 0 ? 0 : 1 / ((i % 11) + 1),
    status: STATUSES[i % STATUSES.length],
    note: i % 4 === 0 ? `note ${i}` : null,
    payload: '',
  };
}

const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;
const CITIES = ['Berlin', 'Munich', 'Hamburg', 'Cologne'] as const;
const STATUSES = ['created', 'paid', 'shipped', 'delivered', 'returned'] as const;

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
