// What the port asks the consumer for: the consumer is replaced by a recorder of its requests, since only the
// mapping from the connector's config and starts to a bounded-read request is under test here.
import type { BoundedRead, BoundedReadRequest, StopReason } from '@source-kafka/consumer';
import { parseConfig } from '@source-kafka/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKafkaPort } from './kafka-port.js';

const requests = vi.hoisted(() => [] as BoundedReadRequest[]);
/** How each next read opened ends; 'end' when empty. */
const stopReasons = vi.hoisted(() => [] as StopReason[]);

vi.mock('@source-kafka/consumer', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@source-kafka/consumer')>()),
  openBoundedRead: async (request: BoundedReadRequest): Promise<BoundedRead> => {
    requests.push(request);
    const stopReason = stopReasons.shift() ?? 'end';
    return {
      readGroupId: 'g.read.x',
      ranges: [],
      reports: [],
      summary: () => ({ stopReason, recordsRead: 0, nextOffsets: [] }),
      close: async () => {},
      async *[Symbol.asyncIterator]() {},
    };
  },
}));

const config = parseConfig({
  bootstrap_servers: 'localhost:9092',
  subscription: { subscription_type: 'subscribe', topic_pattern: '.*' },
  protocol: { security_protocol: 'PLAINTEXT' },
  group_id: 'connector-group',
  auto_offset_reset: 'latest',
  max_poll_records: 77,
  max_records_process: 500,
  read_bounds: { max_duration_seconds: 60 },
});

const deps = { logger: { debug() {}, info() {}, warn() {}, error() {} }, clock: { now: () => 0 } };

afterEach(() => {
  requests.length = 0;
  stopReasons.length = 0;
});

describe('the Kafka port', () => {
  it('reads full-refresh partitions from the log start and the others from their state, with no cap', async () => {
    const port = createKafkaPort(config, deps);
    const session = await port.openRead([
      { topic: 'a', partition: 0, earliest: true },
      { topic: 'a', partition: 1, earliest: true },
      { topic: 'b', partition: 2, offset: '40' },
      { topic: 'b', partition: 3 },
    ]);
    await session.close();
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      groupIdPrefix: 'connector-group',
      partitions: [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 1 },
      ],
      startPosition: { type: 'earliest' },
      isolationLevel: 'read_committed',
      limits: { maxBufferedRecords: 77, brokerOutageMs: 60_000 },
    });
    expect(requests[1]).toMatchObject({
      partitions: [
        { topic: 'b', partition: 2, offset: '40' },
        { topic: 'b', partition: 3, offset: undefined },
      ],
      startPosition: { type: 'latest' },
    });
    // Caps, layout and policies are the app's: the request names none of them (how long to wait for brokers
    // that went away is the read's own business).
    for (const request of requests) {
      expect(Object.keys(request).sort()).toEqual([
        'connection',
        'groupIdPrefix',
        'isolationLevel',
        'limits',
        'partitions',
        'startPosition',
      ]);
      expect(Object.keys(request.limits ?? {})).toEqual(['maxBufferedRecords', 'brokerOutageMs']);
    }
  });

  it.each([
    [['end', 'end'], 'end'],
    [['end', 'stalled'], 'stalled'],
    [['stalled', 'closed'], 'stalled'],
    [['closed', 'end'], 'closed'],
  ] as const)('ends a session whose reads ended %j as %s', async (reasons, expected) => {
    stopReasons.push(...reasons);
    const port = createKafkaPort(config, deps);
    const session = await port.openRead([
      { topic: 'a', partition: 0, earliest: true },
      { topic: 'b', partition: 2, offset: '40' },
    ]);
    expect(session.stopReason()).toBe(expected);
  });
});
