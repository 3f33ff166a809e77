// Small constructors for the messages a source emits, so connectors never hand-build envelopes.
import type {
  AirbyteCatalog,
  AirbyteCatalogEnvelope,
  AirbyteConnectionStatusEnvelope,
  AirbyteControlEnvelope,
  AirbyteEstimateTraceMessage,
  AirbyteGlobalState,
  AirbyteLogEnvelope,
  AirbyteRecordEnvelope,
  AirbyteRecordMessageMeta,
  AirbyteSpecEnvelope,
  AirbyteStateBlob,
  AirbyteStateEnvelope,
  AirbyteStateStats,
  AirbyteStreamStatus,
  AirbyteStreamStatusReason,
  AirbyteTraceEnvelope,
  ConnectionStatus,
  ConnectorSpecification,
  EstimateType,
  FailureType,
  LogLevel,
  StreamDescriptor,
} from './messages.js';

export interface RecordOptions {
  readonly namespace?: string | undefined;
  readonly meta?: AirbyteRecordMessageMeta | undefined;
}

export function recordMessage(
  stream: string,
  data: Record<string, unknown>,
  emittedAt: number,
  options: RecordOptions = {},
): AirbyteRecordEnvelope {
  // Key order matches the protocol docs; undefined fields are left out rather than written as absent keys.
  const record: AirbyteRecordEnvelope['record'] =
    options.namespace === undefined
      ? { stream, data, emitted_at: Math.trunc(emittedAt) }
      : { namespace: options.namespace, stream, data, emitted_at: Math.trunc(emittedAt) };
  if (options.meta !== undefined) record.meta = options.meta;
  return { type: 'RECORD', record };
}

export interface StateOptions {
  /** Records emitted for this stream since the previous state message. */
  readonly recordCount?: number | undefined;
  /** Messages skipped (not emitted) since the previous state message; written only when given. */
  readonly rejectedRecordCount?: number | undefined;
}

function withStats(options: StateOptions): { sourceStats?: AirbyteStateStats } {
  const stats: AirbyteStateStats = {};
  if (options.recordCount !== undefined) stats.recordCount = options.recordCount;
  if (options.rejectedRecordCount !== undefined) stats.rejectedRecordCount = options.rejectedRecordCount;
  return Object.keys(stats).length === 0 ? {} : { sourceStats: stats };
}

export function streamStateMessage(
  descriptor: StreamDescriptor,
  streamState: AirbyteStateBlob,
  options: StateOptions = {},
): AirbyteStateEnvelope {
  return {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: descriptor, stream_state: streamState },
      ...withStats(options),
    },
  };
}

export function globalStateMessage(
  global: AirbyteGlobalState,
  options: StateOptions = {},
): AirbyteStateEnvelope {
  return {
    type: 'STATE',
    state: {
      type: 'GLOBAL',
      global,
      ...withStats(options),
    },
  };
}

export function logMessage(level: LogLevel, message: string, stackTrace?: string): AirbyteLogEnvelope {
  return stackTrace === undefined
    ? { type: 'LOG', log: { level, message } }
    : { type: 'LOG', log: { level, message, stack_trace: stackTrace } };
}

export function specMessage(spec: ConnectorSpecification): AirbyteSpecEnvelope {
  return { type: 'SPEC', spec };
}

export function catalogMessage(catalog: AirbyteCatalog): AirbyteCatalogEnvelope {
  return { type: 'CATALOG', catalog };
}

export function connectionStatusMessage(
  status: ConnectionStatus,
  message?: string,
): AirbyteConnectionStatusEnvelope {
  return {
    type: 'CONNECTION_STATUS',
    connectionStatus: message === undefined ? { status } : { status, message },
  };
}

export interface ErrorTraceFields {
  /** Short, user-facing sentence. */
  readonly message: string;
  readonly failureType: FailureType;
  readonly internalMessage?: string | undefined;
  readonly stackTrace?: string | undefined;
  readonly streamDescriptor?: StreamDescriptor | undefined;
}

export function errorTraceMessage(fields: ErrorTraceFields, emittedAt: number): AirbyteTraceEnvelope {
  const error: Extract<AirbyteTraceEnvelope['trace'], { type: 'ERROR' }>['error'] = {
    message: fields.message,
    failure_type: fields.failureType,
  };
  if (fields.internalMessage !== undefined) error.internal_message = fields.internalMessage;
  if (fields.stackTrace !== undefined) error.stack_trace = fields.stackTrace;
  if (fields.streamDescriptor !== undefined) error.stream_descriptor = fields.streamDescriptor;
  return { type: 'TRACE', trace: { type: 'ERROR', emitted_at: emittedAt, error } };
}

export function streamStatusMessage(
  descriptor: StreamDescriptor,
  status: AirbyteStreamStatus,
  emittedAt: number,
  reasons?: AirbyteStreamStatusReason[],
): AirbyteTraceEnvelope {
  const streamStatus =
    reasons === undefined
      ? { stream_descriptor: descriptor, status }
      : { stream_descriptor: descriptor, status, reasons };
  return {
    type: 'TRACE',
    trace: { type: 'STREAM_STATUS', emitted_at: emittedAt, stream_status: streamStatus },
  };
}

export interface EstimateFields {
  readonly name: string;
  readonly type?: EstimateType;
  readonly namespace?: string | undefined;
  readonly rowEstimate?: number | undefined;
  readonly byteEstimate?: number | undefined;
}

export function estimateTraceMessage(fields: EstimateFields, emittedAt: number): AirbyteTraceEnvelope {
  const estimate: AirbyteEstimateTraceMessage = { name: fields.name, type: fields.type ?? 'STREAM' };
  if (fields.namespace !== undefined) estimate.namespace = fields.namespace;
  if (fields.rowEstimate !== undefined) estimate.row_estimate = Math.trunc(fields.rowEstimate);
  if (fields.byteEstimate !== undefined) estimate.byte_estimate = Math.trunc(fields.byteEstimate);
  return { type: 'TRACE', trace: { type: 'ESTIMATE', emitted_at: emittedAt, estimate } };
}

/** Asks the platform to persist an updated config (e.g. a refreshed token). */
export function controlConfigMessage(
  config: Record<string, unknown>,
  emittedAt: number,
): AirbyteControlEnvelope {
  return {
    type: 'CONTROL',
    control: { type: 'CONNECTOR_CONFIG', emitted_at: emittedAt, connectorConfig: { config } },
  };
}
