// Airbyte protocol message types (protocol schema 0.3.2, source side).
// Written by hand for readable types; test/protocol-drift.test.ts walks the official YAML and fails when a
// required field or an enum value here differs from it.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const MESSAGE_TYPES = [
  'RECORD',
  'STATE',
  'LOG',
  'SPEC',
  'CONNECTION_STATUS',
  'CATALOG',
  'TRACE',
  'CONTROL',
  'DESTINATION_CATALOG',
] as const;
export type AirbyteMessageType = (typeof MESSAGE_TYPES)[number];

export const LOG_LEVELS = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;
export const FAILURE_TYPES = ['system_error', 'config_error', 'transient_error'] as const;

/** How a failure is reported in a TRACE error: config errors are the user's to fix, transient ones may pass on retry. */
export type FailureType = (typeof FAILURE_TYPES)[number];

export type LogLevel = (typeof LOG_LEVELS)[number];
export const STATE_TYPES = ['GLOBAL', 'STREAM', 'LEGACY'] as const;
export type AirbyteStateType = (typeof STATE_TYPES)[number];
export const TRACE_TYPES = ['ERROR', 'ESTIMATE', 'STREAM_STATUS', 'ANALYTICS'] as const;
export type AirbyteTraceType = (typeof TRACE_TYPES)[number];
export const ESTIMATE_TYPES = ['STREAM', 'SYNC'] as const;
export type EstimateType = (typeof ESTIMATE_TYPES)[number];
export const STREAM_STATUSES = ['STARTED', 'RUNNING', 'COMPLETE', 'INCOMPLETE'] as const;
export type AirbyteStreamStatus = (typeof STREAM_STATUSES)[number];
export const STREAM_STATUS_REASON_TYPES = ['RATE_LIMITED'] as const;
export type AirbyteStreamStatusReasonType = (typeof STREAM_STATUS_REASON_TYPES)[number];
export const CONNECTION_STATUSES = ['SUCCEEDED', 'FAILED'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
export const SYNC_MODES = ['full_refresh', 'incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
export const DESTINATION_SYNC_MODES = [
  'append',
  'overwrite',
  'append_dedup',
  'update',
  'soft_delete',
] as const;
export type DestinationSyncMode = (typeof DESTINATION_SYNC_MODES)[number];
export const RECORD_CHANGES = ['NULLED', 'TRUNCATED'] as const;
export type RecordChange = (typeof RECORD_CHANGES)[number];
export const RECORD_CHANGE_REASONS = [
  'SOURCE_RECORD_SIZE_LIMITATION',
  'DESTINATION_RECORD_SIZE_LIMITATION',
  'PLATFORM_RECORD_SIZE_LIMITATION',
  'SOURCE_FIELD_SIZE_LIMITATION',
  'DESTINATION_FIELD_SIZE_LIMITATION',
  'PLATFORM_FIELD_SIZE_LIMITATION',
  'SOURCE_SERIALIZATION_ERROR',
  'DESTINATION_SERIALIZATION_ERROR',
  'PLATFORM_SERIALIZATION_ERROR',
  'SOURCE_RETRIEVAL_ERROR',
  'DESTINATION_TYPECAST_ERROR',
] as const;
export type RecordChangeReason = (typeof RECORD_CHANGE_REASONS)[number];
export const CONTROL_TYPES = ['CONNECTOR_CONFIG'] as const;
export type AirbyteControlType = (typeof CONTROL_TYPES)[number];

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

// --- RECORD ---------------------------------------------------------------------------------------------

export interface AirbyteRecordMessageMetaChange {
  field: string;
  change: RecordChange;
  reason: RecordChangeReason;
}

export interface AirbyteRecordMessageMeta {
  changes?: AirbyteRecordMessageMetaChange[];
}

export interface AirbyteRecordMessage {
  namespace?: string;
  stream: string;
  data: Record<string, unknown>;
  /** Epoch milliseconds, an integer. */
  emitted_at: number;
  meta?: AirbyteRecordMessageMeta;
}

// --- STATE ----------------------------------------------------------------------------------------------

/** Opaque per-connector state blob. */
export type AirbyteStateBlob = Record<string, unknown>;

export interface AirbyteStreamState {
  stream_descriptor: StreamDescriptor;
  stream_state?: AirbyteStateBlob;
}

export interface AirbyteGlobalState {
  shared_state?: AirbyteStateBlob;
  stream_states: AirbyteStreamState[];
}

export interface AirbyteStateStats {
  /** A double on the wire; the platform wants it written with a decimal point, which JSON cannot express. */
  recordCount?: number;
  rejectedRecordCount?: number;
}

export interface AirbyteStateMessage {
  type?: AirbyteStateType;
  stream?: AirbyteStreamState;
  global?: AirbyteGlobalState;
  /** Deprecated LEGACY state. */
  data?: AirbyteStateBlob;
  sourceStats?: AirbyteStateStats;
  destinationStats?: AirbyteStateStats;
}

// --- LOG ------------------------------------------------------------------------------------------------

export interface AirbyteLogMessage {
  level: (typeof LOG_LEVELS)[number];
  message: string;
  stack_trace?: string;
}

// --- SPEC -----------------------------------------------------------------------------------------------

export interface ConnectorSpecification {
  documentationUrl?: string;
  changelogUrl?: string;
  /** JSON Schema (draft-07) of the connector config. */
  connectionSpecification: Record<string, unknown>;
  supportsIncremental?: boolean;
  supportsNormalization?: boolean;
  supportsDBT?: boolean;
  supported_destination_sync_modes?: DestinationSyncMode[];
  advanced_auth?: Record<string, unknown>;
  protocol_version?: string;
}

// --- CONNECTION_STATUS ----------------------------------------------------------------------------------

export interface AirbyteConnectionStatus {
  status: ConnectionStatus;
  message?: string;
}

// --- CATALOG --------------------------------------------------------------------------------------------

export interface AirbyteStream {
  name: string;
  json_schema: Record<string, unknown>;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  namespace?: string;
  is_resumable?: boolean;
  is_file_based?: boolean;
}

export interface AirbyteCatalog {
  streams: AirbyteStream[];
}

export interface ConfiguredAirbyteStream {
  stream: AirbyteStream;
  sync_mode: SyncMode;
  cursor_field?: string[];
  destination_sync_mode: DestinationSyncMode;
  destination_object_name?: string;
  primary_key?: string[][];
  generation_id?: number;
  minimum_generation_id?: number;
  sync_id?: number;
  include_files?: boolean;
}

export interface ConfiguredAirbyteCatalog {
  streams: ConfiguredAirbyteStream[];
}

// --- TRACE ----------------------------------------------------------------------------------------------

export interface AirbyteErrorTraceMessage {
  /** A short, user-facing sentence. */
  message: string;
  internal_message?: string;
  stack_trace?: string;
  failure_type?: (typeof FAILURE_TYPES)[number];
  stream_descriptor?: StreamDescriptor;
}

export interface AirbyteEstimateTraceMessage {
  name: string;
  type: EstimateType;
  namespace?: string;
  row_estimate?: number;
  byte_estimate?: number;
}

export interface AirbyteStreamStatusReason {
  type: AirbyteStreamStatusReasonType;
  rate_limited?: { quota_reset?: number };
}

export interface AirbyteStreamStatusTraceMessage {
  stream_descriptor: StreamDescriptor;
  status: AirbyteStreamStatus;
  reasons?: AirbyteStreamStatusReason[];
}

export interface AirbyteAnalyticsTraceMessage {
  type: string;
  value?: string;
}

interface TraceBase {
  /** Epoch milliseconds. */
  emitted_at: number;
}

export type AirbyteTraceMessage =
  | (TraceBase & { type: 'ERROR'; error: AirbyteErrorTraceMessage })
  | (TraceBase & { type: 'ESTIMATE'; estimate: AirbyteEstimateTraceMessage })
  | (TraceBase & { type: 'STREAM_STATUS'; stream_status: AirbyteStreamStatusTraceMessage })
  | (TraceBase & { type: 'ANALYTICS'; analytics: AirbyteAnalyticsTraceMessage });

// --- CONTROL --------------------------------------------------------------------------------------------

export interface AirbyteControlConnectorConfigMessage {
  config: Record<string, unknown>;
}

export interface AirbyteControlMessage {
  type: AirbyteControlType;
  emitted_at: number;
  connectorConfig?: AirbyteControlConnectorConfigMessage;
}

// --- The envelope ---------------------------------------------------------------------------------------

export type AirbyteRecordEnvelope = { type: 'RECORD'; record: AirbyteRecordMessage };
export type AirbyteStateEnvelope = { type: 'STATE'; state: AirbyteStateMessage };
export type AirbyteLogEnvelope = { type: 'LOG'; log: AirbyteLogMessage };
export type AirbyteSpecEnvelope = { type: 'SPEC'; spec: ConnectorSpecification };
export type AirbyteConnectionStatusEnvelope = {
  type: 'CONNECTION_STATUS';
  connectionStatus: AirbyteConnectionStatus;
};
export type AirbyteCatalogEnvelope = { type: 'CATALOG'; catalog: AirbyteCatalog };
export type AirbyteTraceEnvelope = { type: 'TRACE'; trace: AirbyteTraceMessage };
export type AirbyteControlEnvelope = { type: 'CONTROL'; control: AirbyteControlMessage };

/** Every message a source emits. DESTINATION_CATALOG is destination-only and left out on purpose. */
export type AirbyteMessage =
  | AirbyteRecordEnvelope
  | AirbyteStateEnvelope
  | AirbyteLogEnvelope
  | AirbyteSpecEnvelope
  | AirbyteConnectionStatusEnvelope
  | AirbyteCatalogEnvelope
  | AirbyteTraceEnvelope
  | AirbyteControlEnvelope;
