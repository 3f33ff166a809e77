export type { ConsumerDeps } from './client.js';
export { lz4Decompress, registerCodecs, snappyDecompress, zstdDecompressBuffer } from './codecs.js';
export type { OffsetCommitter } from './commit.js';
export { createOffsetCommitter } from './commit.js';
export { withDeadline } from './deadline.js';
export type { ClientSecurity, ConsumerErrorCode, ConsumerErrorOptions } from './errors.js';
export { ConsumerError, classifyError, clientSecurity, consumerErrorCodes } from './errors.js';
export type { FetchLike, OAuthBearerToken, OAuthClientCredentials, TokenProviderDeps } from './oauth.js';
export { createOAuthBearerProvider } from './oauth.js';
export { OutageBudget } from './outage.js';
export type { PartitionSnapshot, PlanInput, PlannedPartition } from './plan.js';
export { compareOffsets, planPartition } from './plan.js';
export type { BoundedRead, BoundedReadRequest, IsolationLevel, ReadLimits } from './read.js';
export { describeReport, listSelectedTopics, openBoundedRead } from './read.js';
export type { ReadSummary, StopReason } from './read-loop.js';
export type { PartitionOffset } from './read-progress.js';
export { systemTimers } from './timers.js';
export { decodeMetadataV11, encodeMetadataV11, fetchTopicIds, formatTopicId } from './topic-ids.js';
export type { TopicSelection } from './topics.js';
export { compileSubscribePattern, INTERNAL_TOPICS, isInternalTopic, selectTopics } from './topics.js';
export type {
  Clock,
  KafkaConnection,
  KafkaHeader,
  KafkaRecord,
  Logger,
  OffsetReport,
  PartitionRange,
  PartitionStart,
  RecordBatch,
  Timers,
  TimestampType,
  TopicInfo,
} from './types.js';
