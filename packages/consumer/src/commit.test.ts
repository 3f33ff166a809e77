import { describe, expect, it } from 'vitest';
import { commitAsStandaloneConsumer, type StandaloneCommitOptions } from './commit.js';
import { ConsumerError } from './errors.js';
import type { OffsetCommitRequest } from './private-cluster.js';

/** A kafkajs protocol error as the broker connection throws it. */
const protocolError = (type: string) =>
  Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });

function fakeCluster(answers: (Error | undefined)[]) {
  const sent: OffsetCommitRequest[] = [];
  let lookups = 0;
  let refreshes = 0;
  const cluster = {
    async findGroupCoordinator() {
      lookups++;
      return {
        async offsetCommit(request: OffsetCommitRequest) {
          sent.push(request);
          const answer = answers.shift();
          if (answer !== undefined) throw answer;
          return {};
        },
      };
    },
    async refreshMetadata() {
      refreshes++;
    },
  };
  return { cluster, sent, counts: () => ({ lookups, refreshes }) };
}

function fakeTime(deadline: number) {
  let now = 0;
  const sleeps: number[] = [];
  const options: StandaloneCommitOptions = {
    clock: { now: () => now },
    deadline,
    initialBackoffMs: 100,
    maxBackoffMs: 400,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { options, sleeps };
}

const request = {
  groupId: 'dashboards',
  topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '42' }] }],
};

describe('commitAsStandaloneConsumer', () => {
  it('sends generation -1 and an empty member id, as a consumer that never joined', async () => {
    const { cluster, sent } = fakeCluster([undefined]);
    await commitAsStandaloneConsumer(cluster, request, fakeTime(10_000).options);
    expect(sent).toEqual([{ ...request, groupGenerationId: -1, memberId: '' }]);
  });

  it('finds the coordinator again, with growing backoff, when it moves', async () => {
    const { cluster, sent, counts } = fakeCluster([
      protocolError('NOT_COORDINATOR_FOR_GROUP'),
      protocolError('GROUP_LOAD_IN_PROGRESS'),
      Object.assign(new Error('Connection closed'), { name: 'KafkaJSConnectionError' }),
      protocolError('GROUP_COORDINATOR_NOT_AVAILABLE'),
      undefined,
    ]);
    const { options, sleeps } = fakeTime(10_000);
    await commitAsStandaloneConsumer(cluster, request, options);
    expect(sent).toHaveLength(5);
    expect(sleeps).toEqual([100, 200, 400, 400]);
    expect(counts()).toEqual({ lookups: 5, refreshes: 4 });
  });

  it('gives up with a TIMEOUT naming the group once the deadline is near', async () => {
    const { cluster, sent } = fakeCluster(
      Array.from({ length: 20 }, () => protocolError('NOT_COORDINATOR_FOR_GROUP')),
    );
    const { options, sleeps } = fakeTime(1_000);
    const error = await commitAsStandaloneConsumer(cluster, request, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retriable: true });
    expect((error as Error).message).toContain('"dashboards"');
    expect((error as Error).message).toContain('NOT_COORDINATOR_FOR_GROUP');
    // 100 + 200 + 400 = 700; the next wait (400) would pass the deadline.
    expect(sleeps).toEqual([100, 200, 400]);
    expect(sent).toHaveLength(4);
  });

  it.each(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'])(
    'reports %s as a group with active members, without retrying',
    async (type) => {
      const { cluster, sent } = fakeCluster([protocolError(type)]);
      const error = await commitAsStandaloneConsumer(cluster, request, fakeTime(10_000).options).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConsumerError);
      expect(error).toMatchObject({ code: 'GROUP_HAS_ACTIVE_MEMBERS', retriable: false });
      expect((error as Error).message).toContain('"dashboards"');
      expect((error as Error).message).toContain(type);
      expect((error as ConsumerError).cause).toMatchObject({ type });
      expect(sent).toHaveLength(1);
    },
  );

  it('passes other broker errors through at once, for classifyError', async () => {
    const denied = protocolError('GROUP_AUTHORIZATION_FAILED');
    const { cluster, sent } = fakeCluster([denied]);
    await expect(commitAsStandaloneConsumer(cluster, request, fakeTime(10_000).options)).rejects.toBe(denied);
    expect(sent).toHaveLength(1);
  });
});
