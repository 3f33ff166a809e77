// The start-up path of a bounded read against an in-memory stand-in for kafkajs: what a crash during the group
// join looks like to the read, which no real broker produces on demand.
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsumerError, consumerErrorCodes } from './errors.js';
import { type BoundedReadRequest, openBoundedRead } from './read.js';

const fake = vi.hoisted(() => ({ kafka: undefined as unknown }));

vi.mock('./client.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./client.js')>()),
  createKafka: () => fake.kafka as Kafka,
}));

const request: BoundedReadRequest = {
  connection: {
    brokers: ['broker-1:9092'],
    clientId: 'read-test',
    security: { protocol: 'PLAINTEXT' },
    requestTimeoutMs: 1000,
    retryBackoffMs: 100,
  },
  groupIdPrefix: 'airbyte-source-kafka',
  partitions: [{ topic: 'orders', partition: 0 }],
  startPosition: { type: 'earliest' },
  isolationLevel: 'read_committed',
  limits: { stallTimeoutMs: 1000 },
};

/** What kafkajs' consumer.seek throws once a crash has stopped the consumer (its group is gone). */
const seekAfterCrash = Object.assign(
  new Error('Consumer group was not initialized, consumer#run must be called first'),
  { name: 'KafkaJSNonRetriableError' },
);

/**
 * A one-topic cluster whose read consumer crashes during start-up: run() resolves, seek() throws, and the
 * CRASH event with `crashCause` comes after the seek, as kafkajs orders them.
 */
function crashingCluster(
  seekError: Error,
  crashCause: Error,
  deleteGroups: (ids: string[]) => Promise<unknown> = async () => [],
) {
  const deleted: string[][] = [];
  const listeners = new Map<string, (event: { payload: { error: Error } }) => void>();
  const seeks: string[] = [];
  let disconnected = false;
  const events = {
    GROUP_JOIN: 'consumer.group_join',
    CRASH: 'consumer.crash',
    END_BATCH_PROCESS: 'consumer.end_batch_process',
  };
  const consumer = {
    events,
    on(event: string, listener: (event: { payload: { error: Error } }) => void) {
      listeners.set(event, listener);
      return () => listeners.delete(event);
    },
    connect: async () => {},
    subscribe: async () => {},
    run: async () => {},
    seek({ topic, partition, offset }: { topic: string; partition: number; offset: string }) {
      seeks.push(`${topic}:${partition}@${offset}`);
      setImmediate(() => listeners.get(events.CRASH)?.({ payload: { error: crashCause } }));
      throw seekError;
    },
    pause() {},
    disconnect: async () => {
      disconnected = true;
    },
  };
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    listTopics: async () => ['orders'],
    fetchTopicMetadata: async () => ({
      topics: [{ name: 'orders', partitions: [{ partitionId: 0 }, { partitionId: 1 }] }],
    }),
    fetchTopicOffsets: async () => [
      { partition: 0, offset: '5', low: '0', high: '5' },
      { partition: 1, offset: '5', low: '0', high: '5' },
    ],
    deleteGroups: (ids: string[]) => {
      deleted.push(ids);
      return deleteGroups(ids);
    },
  };
  fake.kafka = { admin: () => admin, consumer: () => consumer };
  return { seeks, deleted, isDisconnected: () => disconnected };
}

function deps() {
  const debug: string[] = [];
  const warnings: string[] = [];
  const logger = {
    debug: (m: string) => debug.push(m),
    info() {},
    warn: (m: string) => warnings.push(m),
    error() {},
  };
  return { deps: { logger, clock: { now: () => Date.now() } }, debug, warnings };
}

afterEach(() => {
  fake.kafka = undefined;
});

describe('a read whose consumer crashes while starting', () => {
  it("fails with the crash's real cause, not kafkajs' refusal to seek", async () => {
    const saslFailure = Object.assign(
      new Error('SASL PLAIN authentication failed: Invalid username or password'),
      {
        name: 'KafkaJSSASLAuthenticationError',
      },
    );
    const cluster = crashingCluster(seekAfterCrash, saslFailure);
    const { deps: d, debug } = deps();
    const read = await openBoundedRead(request, d);

    const error = await read[Symbol.asyncIterator]()
      .next()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect((error as ConsumerError).code).toBe(consumerErrorCodes.authenticationFailed);
    expect((error as ConsumerError).retriable).toBe(false);
    expect((error as ConsumerError).cause).toBe(saslFailure);
    // The first refused seek ends the round: the others would be refused too.
    expect(cluster.seeks).toEqual(['orders:0@0']);
    expect(debug.some((m) => m.includes('Could not seek orders:0') && m.includes('consumer#run'))).toBe(true);
    expect(cluster.isDisconnected()).toBe(true);
  });

  it('still throws any other seek failure', async () => {
    crashingCluster(new Error('offset out of range for orders:0'), new Error('unused'));
    const { deps: d } = deps();
    const read = await openBoundedRead(request, d);
    await expect(read[Symbol.asyncIterator]().next()).rejects.toThrow('offset out of range for orders:0');
  });
});

describe('the temporary read group', () => {
  const failedRead = async (deleteGroups: (ids: string[]) => Promise<unknown>) => {
    const cluster = crashingCluster(
      new Error('offset out of range for orders:0'),
      new Error('unused'),
      deleteGroups,
    );
    const { deps: d, warnings } = deps();
    const read = await openBoundedRead(request, d);
    await read[Symbol.asyncIterator]()
      .next()
      .catch(() => undefined);
    await read.close();
    return { cluster, warnings };
  };

  it('is deleted when the read ends, after its member left', async () => {
    const { cluster, warnings } = await failedRead(async () => []);
    expect(cluster.isDisconnected()).toBe(true);
    expect(cluster.deleted).toHaveLength(1);
    expect(cluster.deleted[0]?.[0]).toMatch(/^airbyte-source-kafka\.read\.[0-9a-f-]{36}$/);
    expect(warnings).toEqual([]);
  });

  it('stays behind with one WARN naming the ACL when the broker refuses to delete it', async () => {
    const refused = Object.assign(new Error('Error in DeleteGroups'), {
      name: 'KafkaJSDeleteGroupsError',
      groups: [{ groupId: 'x', errorCode: 30, error: { type: 'GROUP_AUTHORIZATION_FAILED' } }],
    });
    const { warnings } = await failedRead(async () => {
      throw refused;
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Could not delete the temporary consumer group airbyte-source-kafka\.read\./);
    expect(warnings[0]).toMatch(/Grant Delete on groups prefixed airbyte-source-kafka\.read\./);
  });

  it('needs no WARN when the group was never created', async () => {
    const missing = Object.assign(new Error('Error in DeleteGroups'), {
      name: 'KafkaJSDeleteGroupsError',
      groups: [{ groupId: 'x', errorCode: 69, error: { type: 'GROUP_ID_NOT_FOUND' } }],
    });
    const { warnings } = await failedRead(async () => {
      throw missing;
    });
    expect(warnings).toEqual([]);
  });
});
