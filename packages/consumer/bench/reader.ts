// One measured read, in its own process so its peak RSS is its own. Prints one JSON line.
// Usage: reader.ts <package|kafkajs> <topic> <brokers>
import { Kafka, logLevel } from 'kafkajs';
import { readSelected, testConfig } from '../test/support.js';

const [mode, topic, brokersArg] = process.argv.slice(2);
if ((mode !== 'package' && mode !== 'kafkajs') || topic === undefined || brokersArg === undefined) {
  throw new Error('usage: reader.ts <package|kafkajs> <topic> <brokers>');
}
const brokers = brokersArg.split(',');

async function readWithPackage(): Promise<{ messages: number; bytes: number }> {
  const config = testConfig(brokers, {
    clientId: 'bench',
    groupId: 'bench',
    subscription: { type: 'subscribe', pattern: topic ?? '' },
    requestTimeoutMs: 30_000,
  });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const read = await readSelected(
    config,
    { starts: [] },
    { logger: quiet, clock: { now: () => Date.now() } },
  );
  let messages = 0;
  let bytes = 0;
  for await (const batch of read) {
    messages += batch.records.length;
    for (const record of batch.records) bytes += record.value?.length ?? 0;
  }
  return { messages, bytes };
}

/** The baseline: the plainest kafkajs loop that reads a topic to its end offsets. */
async function readWithKafkajs(): Promise<{ messages: number; bytes: number }> {
  const kafka = new Kafka({ brokers, clientId: 'bench-bare', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic ?? '')).map((o) => [o.partition, BigInt(o.high)]),
  );
  await admin.disconnect();
  const open = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  const consumer = kafka.consumer({ groupId: `bench-bare-${Date.now()}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic ?? ''], fromBeginning: true });
  let messages = 0;
  let bytes = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          messages++;
          bytes += message.value?.length ?? 0;
        }
        if (BigInt(batch.lastOffset()) + 1n >= (ends.get(batch.partition) ?? 0n)) {
          open.delete(batch.partition);
          if (open.size === 0) resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return { messages, bytes };
}

const started = performance.now();
const result = mode === 'package' ? await readWithPackage() : await readWithKafkajs();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, ...result, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
