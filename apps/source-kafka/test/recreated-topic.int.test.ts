// #13 item 2 on the real broker: a topic deleted and recreated that grows past the old saved offset is
// noticed by its topic ID, reported, and read from the configured start position (here earliest).
import { type BrokerConnection, createTopic, deleteTopics, produceMessages } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import {
  catalogFor,
  failureOf,
  logsOf,
  plaintextConfig,
  recordsOf,
  runCli,
  stateInput,
  statesOf,
} from './cli.js';

const conn: BrokerConnection = inject('broker');

const messages = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: JSON.stringify({ i }) }));

describe('a recreated topic', () => {
  it('larger than the old one is read from the start position, with a warning naming it', async () => {
    const topic = await createTopic(conn, { prefix: 'app-recreated', partitions: 1 });
    await produceMessages(conn, topic, messages('old', 100));
    const config = plaintextConfig(conn, topic);
    const catalog = catalogFor({ [topic]: 'incremental' });
    const first = await runCli('read', { config, catalog });
    expect(first.exitCode, failureOf(first)).toBe(0);
    const state = stateInput(first.messages);
    const saved = state[0]?.stream.stream_state as { partitions: Record<string, string>; topic_id?: string };
    expect(saved.partitions).toEqual({ '0': '100' });
    expect(saved.topic_id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    await deleteTopics(conn, [topic]);
    for (let attempt = 0; ; attempt++) {
      try {
        await createTopic(conn, { name: topic, partitions: 1 });
        break;
      } catch (error) {
        if (attempt >= 60) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await produceMessages(conn, topic, messages('new', 150));

    const second = await runCli('read', { config, catalog, state });
    expect(second.exitCode, failureOf(second)).toBe(0);
    const records = recordsOf(second.messages);
    expect(records.map((r) => r.data._kafka_offset)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(records.map((r) => r.data._kafka_key)).toEqual(messages('new', 150).map((m) => m.key));
    const warning = logsOf(second.messages).find(
      (l) => l.level === 'WARN' && l.message.includes('recreated'),
    );
    expect(warning?.message).toContain(`Topic "${topic}" was deleted and recreated since the last sync`);
    const last = statesOf(second.messages).at(-1)?.stream.stream_state as { topic_id?: string };
    expect(last.topic_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(last.topic_id).not.toBe(saved.topic_id);
  });
});
