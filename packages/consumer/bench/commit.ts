// Benchmark (not a test): committing checkpointed offsets to a consumer group, kafkajs' admin.setOffsets (joins
// the group once per topic; this package's former way) vs createOffsetCommitter (one standalone OffsetCommit),
// interleaved in the same run. Usage: pnpm --filter @source-kafka/consumer bench:commit [-- --topics 3 --runs 3]
import { createTopic, deleteTopics, readBrokerConnection } from '@source-kafka/testkit';
import { createKafka, createOffsetCommitter } from '../src/index.js';
import { deps, type TestConfig, testConfig } from '../test/support.js';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const topicCount = arg('topics', 3);
const runs = arg('runs', 3);
const partitions = 2;

const conn = await readBrokerConnection();
const topics: string[] = [];
for (let i = 0; i < topicCount; i++)
  topics.push(await createTopic(conn, { prefix: 'bench-commit', partitions }));
const offsets = topics.flatMap((topic) =>
  Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: '0' })),
);

/** Milliseconds for one commit into a fresh group, connecting included. */
async function timeAdminSetOffsets(config: TestConfig): Promise<number> {
  const started = performance.now();
  const admin = createKafka(config, deps).admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      await admin.setOffsets({
        groupId: config.groupId,
        topic,
        partitions: offsets.filter((o) => o.topic === topic),
      });
    }
    return performance.now() - started;
  } finally {
    await admin.disconnect();
  }
}

async function timeCommitter(config: TestConfig): Promise<number> {
  const started = performance.now();
  const committer = createOffsetCommitter(config, config.groupId, deps);
  try {
    await committer.commit(offsets);
    return performance.now() - started;
  } finally {
    await committer.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const before: number[] = [];
const after: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const group = (name: string) =>
      testConfig(conn.plaintext.brokers, { groupId: `bench-commit-${name}-${process.pid}-${run}` });
    before.push(await timeAdminSetOffsets(group('admin')));
    after.push(await timeCommitter(group('standalone')));
  }
} finally {
  await deleteTopics(conn, topics).catch(() => undefined);
}
console.log(
  `${topicCount} topics x ${partitions} partitions, median of ${runs}: admin.setOffsets ${median(before).toFixed(0)} ms, ` +
    `createOffsetCommitter ${median(after).toFixed(0)} ms (${(median(before) / median(after)).toFixed(0)}x)`,
);
