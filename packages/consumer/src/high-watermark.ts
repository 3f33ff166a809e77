// kafkajs' admin always asks ListOffsets with isolation READ_COMMITTED, so it only ever returns the last stable
// offset. A read_uncommitted read must end at the high watermark instead, which only a kafkajs cluster created
// with READ_UNCOMMITTED can ask for. kafkajs keeps that factory behind a private symbol; kafkajs 2.x has been
// frozen since 2023, and when the symbol is missing the caller falls back to the LSO (and says so).
import type { Kafka } from 'kafkajs';

interface OffsetRequest {
  readonly topic: string;
  readonly fromBeginning: boolean;
  readonly partitions: readonly { readonly partition: number }[];
}

interface PrivateCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: readonly string[]): Promise<void>;
  fetchTopicsOffset(
    topics: readonly OffsetRequest[],
  ): Promise<readonly { topic: string; partitions: readonly { partition: number; offset: string }[] }[]>;
}

type CreateCluster = (options: { allowAutoTopicCreation: boolean; isolationLevel: number }) => PrivateCluster;

const READ_UNCOMMITTED = 0;

function privateClusterFactory(kafka: Kafka): CreateCluster | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (symbol === undefined) return undefined;
  const factory: unknown = (kafka as unknown as Record<symbol, unknown>)[symbol];
  return typeof factory === 'function' ? (factory as CreateCluster) : undefined;
}

/**
 * High watermarks of the given partitions, keyed `partition:topic`; undefined when this kafkajs build does not
 * expose the cluster factory.
 */
export async function fetchHighWatermarks(
  kafka: Kafka,
  partitions: ReadonlyMap<string, readonly number[]>,
): Promise<Map<string, string> | undefined> {
  const create = privateClusterFactory(kafka);
  if (create === undefined) return undefined;
  const cluster = create({ allowAutoTopicCreation: false, isolationLevel: READ_UNCOMMITTED });
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
