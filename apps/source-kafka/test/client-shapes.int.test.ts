// The catalog and state files Airbyte's Python clients wrote (every unset field `null`, kept in
// packages/airbyte-protocol/test/fixtures/clients), through the CLI against the real broker.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { failureOf, ofType, plaintextConfig, recordsOf, runCli, stateInput } from './cli.js';

const conn: BrokerConnection = inject('broker');

// Written by the clients themselves (packages/airbyte-protocol/test/fixtures/clients/generate.py).
const clientFixtures = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../packages/airbyte-protocol/test/fixtures/clients',
);

function clientFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(clientFixtures, name), 'utf8')) as T;
}

type Fields = Record<string, unknown>;

/**
 * The catalog airbyte-cdk's standard tests wrote (`orjson.dumps(asdict(catalog))`: every optional field null),
 * with the stream we discovered in place of its own.
 */
function cdkStandardTestsCatalog(stream: Fields): unknown {
  const written = clientFixture<{ streams: Array<Fields & { stream: Fields }> }>(
    'cdk-standard-tests-catalog.json',
  );
  const [entry] = written.streams;
  if (entry === undefined) throw new Error('cdk-standard-tests-catalog.json holds no stream');
  return { streams: [{ ...entry, stream: { ...entry.stream, ...stream } }] };
}

interface PyAirbyteState extends Fields {
  readonly stream: { readonly stream_descriptor: Fields };
  readonly sourceStats: Fields | null;
}

/** PyAirbyte's `to_state_input_file_text()` as it wrote it, carrying our STATE's stream, state and count. */
function pyairbyteState(state: ReturnType<typeof stateInput>[number]): unknown {
  const [written] = clientFixture<PyAirbyteState[]>('pyairbyte-stream-state.json');
  if (written === undefined) throw new Error('pyairbyte-stream-state.json holds no state');
  const recordCount = (state as { sourceStats?: { recordCount?: number } }).sourceStats?.recordCount;
  return {
    ...written,
    stream: {
      stream_descriptor: { ...written.stream.stream_descriptor, name: state.stream.stream_descriptor.name },
      stream_state: state.stream.stream_state,
    },
    sourceStats: recordCount === undefined ? null : { ...written.sourceStats, recordCount },
  };
}

describe('inputs written by Airbyte clients', () => {
  it('reads with a null-filled catalog, then resumes from PyAirbyte-shaped state without repeating', async () => {
    const topic = await createTopic(conn, { prefix: 'app-client-shapes', partitions: 2 });
    const produce = (from: number, to: number) =>
      produceMessages(
        conn,
        topic,
        Array.from({ length: to - from }, (_, i) => ({
          value: JSON.stringify({ n: from + i }),
          partition: i % 2,
        })),
      );
    await produce(0, 3);
    const config = plaintextConfig(conn, topic);
    const discover = await runCli('discover', { config });
    const [catalog] = ofType<{ streams: Array<Record<string, unknown>> }>(discover.messages, 'CATALOG');
    const configured = cdkStandardTestsCatalog(catalog!.streams[0]!);

    const first = await runCli('read', { config, catalog: configured });
    expect(first.exitCode, failureOf(first)).toBe(0);
    const seen = recordsOf(first.messages).map((r) => (r.data.value as { n: number }).n);
    expect(seen.sort()).toEqual([0, 1, 2]);

    await produce(3, 5);
    const state = stateInput(first.messages).map(pyairbyteState);
    expect(JSON.stringify(state)).toContain('"namespace":null');
    const second = await runCli('read', { config, catalog: configured, state });
    expect(second.exitCode, failureOf(second)).toBe(0);
    expect(
      recordsOf(second.messages)
        .map((r) => (r.data.value as { n: number }).n)
        .sort(),
    ).toEqual([3, 4]);
  });
});
