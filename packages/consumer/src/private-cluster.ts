// kafkajs' public admin and consumer cannot send two requests this package needs: ListOffsets with
// READ_UNCOMMITTED (the high watermark) and OffsetCommit as a standalone consumer (generation -1, no member id).
// Its internal Cluster can, and kafkajs keeps that Cluster's factory behind a private symbol. kafkajs 2.x has
// been frozen since 2023 (pinned 2.2.4); callers fall back to a public API when the symbol is missing.
import type { Kafka } from 'kafkajs';

export interface OffsetRequest {
  readonly topic: string;
  readonly fromBeginning: boolean;
  readonly partitions: readonly { readonly partition: number }[];
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  readonly groupGenerationId: number;
  readonly memberId: string;
  readonly topics: readonly {
    readonly topic: string;
    readonly partitions: readonly { readonly partition: number; readonly offset: string }[];
  }[];
}

/** The part of a kafkajs Broker (one connection) used here. Errors are kafkajs protocol errors with a `type`. */
export interface PrivateBroker {
  offsetCommit(request: OffsetCommitRequest): Promise<unknown>;
}

export interface PrivateCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: readonly string[]): Promise<void>;
  fetchTopicsOffset(
    topics: readonly OffsetRequest[],
  ): Promise<readonly { topic: string; partitions: readonly { partition: number; offset: string }[] }[]>;
  findGroupCoordinator(request: { groupId: string }): Promise<PrivateBroker>;
}

export type CreateCluster = (options: {
  allowAutoTopicCreation: boolean;
  isolationLevel?: number | undefined;
}) => PrivateCluster;

/** kafkajs' own Cluster factory (same brokers, TLS, SASL, retry and logger as `kafka`), if this build has it. */
export function privateClusterFactory(kafka: Kafka): CreateCluster | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (symbol === undefined) return undefined;
  const factory: unknown = (kafka as unknown as Record<symbol, unknown>)[symbol];
  return typeof factory === 'function' ? (factory as CreateCluster) : undefined;
}
