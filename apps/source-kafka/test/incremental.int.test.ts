import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  catalogFor,
  type Message,
  plaintextConfig,
  recordsOf,
  runCli,
  runCliUntil,
  stateInput,
  statesOf,
  traceErrors,
} from './cli.js';

const conn: BrokerConnection = inject('broker');
const TOTAL = 10_000;
// Five syncs in a row, each a child process (a few seconds apiece): more than the default on a loaded CI machine.
const CHAIN_TIMEOUT_MS = 300_000;
const PARTITIONS = 3;

const config = (topicPattern: string, extra: Record<string, unknown> = {}) =>
  plaintextConfig(conn, topicPattern, extra);

/** Every message as "partition:offset", the identity the primary key stands for. */
const idsOf = (messages: readonly Message[]): string[] =>
  recordsOf(messages).map((r) => `${r.data._kafka_partition}:${r.data._kafka_offset}`);

async function seed(prefix: string): Promise<string> {
  const topic = await createTopic(conn, { prefix, partitions: PARTITIONS });
  const batch = 2_000;
  for (let start = 0; start < TOTAL; start += batch) {
    await produceMessages(
      conn,
      topic,
      Array.from({ length: batch }, (_, j) => {
        const n = start + j;
        return { key: `k${n}`, value: JSON.stringify({ n }), partition: n % PARTITIONS };
      }),
    );
  }
  return topic;
}

describe('incremental reads', () => {
  let topic: string;
  beforeAll(async () => {
    topic = await seed('app-incr');
  });

  it(
    'chains capped syncs through their final states until done: every message once, then an empty sync',
    async () => {
      const catalog = catalogFor({ [topic]: 'incremental' });
      const cfg = config(topic, { max_records_process: 3_000 });
      const seen: string[] = [];
      let state: unknown;
      let runs = 0;
      for (;;) {
        runs++;
        const result = await runCli('read', { config: cfg, catalog, state });
        expect(result.exitCode, JSON.stringify(traceErrors(result.messages))).toBe(0);
        const ids = idsOf(result.messages);
        expect(ids.length).toBeLessThanOrEqual(3_000);
        expect(statesOf(result.messages).length).toBeGreaterThan(0);
        state = stateInput(result.messages);
        if (ids.length === 0) break;
        seen.push(...ids);
        expect(runs).toBeLessThan(10);
      }
      expect(runs).toBe(5); // 3000 + 3000 + 3000 + 1000, then the empty one
      expect(seen).toHaveLength(TOTAL);
      expect(new Set(seen).size).toBe(TOTAL);
      const values = new Set<number>();
      // The union is exactly the produced messages, by content as well as by position.
      for (const id of seen) values.add(Number(id.split(':')[1]) * PARTITIONS + Number(id.split(':')[0]));
      expect(values.size).toBe(TOTAL);
    },
    CHAIN_TIMEOUT_MS,
  );

  it.each([
    ['after the first STATE', (m: readonly Message[]) => m.filter((x) => x.type === 'STATE').length >= 1],
    [
      'between two STATEs',
      (m: readonly Message[]) => {
        const states = m.filter((x) => x.type === 'STATE').length;
        const records = m.filter((x) => x.type === 'RECORD').length;
        return states >= 2 && records % 500 === 137;
      },
    ],
    ['late in the read', (m: readonly Message[]) => m.filter((x) => x.type === 'RECORD').length >= 8_500],
  ])(
    'loses nothing when killed %s, duplicating only records after the last STATE',
    async (_label, shouldKill) => {
      const catalog = catalogFor({ [topic]: 'incremental' });
      const cfg = config(topic, { max_records_process: 0, checkpoint: { every_records: 1_000 } });
      const killed = await runCliUntil({ config: cfg, catalog }, shouldKill);
      expect(killed.killed).toBe(true);
      // What the platform kept: the records, and the last STATE printed before the kill.
      const lastStateAt = killed.messages.findLastIndex((m) => m.type === 'STATE');
      expect(lastStateAt).toBeGreaterThanOrEqual(0);
      const committed = stateInput(killed.messages.slice(0, lastStateAt + 1));
      const offsets = committed[0]!.stream.stream_state.partitions;
      const before = idsOf(killed.messages);

      const rerun = await runCli('read', { config: cfg, catalog, state: committed });
      expect(rerun.exitCode, JSON.stringify(traceErrors(rerun.messages))).toBe(0);
      const after = idsOf(rerun.messages);
      const union = new Set([...before, ...after]);
      expect(union.size).toBe(TOTAL);
      const duplicates = after.filter((id) => before.includes(id));
      for (const id of duplicates) {
        const [partition, offset] = id.split(':');
        expect(Number(offset)).toBeGreaterThanOrEqual(Number(offsets[partition!]));
      }
      // The rerun starts exactly at the state: nothing before it is read again.
      for (const id of after) {
        const [partition, offset] = id.split(':');
        expect(Number(offset)).toBeGreaterThanOrEqual(Number(offsets[partition!] ?? 0));
      }
    },
  );

  it('stops on SIGTERM with a final STATE covering every record written, so a rerun repeats nothing', async () => {
    const catalog = catalogFor({ [topic]: 'incremental' });
    const cfg = config(topic, { max_records_process: 0, checkpoint: { every_records: 1_000 } });
    const stopped = await runCliUntil(
      { config: cfg, catalog },
      (m) => m.filter((x) => x.type === 'RECORD').length >= 2_500,
      'SIGTERM',
    );
    expect(stopped.exitCode).toBe(143);
    const before = idsOf(stopped.messages);
    expect(before.length).toBeLessThan(TOTAL);
    const lastRecordAt = stopped.messages.findLastIndex((m) => m.type === 'RECORD');
    const lastStateAt = stopped.messages.findLastIndex((m) => m.type === 'STATE');
    expect(lastStateAt).toBeGreaterThan(lastRecordAt);

    const rerun = await runCli('read', { config: cfg, catalog, state: stateInput(stopped.messages) });
    const after = idsOf(rerun.messages);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(new Set([...before, ...after]).size).toBe(TOTAL);
  });

  it('emits no records and a STATE when nothing is new, and picks up messages produced since', async () => {
    const small = await createTopic(conn, { prefix: 'app-idle', partitions: 2 });
    await produceMessages(conn, small, [{ value: '1', partition: 0 }]);
    const catalog = catalogFor({ [small]: 'incremental' });
    const first = await runCli('read', { config: config(small), catalog });
    expect(idsOf(first.messages)).toEqual(['0:0']);
    const idle = await runCli('read', { config: config(small), catalog, state: stateInput(first.messages) });
    expect(idsOf(idle.messages)).toEqual([]);
    expect(statesOf(idle.messages).at(-1)?.stream.stream_state.partitions).toEqual({ '0': '1', '1': '0' });
    await produceMessages(conn, small, [{ value: '2', partition: 1 }]);
    const next = await runCli('read', { config: config(small), catalog, state: stateInput(idle.messages) });
    expect(idsOf(next.messages)).toEqual(['1:0']);
  });
});
