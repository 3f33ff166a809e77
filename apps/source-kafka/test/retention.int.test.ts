import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages, withAdmin } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import {
  catalogFor,
  failureOf,
  logsOf,
  plaintextConfig,
  recordsOf,
  runCli,
  stateInput,
  traceErrors,
} from './cli.js';

const conn: BrokerConnection = inject('broker');

const config = (topicPattern: string, extra: Record<string, unknown> = {}) =>
  plaintextConfig(conn, topicPattern, extra);

describe('a state offset the partition no longer has', () => {
  it('reports an offset retention deleted as a WARN naming the lost offsets, then reads on; or fails by config', async () => {
    const topic = await createTopic(conn, { prefix: 'app-gap', partitions: 1 });
    await produceMessages(
      conn,
      topic,
      Array.from({ length: 10 }, (_, i) => ({ value: String(i) })),
    );
    const catalog = catalogFor({ [topic]: 'incremental' });
    const first = await runCli('read', { config: config(topic, { max_records_process: 3 }), catalog });
    const state = stateInput(first.messages);
    expect(state[0]?.stream.stream_state.partitions).toEqual({ '0': '3' });
    await withAdmin(conn, async (admin) => {
      // kafkajs finds partition leaders from cached metadata only.
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
    });

    const gap = await runCli('read', { config: config(topic), catalog, state });
    expect(gap.exitCode, failureOf(gap)).toBe(0);
    const warning = logsOf(gap.messages).find((l) => l.level === 'WARN' && l.message.includes(`${topic}:0`));
    expect(warning?.message).toMatch(/3 offsets were deleted by retention/);
    expect(recordsOf(gap.messages).map((r) => r.data._kafka_offset)).toEqual([6, 7, 8, 9]);

    const strict = await runCli('read', {
      config: config(topic, { error_handling: { retention_gap_policy: 'fail' } }),
      catalog,
      state,
    });
    expect(strict.exitCode).toBe(1);
    expect(recordsOf(strict.messages)).toHaveLength(0);
    expect(traceErrors(strict.messages)[0]?.message).toMatch(/below the log start 6/);
    // The error is about one stream, so it names it, as the CDK's stream-level errors do.
    expect(traceErrors(strict.messages)[0]?.stream_descriptor).toEqual({ name: topic });
  });

  it('reports a state offset beyond the end (a recreated topic) as a WARN, and rereads from the start position', async () => {
    const topic = await createTopic(conn, { prefix: 'app-recreated', partitions: 1 });
    await produceMessages(conn, topic, [{ value: '0' }, { value: '1' }]);
    // What a state saved before the topic was deleted and created again looks like.
    const state = [
      {
        type: 'STREAM',
        stream: {
          stream_descriptor: { name: topic },
          stream_state: { version: 1, partitions: { '0': '500' } },
        },
      },
    ];
    const read = await runCli('read', {
      config: config(topic),
      catalog: catalogFor({ [topic]: 'incremental' }),
      state,
    });
    expect(read.exitCode, JSON.stringify(traceErrors(read.messages))).toBe(0);
    const warning = logsOf(read.messages).find((l) => l.level === 'WARN' && l.message.includes(`${topic}:0`));
    expect(warning?.message).toMatch(/state offset 500 is beyond the end 2/);
    expect(recordsOf(read.messages).map((r) => r.data._kafka_offset)).toEqual([0, 1]);
    expect(stateInput(read.messages)[0]?.stream.stream_state.partitions).toEqual({ '0': '2' });
  });
});
