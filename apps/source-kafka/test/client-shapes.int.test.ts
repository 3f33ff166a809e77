// The catalog and state files shaped as Airbyte's Python clients write them (every unset field `null`,
// see packages/airbyte-protocol/test/fixtures/clients), through the CLI against the real broker.
import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { failureOf, ofType, plaintextConfig, recordsOf, runCli, stateInput } from './cli.js';

const conn: BrokerConnection = inject('broker');

/** `orjson.dumps(asdict(catalog))` in airbyte-cdk's standard tests: every optional field written as null. */
function cdkStandardTestsCatalog(stream: Record<string, unknown>): unknown {
  return {
    streams: [
      {
        stream: {
          source_defined_cursor: null,
          default_cursor_field: null,
          source_defined_primary_key: null,
          namespace: null,
          is_resumable: null,
          is_file_based: null,
          ...stream,
        },
        sync_mode: 'incremental',
        destination_sync_mode: 'append',
        cursor_field: null,
        destination_object_name: null,
        primary_key: null,
        generation_id: null,
        minimum_generation_id: null,
        sync_id: null,
        include_files: null,
      },
    ],
  };
}

/** PyAirbyte's `to_state_input_file_text()`: our STATE, parsed and dumped again by pydantic. */
function pyairbyteState(state: ReturnType<typeof stateInput>[number]): unknown {
  const recordCount = (state as { sourceStats?: { recordCount?: number } }).sourceStats?.recordCount;
  return {
    type: 'STREAM',
    stream: {
      stream_descriptor: { name: state.stream.stream_descriptor.name, namespace: null },
      stream_state: state.stream.stream_state,
    },
    global_: null,
    data: null,
    sourceStats: recordCount === undefined ? null : { recordCount, rejectedRecordCount: null },
    destinationStats: null,
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
