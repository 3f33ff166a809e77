// kafkajs' admin always asks ListOffsets with isolation READ_COMMITTED, so it only ever returns the last stable
// offset. A read_uncommitted read must end at the high watermark instead, which only a kafkajs cluster created
// with READ_UNCOMMITTED can ask for (the private-cluster hook in kafkajs-internals.ts).
import type { Kafka } from 'kafkajs';
import { privateClusterFactory } from './kafkajs-internals.js';

const READ_UNCOMMITTED = 0;

/** High watermarks of the given partitions, keyed `partition:topic`. */
export async function fetchHighWatermarks(
  kafka: Kafka,
  partitions: ReadonlyMap<string, readonly number[]>,
): Promise<Map<string, string>> {
  const cluster = privateClusterFactory(kafka)({
    allowAutoTopicCreation: false,
    isolationLevel: READ_UNCOMMITTED,
  });
  await cluster.connect();
  try {
    await cluster.addMultipleTargetTopics([...partitions.keys()]);
    const offsets = await cluster.fetchTopicsOffset(
      [...partitions].map(([topic, list]) => ({
        topic,
        fromBeginning: false,
        partitions: list.map((partition) => ({ partition })),
      })),
    );
    const result = new Map<string, string>();
    for (const { topic, partitions: found } of offsets) {
      for (const { partition, offset } of found) result.set(`${partition}:${topic}`, offset);
    }
    return result;
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}
