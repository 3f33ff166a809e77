export type { StreamCheckpoint } from './checkpointer.js';
export { Checkpointer } from './checkpointer.js';
export type { SourceKafkaDeps } from './connector.js';
export { createSourceKafkaConnector } from './connector.js';
export type { DiscoveredStream, DiscoverInput, StreamSchemaInput } from './discover.js';
export { buildRecordSchema, buildStream, discoverStreams } from './discover.js';
export type { ErrorCode } from './errors.js';
export {
  errorCodes,
  InvalidCatalogError,
  InvalidStateError,
  PoisonMessageError,
  RetentionGapError,
  SourceKafkaError,
} from './errors.js';
export { fieldNames, METADATA_PREFIX } from './fields.js';
export type { Decoders, KafkaPort, ReadSession, ReadStart, TopicOffset } from './ports.js';
export type { ConfiguredStream, ReadOptions, ReadSummary } from './read.js';
export { readStreams } from './read.js';
export type { DecodedRecord, HeaderField } from './record.js';
export { buildRecordData, headerToField } from './record.js';
export type { TopicState } from './state.js';
export { parseTopicState, STATE_VERSION } from './state.js';
