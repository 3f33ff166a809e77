import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import {
  catalogFor,
  failureOf,
  logsOf,
  ofType,
  plaintextConfig,
  recordsOf,
  runCli,
  stateInput,
  statesOf,
  streamStatuses,
  traceErrors,
} from './cli.js';

const conn: BrokerConnection = inject('broker');

const plainConfig = (topicPattern: string, extra: Record<string, unknown> = {}) =>
  plaintextConfig(conn, topicPattern, extra);

describe('source-kafka CLI', () => {
  it('answers spec with a specification', async () => {
    const result = await runCli('spec');
    expect(result.exitCode, failureOf(result)).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['SPEC']);
  });

  it('checks, discovers and reads only the configured stream in full refresh', async () => {
    const selected = await createTopic(conn, { prefix: 'app-sel', partitions: 2 });
    const other = await createTopic(conn, { prefix: 'app-other', partitions: 1 });
    await produceMessages(
      conn,
      selected,
      Array.from({ length: 20 }, (_, i) => ({
        key: `k${i}`,
        value: JSON.stringify({ i }),
        partition: i % 2,
      })),
    );
    await produceMessages(conn, other, [{ value: '{"other":true}' }]);
    const config = plainConfig(`${selected}|${other}`, { test_topic: selected });

    const check = await runCli('check', { config });
    expect(ofType(check.messages, 'CONNECTION_STATUS')).toEqual([{ status: 'SUCCEEDED' }]);

    const discover = await runCli('discover', { config });
    const catalog = ofType<{ streams: Array<Record<string, unknown>> }>(discover.messages, 'CATALOG')[0]!;
    expect(catalog.streams.map((s) => s.name)).toEqual([selected, other].sort());
    expect(catalog.streams[0]).toMatchObject({
      supported_sync_modes: ['full_refresh', 'incremental'],
      source_defined_cursor: true,
      default_cursor_field: ['_kafka_offset'],
      source_defined_primary_key: [['_kafka_partition'], ['_kafka_offset']],
    });

    const read = await runCli('read', { config, catalog: catalogFor({ [selected]: 'full_refresh' }) });
    expect(read.exitCode, failureOf(read)).toBe(0);
    const records = recordsOf(read.messages);
    expect(records).toHaveLength(20);
    expect(new Set(records.map((r) => r.stream))).toEqual(new Set([selected]));
    expect(records.map((r) => (r.data.value as { i: number }).i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(streamStatuses(read.messages)).toEqual([
      `${selected}:STARTED`,
      `${selected}:RUNNING`,
      `${selected}:COMPLETE`,
    ]);
    const estimate = read.messages.find(
      (m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ESTIMATE',
    );
    expect(estimate?.trace).toMatchObject({ estimate: { name: selected, type: 'STREAM', row_estimate: 20 } });
    const last = statesOf(read.messages).at(-1)!;
    expect(last.stream.stream_state).toEqual({
      version: 1,
      partitions: { '0': '10', '1': '10' },
      topic_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(last.sourceStats?.recordCount).toBe(20);
  });

  it('reads each stream in its own sync mode in one sync', async () => {
    const full = await createTopic(conn, { prefix: 'app-mode-full', partitions: 2 });
    const incr = await createTopic(conn, { prefix: 'app-mode-incr', partitions: 2 });
    await produceMessages(
      conn,
      full,
      Array.from({ length: 6 }, (_, i) => ({ value: `${i}`, partition: i % 2 })),
    );
    await produceMessages(
      conn,
      incr,
      Array.from({ length: 6 }, (_, i) => ({ value: `${i}`, partition: i % 2 })),
    );
    // latest: a first incremental sync starts at the end; full refresh ignores it and starts at the log start.
    // The record cap bounds incremental streams only: the full-refresh stream is read whole past it.
    const config = plainConfig(`${full}|${incr}`, {
      start_position: { position: 'latest' },
      max_records_process: 2,
    });
    const catalog = catalogFor({ [full]: 'full_refresh', [incr]: 'incremental' });
    const state = [
      {
        type: 'STREAM',
        stream: { stream_descriptor: { name: incr }, stream_state: { version: 1, partitions: { '0': '2' } } },
      },
    ];
    const read = await runCli('read', { config, catalog, state });
    expect(read.exitCode, failureOf(read)).toBe(0);
    const ids = recordsOf(read.messages).map(
      (r) => `${r.stream}:${r.data._kafka_partition}:${r.data._kafka_offset}`,
    );
    expect(ids.filter((id) => id.startsWith(full)).sort()).toEqual(
      ['0:0', '0:1', '0:2', '1:0', '1:1', '1:2'].map((p) => `${full}:${p}`),
    );
    // Partition 0 resumes at its state offset; partition 1 has no state and starts at latest.
    expect(ids.filter((id) => id.startsWith(incr))).toEqual([`${incr}:0:2`]);
    const finals = stateInput(read.messages);
    expect(finals.map((s) => [s.stream.stream_descriptor.name, s.stream.stream_state.partitions])).toEqual([
      [full, { '0': '3', '1': '3' }],
      [incr, { '0': '3', '1': '3' }],
    ]);
  });

  it('reads only the assigned partitions under an assign subscription', async () => {
    const topic = await createTopic(conn, { prefix: 'app-assign', partitions: 3 });
    await produceMessages(
      conn,
      topic,
      Array.from({ length: 9 }, (_, i) => ({ value: `${i}`, partition: i % 3 })),
    );
    const config = plainConfig(topic, {
      subscription: { subscription_type: 'assign', topic_partitions: `${topic}:1` },
    });
    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'incremental' }) });
    expect(read.exitCode, failureOf(read)).toBe(0);
    expect(recordsOf(read.messages).map((r) => `${r.data._kafka_partition}:${r.data._kafka_offset}`)).toEqual(
      ['1:0', '1:1', '1:2'],
    );
    expect(statesOf(read.messages).at(-1)?.stream.stream_state.partitions).toEqual({ '1': '3' });
  });

  it('writes keys, headers and tombstones as documented', async () => {
    const topic = await createTopic(conn, { prefix: 'app-layout', partitions: 1 });
    await produceMessages(conn, topic, [
      {
        key: 'user-1',
        value: '{"name":"Ada"}',
        headers: { trace: 'abc', dup: ['one', 'two'], bin: Buffer.from([0xff, 0x00, 0xfe]) },
        timestamp: '1700000000123',
      },
      { key: 'user-1', value: null },
      { key: null, value: '"just a string"' },
    ]);
    const config = plainConfig(topic, { record_layout: { include_headers: true } });
    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'incremental' }) });
    const [first, tombstone, keyless] = recordsOf(read.messages).map((r) => r.data);
    expect(first).toEqual({
      value: { name: 'Ada' },
      _kafka_key: 'user-1',
      _kafka_headers: [
        { key: 'trace', value: 'abc', encoding: 'utf8' },
        { key: 'dup', value: 'one', encoding: 'utf8' },
        { key: 'dup', value: 'two', encoding: 'utf8' },
        { key: 'bin', value: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'), encoding: 'base64' },
      ],
      _kafka_topic: topic,
      _kafka_partition: 0,
      _kafka_offset: 0,
      _kafka_timestamp: '2023-11-14T22:13:20.123Z',
      _kafka_timestamp_type: 'CreateTime',
      _kafka_is_tombstone: false,
    });
    expect(tombstone).toMatchObject({
      value: null,
      _kafka_key: 'user-1',
      _kafka_is_tombstone: true,
      _kafka_offset: 1,
    });
    expect(keyless).toMatchObject({ value: 'just a string', _kafka_key: null, _kafka_is_tombstone: false });
  });

  it('flattens object values when configured', async () => {
    const topic = await createTopic(conn, { prefix: 'app-flat', partitions: 1 });
    await produceMessages(conn, topic, [{ value: '{"a":1,"b":{"c":2}}' }]);
    const config = plainConfig(topic, { record_layout: { value_layout: 'flatten' } });
    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
    expect(recordsOf(read.messages)[0]?.data).toMatchObject({ a: 1, b: { c: 2 }, _kafka_offset: 0 });
  });

  it('fails at a poison message after writing the records and state before it, and again on rerun', async () => {
    const topic = await createTopic(conn, { prefix: 'app-poison', partitions: 1 });
    await produceMessages(conn, topic, [
      { value: '{"n":0}' },
      { value: '{"n":1}' },
      { value: '{not json' },
      { value: '{"n":3}' },
    ]);
    const config = plainConfig(topic);
    const catalog = catalogFor({ [topic]: 'incremental' });
    const first = await runCli('read', { config, catalog });
    expect(first.exitCode).toBe(1);
    expect(recordsOf(first.messages)).toHaveLength(2);
    expect(statesOf(first.messages).at(-1)?.stream.stream_state.partitions).toEqual({ '0': '2' });
    const [error] = traceErrors(first.messages);
    expect(error?.message).toContain(`topic "${topic}", partition 0, offset 2`);
    expect(error?.failure_type).toBe('config_error');
    expect(error?.stream_descriptor).toEqual({ name: topic });
    expect(streamStatuses(first.messages).at(-1)).toBe(`${topic}:INCOMPLETE`);
    // The state comes before the error, so the platform keeps it.
    const stateAt = first.messages.findLastIndex((m) => m.type === 'STATE');
    const errorAt = first.messages.findIndex(
      (m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ERROR',
    );
    expect(stateAt).toBeLessThan(errorAt);

    const rerun = await runCli('read', { config, catalog, state: stateInput(first.messages) });
    expect(rerun.exitCode).toBe(1);
    expect(recordsOf(rerun.messages)).toHaveLength(0);
    expect(traceErrors(rerun.messages)[0]?.message).toContain('offset 2');
  });

  it('skips and counts a poison message under the skip policy', async () => {
    const topic = await createTopic(conn, { prefix: 'app-skip', partitions: 1 });
    await produceMessages(conn, topic, [
      { value: '{"n":0}' },
      { value: '\u0000garbage' },
      { value: '{"n":2}' },
    ]);
    const config = plainConfig(topic, { error_handling: { bad_message_policy: 'skip' } });
    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'incremental' }) });
    expect(read.exitCode, failureOf(read)).toBe(0);
    expect(recordsOf(read.messages).map((r) => r.data._kafka_offset)).toEqual([0, 2]);
    expect(statesOf(read.messages).at(-1)?.stream.stream_state.partitions).toEqual({ '0': '3' });
    const warnings = logsOf(read.messages).filter((l) => l.level === 'WARN');
    expect(warnings.some((l) => l.message.includes('offset 1'))).toBe(true);
    expect(warnings.some((l) => l.message.includes('Skipped 1 message'))).toBe(true);
  });
});
