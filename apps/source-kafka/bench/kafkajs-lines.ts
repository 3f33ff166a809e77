// Benchmark harness: the bare kafkajs reader the connector is compared with.
// Reads one topic from the log start to the end offsets found at start with kafkajs eachBatch and writes one
// JSON line per message to stdout: topic, partition, offset, key and the value as a string (UTF-8, as
// kafkajs hands it out). No decoding, no checkpoints: the floor of a kafkajs-based reader that writes lines.
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/kafkajs-lines.ts --topic=<name> \
//     [--brokers=127.0.0.1:19092]
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { isMain, setting } from './common.js';

async function main(): Promise<void> {
  const topic = setting('topic', '');
  const brokers = setting('brokers', '127.0.0.1:19092').split(',');
  if (topic === '') throw new Error('--topic is required');
  const kafka = new Kafka({ clientId: 'bench-kafkajs-lines', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  // The last offset to read per partition; empty partitions are done from the start.
  const remaining = new Map<number, bigint>();
  for (const o of offsets)
    if (BigInt(o.high) > BigInt(o.low)) remaining.set(o.partition, BigInt(o.high) - 1n);
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-lines-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const out = process.stdout;
  const topicJson = JSON.stringify(topic);
  await new Promise<void>((done, fail) => {
    if (remaining.size === 0) {
      done();
      return;
    }
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const last = remaining.get(batch.partition);
          if (last === undefined) return;
          let text = '';
          for (const m of batch.messages) {
            if (BigInt(m.offset) > last) break;
            text += `{"topic":${topicJson},"partition":${batch.partition},"offset":${m.offset},"key":${
              m.key === null ? 'null' : JSON.stringify(m.key.toString())
            },"value":${m.value === null ? 'null' : JSON.stringify(m.value.toString())}}\n`;
          }
          if (!out.write(text)) await once(out, 'drain');
          const lastOffset = batch.messages[batch.messages.length - 1]?.offset;
          if (lastOffset !== undefined && BigInt(lastOffset) >= last) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) done();
          }
        },
      })
      .catch(fail);
  });
  // Out once the last line is written: leaving the group is not part of reading.
  await new Promise<void>((resolve) => out.write('', () => resolve()));
  process.exit(0);
}

if (isMain(import.meta.url)) await main();
