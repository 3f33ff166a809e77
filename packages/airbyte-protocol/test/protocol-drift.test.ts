// Ties the hand-written types to the official YAML: enum values and required fields must match exactly,
// and the generated runtime schemas must equal a fresh extraction.
import { airbyteProtocolDocument } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it } from 'vitest';
import { extractDefinitions } from '../scripts/extract-definitions.js';
import type { FailureType, LogLevel } from '../src/contract.js';
import { protocolDefinitions } from '../src/generated/protocol-schemas.js';
import {
  type AirbyteCatalog,
  type AirbyteConnectionStatus,
  type AirbyteControlConnectorConfigMessage,
  type AirbyteControlMessage,
  type AirbyteErrorTraceMessage,
  type AirbyteEstimateTraceMessage,
  type AirbyteGlobalState,
  type AirbyteLogMessage,
  type AirbyteRecordMessage,
  type AirbyteRecordMessageMetaChange,
  type AirbyteStream,
  type AirbyteStreamState,
  type AirbyteStreamStatusReason,
  type AirbyteStreamStatusTraceMessage,
  CONNECTION_STATUSES,
  CONTROL_TYPES,
  type ConfiguredAirbyteCatalog,
  type ConfiguredAirbyteStream,
  type ConnectorSpecification,
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
  type StreamDescriptor,
  SYNC_MODES,
  TRACE_TYPES,
} from '../src/messages.js';

type Definition = { required?: string[]; enum?: string[]; properties?: Record<string, Definition> };
const definitions = (airbyteProtocolDocument() as { definitions: Record<string, Definition> }).definitions;

function definition(name: string): Definition {
  const found = definitions[name];
  if (!found) throw new Error(`YAML has no definition ${name}`);
  return found;
}

// Compile-time half: the keys listed below must be exactly the required keys of each TS type.
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function requiredOf<T>() {
  return <const K extends readonly string[]>(
    keys: K &
      (Exact<K[number], RequiredKeys<T>> extends true ? unknown : { error: 'keys differ from the type' }),
  ): readonly string[] => keys;
}

const requiredByDefinition: Record<string, readonly string[]> = {
  AirbyteRecordMessage: requiredOf<AirbyteRecordMessage>()(['stream', 'data', 'emitted_at']),
  AirbyteRecordMessageMetaChange: requiredOf<AirbyteRecordMessageMetaChange>()(['field', 'reason', 'change']),
  AirbyteStreamState: requiredOf<AirbyteStreamState>()(['stream_descriptor']),
  AirbyteGlobalState: requiredOf<AirbyteGlobalState>()(['stream_states']),
  StreamDescriptor: requiredOf<StreamDescriptor>()(['name']),
  AirbyteLogMessage: requiredOf<AirbyteLogMessage>()(['level', 'message']),
  AirbyteErrorTraceMessage: requiredOf<AirbyteErrorTraceMessage>()(['message']),
  AirbyteEstimateTraceMessage: requiredOf<AirbyteEstimateTraceMessage>()(['name', 'type']),
  AirbyteStreamStatusReason: requiredOf<AirbyteStreamStatusReason>()(['type']),
  AirbyteStreamStatusTraceMessage: requiredOf<AirbyteStreamStatusTraceMessage>()([
    'stream_descriptor',
    'status',
  ]),
  AirbyteControlMessage: requiredOf<AirbyteControlMessage>()(['type', 'emitted_at']),
  AirbyteControlConnectorConfigMessage: requiredOf<AirbyteControlConnectorConfigMessage>()(['config']),
  AirbyteConnectionStatus: requiredOf<AirbyteConnectionStatus>()(['status']),
  AirbyteCatalog: requiredOf<AirbyteCatalog>()(['streams']),
  AirbyteStream: requiredOf<AirbyteStream>()(['name', 'json_schema', 'supported_sync_modes']),
  ConfiguredAirbyteCatalog: requiredOf<ConfiguredAirbyteCatalog>()(['streams']),
  ConfiguredAirbyteStream: requiredOf<ConfiguredAirbyteStream>()([
    'stream',
    'sync_mode',
    'destination_sync_mode',
  ]),
  ConnectorSpecification: requiredOf<ConnectorSpecification>()(['connectionSpecification']),
  // AirbyteStateMessage has no required fields: every key of the TS type is optional.
  AirbyteStateMessage: [],
};

// `type` and `emitted_at` of a trace live on each union member; the YAML requires both.
const traceRequired = ['type', 'emitted_at'] as const;

const enumByLocation: Array<
  [string, readonly string[], (d: Record<string, Definition>) => string[] | undefined]
> = [
  ['AirbyteMessage.type', MESSAGE_TYPES, (d) => d.AirbyteMessage?.properties?.type?.enum],
  ['AirbyteLogMessage.level', LOG_LEVELS, (d) => d.AirbyteLogMessage?.properties?.level?.enum],
  [
    'AirbyteErrorTraceMessage.failure_type',
    FAILURE_TYPES,
    (d) => d.AirbyteErrorTraceMessage?.properties?.failure_type?.enum,
  ],
  ['AirbyteStateType', STATE_TYPES, (d) => d.AirbyteStateType?.enum],
  ['AirbyteTraceMessage.type', TRACE_TYPES, (d) => d.AirbyteTraceMessage?.properties?.type?.enum],
  [
    'AirbyteEstimateTraceMessage.type',
    ESTIMATE_TYPES,
    (d) => d.AirbyteEstimateTraceMessage?.properties?.type?.enum,
  ],
  ['AirbyteStreamStatus', STREAM_STATUSES, (d) => d.AirbyteStreamStatus?.enum],
  ['AirbyteStreamStatusReasonType', STREAM_STATUS_REASON_TYPES, (d) => d.AirbyteStreamStatusReasonType?.enum],
  [
    'AirbyteConnectionStatus.status',
    CONNECTION_STATUSES,
    (d) => d.AirbyteConnectionStatus?.properties?.status?.enum,
  ],
  ['SyncMode', SYNC_MODES, (d) => d.SyncMode?.enum],
  ['DestinationSyncMode', DESTINATION_SYNC_MODES, (d) => d.DestinationSyncMode?.enum],
  [
    'AirbyteRecordMessageMetaChange.change',
    RECORD_CHANGES,
    (d) => d.AirbyteRecordMessageMetaChange?.properties?.change?.enum,
  ],
  [
    'AirbyteRecordMessageMetaChange.reason',
    RECORD_CHANGE_REASONS,
    (d) => d.AirbyteRecordMessageMetaChange?.properties?.reason?.enum,
  ],
  ['AirbyteControlMessage.type', CONTROL_TYPES, (d) => d.AirbyteControlMessage?.properties?.type?.enum],
];

// The contract's unions must stay the same sets as the arrays checked against the YAML.
const failureTypesMatch: Exact<FailureType, (typeof FAILURE_TYPES)[number]> = true;
const logLevelsMatch: Exact<LogLevel, (typeof LOG_LEVELS)[number]> = true;

describe('types against the official protocol YAML', () => {
  it.each(Object.entries(requiredByDefinition))('%s has the same required fields', (name, required) => {
    expect([...required].sort()).toEqual([...(definition(name).required ?? [])].sort());
  });

  it('AirbyteTraceMessage requires type and emitted_at, as every trace union member does', () => {
    expect([...(definition('AirbyteTraceMessage').required ?? [])].sort()).toEqual([...traceRequired].sort());
  });

  it.each(enumByLocation)('%s has the same enum values', (_where, ours, read) => {
    expect([...ours]).toEqual(read(definitions));
  });

  it('keeps the contract unions in step with the checked arrays', () => {
    expect([failureTypesMatch, logLevelsMatch]).toEqual([true, true]);
  });

  it('the generated runtime schemas equal a fresh extraction from the YAML (run `pnpm generate:schemas`)', () => {
    const fresh = extractDefinitions(airbyteProtocolDocument());
    expect(JSON.parse(JSON.stringify(protocolDefinitions))).toEqual(fresh.definitions);
  });
});
