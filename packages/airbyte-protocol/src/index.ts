export type { Command, ParsedArgs } from './argv.js';
export { COMMANDS, informationRequest, parseConnectorArgs, usageText } from './argv.js';
export type { ErrorTraceFields, EstimateFields, RecordOptions, StateOptions } from './builders.js';
export {
  catalogMessage,
  connectionStatusMessage,
  controlConfigMessage,
  errorTraceMessage,
  estimateTraceMessage,
  globalStateMessage,
  logMessage,
  recordMessage,
  specMessage,
  streamStateMessage,
  streamStatusMessage,
} from './builders.js';
export { parseConfiguredCatalog } from './catalog.js';
export {
  causeChain,
  classifyError,
  internalMessage,
  isFailureType,
  stackTrace,
  TRANSIENT_ERRNO_CODES,
  userMessage,
} from './classify.js';
export type {
  AirbyteMessageSink,
  CheckResult,
  Clock,
  Connector,
  ConnectorContext,
  ConnectorLogger,
  FailureType,
  LogLevel,
} from './contract.js';
export type { ProtocolErrorCode } from './errors.js';
export {
  AirbyteProtocolError,
  InputFileError,
  InvalidCatalogError,
  InvalidStateError,
  protocolErrorCodes,
  RecordDataError,
  UsageError,
  WriterClosedError,
} from './errors.js';
export { FdOutput } from './fd-output.js';
export type { ReadJsonFileOptions } from './input-file.js';
export { readJsonFile } from './input-file.js';
export { stringifyJson } from './json-text.js';
export { createLogger } from './logger.js';
export type {
  AirbyteAnalyticsTraceMessage,
  AirbyteCatalog,
  AirbyteCatalogEnvelope,
  AirbyteConnectionStatus,
  AirbyteConnectionStatusEnvelope,
  AirbyteControlConnectorConfigMessage,
  AirbyteControlEnvelope,
  AirbyteControlMessage,
  AirbyteControlType,
  AirbyteErrorTraceMessage,
  AirbyteEstimateTraceMessage,
  AirbyteGlobalState,
  AirbyteLogEnvelope,
  AirbyteLogMessage,
  AirbyteMessage,
  AirbyteMessageType,
  AirbyteRecordEnvelope,
  AirbyteRecordMessage,
  AirbyteRecordMessageMeta,
  AirbyteRecordMessageMetaChange,
  AirbyteSpecEnvelope,
  AirbyteStateBlob,
  AirbyteStateEnvelope,
  AirbyteStateMessage,
  AirbyteStateStats,
  AirbyteStateType,
  AirbyteStream,
  AirbyteStreamState,
  AirbyteStreamStatus,
  AirbyteStreamStatusReason,
  AirbyteStreamStatusReasonType,
  AirbyteStreamStatusTraceMessage,
  AirbyteTraceEnvelope,
  AirbyteTraceMessage,
  AirbyteTraceType,
  ConfiguredAirbyteCatalog,
  ConfiguredAirbyteStream,
  ConnectionStatus,
  ConnectorSpecification,
  DestinationSyncMode,
  EstimateType,
  JsonObject,
  JsonValue,
  RecordChange,
  RecordChangeReason,
  StreamDescriptor,
  SyncMode,
} from './messages.js';
export {
  CONNECTION_STATUSES,
  CONTROL_TYPES,
  DESTINATION_SYNC_MODES,
  ESTIMATE_TYPES,
  FAILURE_TYPES,
  LOG_LEVELS,
  MESSAGE_TYPES,
  RECORD_CHANGE_REASONS,
  RECORD_CHANGES,
  STATE_TYPES,
  STREAM_STATUS_REASON_TYPES,
  STREAM_STATUSES,
  SYNC_MODES,
  TRACE_TYPES,
} from './messages.js';
export type { SecretPath } from './redactor.js';
export {
  REDACTED,
  redactorForConfig,
  SecretRedactor,
  secretPathsFromSpec,
  secretValuesAt,
} from './redactor.js';
export type { RunnerOptions } from './runner.js';
export { EXIT_TERMINATED, runConnector } from './runner.js';
export type { InputState } from './state.js';
export { EMPTY_INPUT_STATE, parseInputState } from './state.js';
export type { UnknownField } from './unknown-fields.js';
export { closestName, describeUnknownFields, findUnknownFields } from './unknown-fields.js';
export type { MessageOutput, MessageWriterOptions } from './writer.js';
export { MessageWriter } from './writer.js';
