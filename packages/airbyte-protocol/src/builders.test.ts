import { assertAirbyteMessages, validateAirbyteMessage } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it } from 'vitest';
import {
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
import type { AirbyteMessage } from './messages.js';
import { FAILURE_TYPES, LOG_LEVELS, STREAM_STATUSES } from './messages.js';

const at = 1_700_000_000_123;
const descriptor = { name: 'orders', namespace: 'shop' };

const everyKind: Array<[string, AirbyteMessage]> = [
  ['record', recordMessage('orders', { id: 1 }, at)],
  [
    'record with namespace and meta.changes',
    recordMessage('orders', { id: null }, at + 0.7, {
      namespace: 'shop',
      meta: { changes: [{ field: 'id', change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' }] },
    }),
  ],
  ['stream state', streamStateMessage(descriptor, { offsets: { '0': 12 } }, { recordCount: 3 })],
  ['stream state without stats', streamStateMessage({ name: 'orders' }, {})],
  [
    'stream state with rejected records',
    streamStateMessage(descriptor, { o: 1 }, { recordCount: 2, rejectedRecordCount: 1 }),
  ],
  [
    'global state',
    globalStateMessage(
      {
        shared_state: { epoch: 1 },
        stream_states: [{ stream_descriptor: descriptor, stream_state: { o: 1 } }],
      },
      { recordCount: 10 },
    ),
  ],
  ...LOG_LEVELS.map((level): [string, AirbyteMessage] => [
    `log ${level}`,
    logMessage(level, `a ${level} line`),
  ]),
  ['log with stack', logMessage('ERROR', 'boom', 'Error: boom\n    at x')],
  [
    'spec',
    specMessage({
      documentationUrl: 'https://docs.example.com/kafka',
      connectionSpecification: { type: 'object', properties: {} },
      supportsIncremental: true,
      protocol_version: '0.2.0',
    }),
  ],
  ['connection succeeded', connectionStatusMessage('SUCCEEDED')],
  ['connection failed', connectionStatusMessage('FAILED', 'Broker unreachable.')],
  [
    'catalog',
    catalogMessage({
      streams: [
        {
          name: 'orders',
          namespace: 'shop',
          json_schema: { type: 'object' },
          supported_sync_modes: ['full_refresh', 'incremental'],
          source_defined_cursor: true,
          default_cursor_field: ['_offset'],
          source_defined_primary_key: [['_partition'], ['_offset']],
          is_resumable: true,
        },
      ],
    }),
  ],
  ...FAILURE_TYPES.map((failureType): [string, AirbyteMessage] => [
    `trace error ${failureType}`,
    errorTraceMessage(
      {
        message: 'Something failed.',
        failureType,
        internalMessage: 'Error: x',
        stackTrace: 'Error: x\n    at y',
        streamDescriptor: descriptor,
      },
      at,
    ),
  ]),
  [
    'trace estimate',
    estimateTraceMessage({ name: 'orders', namespace: 'shop', rowEstimate: 5, byteEstimate: 50.5 }, at),
  ],
  ['trace sync estimate', estimateTraceMessage({ name: 'all', type: 'SYNC', rowEstimate: 5 }, at)],
  ...STREAM_STATUSES.map((status): [string, AirbyteMessage] => [
    `stream status ${status}`,
    streamStatusMessage(descriptor, status, at),
  ]),
  [
    'stream status with reason',
    streamStatusMessage(descriptor, 'RUNNING', at, [
      { type: 'RATE_LIMITED', rate_limited: { quota_reset: at } },
    ]),
  ],
  ['control', controlConfigMessage({ token: 'new' }, at)],
];

describe('message builders', () => {
  it.each(everyKind)('%s validates against #/definitions/AirbyteMessage', (_name, message) => {
    expect(validateAirbyteMessage(JSON.parse(JSON.stringify(message)))).toEqual([]);
  });

  it('the whole set passes as output lines', () => {
    const lines = everyKind.map(([, message]) => JSON.stringify(message));
    expect(assertAirbyteMessages(lines)).toHaveLength(everyKind.length);
  });

  it('writes emitted_at and estimates as integers, as the schema requires', () => {
    const record = recordMessage('s', {}, 12.9);
    expect(record.record.emitted_at).toBe(12);
    const estimate = estimateTraceMessage({ name: 's', byteEstimate: 7.8 }, at);
    expect(estimate.trace.type === 'ESTIMATE' && estimate.trace.estimate.byte_estimate).toBe(7);
  });

  it('the validator itself rejects a broken message, so the checks above can fail', () => {
    const broken = {
      type: 'TRACE',
      trace: { type: 'ERROR', emitted_at: at, error: { failure_type: 'oops' } },
    };
    expect(validateAirbyteMessage(broken).join('\n')).toMatch(/message|failure_type/);
  });
});

describe('state stats', () => {
  it('writes rejectedRecordCount beside recordCount, and neither when not given', () => {
    const both = streamStateMessage(descriptor, {}, { recordCount: 2, rejectedRecordCount: 1 });
    expect(both.state.sourceStats).toEqual({ recordCount: 2, rejectedRecordCount: 1 });
    const rejectedOnly = streamStateMessage(descriptor, {}, { rejectedRecordCount: 0 });
    expect(rejectedOnly.state.sourceStats).toEqual({ rejectedRecordCount: 0 });
    expect('sourceStats' in streamStateMessage(descriptor, {}).state).toBe(false);
  });
});
