// Benchmark harness (bench engineer).
// A diagnostic, not part of the timed comparison: reads the seeded topic with bare kafkajs (eachBatch, no
// decoding, no output) using the fetch settings given by flags, and prints records/s. It shows how much of
// the connector's time is kafkajs' own fetch loop and how much is ours.
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/kafkajs-floor.ts \
//     [--messages=100000] [--max-bytes=2097152] [--max-bytes-per-partition=524288] [--max-wait-ms=500]
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createKafka, readBrokerConnection } from '@source-kafka/testkit';
import { isMain, readMarker, seedSettings, setting } from './common.js';

async function main(): Promise<void> {
  const settings = seedSettings();
  const marker = readMarker(settings);
  if (marker === undefined) throw new Error('No seeded topic for these settings: run bench/seed.ts first');
  const conn = readBrokerConnection();
  const consumer = createKafka(conn, 'plaintext').consumer({
    groupId: `bench-floor-${randomUUID()}`,
    maxBytes: Number(setting('max-bytes', String(2 * 1024 * 1024))),
    maxBytesPerPartition: Number(setting('max-bytes-per-partition', String(512 * 1024))),
    maxWaitTimeInMs: Number(setting('max-wait-ms', '500')),
  });
  const started = performance.now();
  let records = 0;
  let batches = 0;
  let firstAt = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [marker.topic], fromBeginning: true });
  await new Promise<void>((done) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (records === 0) firstAt = performance.now();
        records += batch.messages.length;
        batches++;
        if (records >= marker.messages) done();
      },
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const readSeconds = (performance.now() - firstAt) / 1000;
  await consumer.disconnect();
  console.log(
    `kafkajs eachBatch: ${records} records in ${seconds.toFixed(2)} s (${(records / seconds).toFixed(0)} records/s; ` +
      `${(records / readSeconds).toFixed(0)} records/s after the first batch, ${batches} batches, ` +
      `${((firstAt - started) / 1000).toFixed(2)} s to join and first batch)`,
  );
}

if (isMain(import.meta.url)) await main();
