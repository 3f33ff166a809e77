import type { KafkaRecord, RecordBatch } from '@source-kafka/consumer';
import type { JsonValue } from '@source-kafka/deserializers';
import type { KafkaSourceConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { decoders, msg } from '../test/fixtures/records.js';
import { sourceConfig } from '../test/fixtures/source-config.js';
import { BatchWriter } from './batch-writer.js';
import { PoisonMessageError } from './errors.js';
import type { ConnectorLogger } from './protocol.js';
import { SkippedMessages } from './read-rules.js';

function batchOf(...records: KafkaRecord[]): RecordBatch {
  const last = records.at(-1);
  return { topic: 't', partition: 0, records, nextOffset: String(Number(last?.offset ?? -1) + 1) };
}

/** A BatchWriter over fakes that keep what it wrote, rejected and logged. */
function setup(
  overrides: {
    layout?: Partial<KafkaSourceConfig['layout']>;
    badMessagePolicy?: 'fail' | 'skip';
    isPoison?: (error: unknown) => string | undefined;
  } = {},
  paced = true,
) {
  const written: { stream: string; data: JsonValue }[] = [];
  const rejected: string[] = [];
  const warnings: string[] = [];
  const logger: ConnectorLogger = {
    log: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: () => undefined,
  };
  const skippedMessages = new SkippedMessages(logger);
  const writer = new BatchWriter({
    config: {
      layout: { ...sourceConfig.layout, ...overrides.layout },
      badMessagePolicy: overrides.badMessagePolicy ?? 'fail',
    },
    decoders,
    sink: {
      writeRecordData: (stream, data) => {
        const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
        written.push({ stream, data: JSON.parse(text) as JsonValue });
        return paced;
      },
    },
    checkpointer: { reject: (stream) => void rejected.push(stream) },
    skippedMessages,
    logger,
    isPoison: overrides.isPoison,
  });
  return { writer, written, rejected, warnings, skippedMessages };
}

const valuesOf = (written: readonly { data: JsonValue }[]) =>
  written.map((w) => (w.data as { value: JsonValue }).value);

describe('BatchWriter', () => {
  it('writes every record of a batch in order and moves past the batch', async () => {
    const { writer, written } = setup();
    const outcome = await writer.write(batchOf(msg(0, '{"a":1}'), msg(1, '{"a":2}')), Infinity, 5);
    expect(valuesOf(written)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(outcome).toEqual({ written: 2, paced: true, nextOffset: '2', cut: false, poison: undefined });
  });

  it('stops at the allowance of the record cap, before the first record it leaves out', async () => {
    const { writer, written } = setup();
    const outcome = await writer.write(batchOf(msg(0, '1'), msg(1, '2'), msg(2, '3')), 2, 5);
    expect(valuesOf(written)).toEqual([1, 2]);
    expect(outcome).toMatchObject({ written: 2, nextOffset: '2', cut: true });
  });

  it('counts no record for an allowance of zero and stays at the first record', async () => {
    const { writer, written } = setup();
    const outcome = await writer.write(batchOf(msg(7, '1')), 0, 5);
    expect(written).toEqual([]);
    expect(outcome).toMatchObject({ written: 0, nextOffset: '7', cut: true });
  });

  it('under the fail policy, ends the batch before a poison message with state up to the message before it', async () => {
    const { writer, written, rejected } = setup();
    const outcome = await writer.write(
      batchOf(msg(0, '1'), msg(1, '2'), msg(2, 'not json'), msg(3, '4')),
      Infinity,
      5,
    );
    expect(valuesOf(written)).toEqual([1, 2]);
    expect(outcome).toMatchObject({ written: 2, nextOffset: '2', cut: false });
    expect(outcome.poison).toBeInstanceOf(PoisonMessageError);
    expect(outcome.poison?.message).toContain('offset 2');
    expect(rejected).toEqual([]);
  });

  it('under the skip policy, passes a poison message over, counts it and goes on', async () => {
    const { writer, written, rejected, warnings, skippedMessages } = setup({ badMessagePolicy: 'skip' });
    const outcome = await writer.write(batchOf(msg(0, '1'), msg(1, 'not json'), msg(2, '3')), Infinity, 5);
    expect(valuesOf(written)).toEqual([1, 3]);
    expect(outcome).toMatchObject({ written: 2, nextOffset: '3', poison: undefined });
    expect(rejected).toEqual(['t']);
    expect(skippedMessages.total).toBe(1);
    expect(warnings).toEqual(['Skipped the message at topic "t", partition 0, offset 1: not JSON: not json']);
  });

  it('throws an error that is not about the message bytes whatever the policy', async () => {
    // As a registry that cannot be reached: the error says nothing about the message bytes.
    const { writer, rejected } = setup({ badMessagePolicy: 'skip', isPoison: () => undefined });
    await expect(writer.write(batchOf(msg(0, '1'), msg(1, 'not json')), Infinity, 5)).rejects.toThrow(
      'not JSON',
    );
    expect(rejected).toEqual([]);
  });

  it('skips and counts messages without a key under the message-key primary key, warning once', async () => {
    const { writer, written, rejected, warnings } = setup({ layout: { primaryKey: 'message_key' } });
    const outcome = await writer.write(
      batchOf(msg(0, '1', 'k'), msg(1, '2'), msg(2, '3'), msg(3, '4', 'k')),
      Infinity,
      5,
    );
    expect(valuesOf(written)).toEqual([1, 4]);
    expect(outcome).toMatchObject({ written: 2, nextOffset: '4' });
    expect(writer.nullKeys).toBe(2);
    expect(rejected).toEqual(['t', 't']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('offset 1: it has no key');
  });

  it('writes messages without a key when the offset is the primary key', async () => {
    const { writer, written } = setup();
    await writer.write(batchOf(msg(0, '1'), msg(1, '2')), Infinity, 5);
    expect(valuesOf(written)).toEqual([1, 2]);
    expect(writer.nullKeys).toBe(0);
  });

  it('reports when the sink asked it to wait, after writing the whole batch', async () => {
    const { writer, written } = setup({}, false);
    const outcome = await writer.write(batchOf(msg(0, '1'), msg(1, '2')), Infinity, 5);
    expect(written).toHaveLength(2);
    expect(outcome).toMatchObject({ written: 2, paced: false });
  });

  it('passes Debezium truncates and the tombstone after a delete over, and skips a value of another shape', async () => {
    const { writer, written, rejected } = setup({
      layout: { envelope: 'debezium' },
      badMessagePolicy: 'skip',
    });
    const outcome = await writer.write(
      batchOf(
        msg(0, '{"op":"c","before":null,"after":{"id":1},"ts_ms":5}', 'k1'),
        msg(1, '{"op":"d","before":{"id":1},"after":null,"ts_ms":6}', 'k1'),
        msg(2, null, 'k1'),
        msg(3, '{"op":"t","before":null,"after":null,"ts_ms":7}'),
        msg(4, '{"op":"x"}', 'k2'),
        msg(5, null, 'k2'),
      ),
      Infinity,
      5,
    );
    expect(valuesOf(written)).toEqual([{ id: 1 }, { id: 1 }]);
    expect(written.map((w) => (w.data as Record<string, JsonValue>)._ab_cdc_deleted_at !== null)).toEqual([
      false,
      true,
    ]);
    expect(outcome).toMatchObject({ written: 2, nextOffset: '6', poison: undefined });
    expect(writer.truncates).toBe(1);
    expect(rejected).toEqual(['t']);
  });

  it('writes a Debezium tombstone without its delete under the message-key primary key', async () => {
    const { writer, written } = setup({ layout: { envelope: 'debezium', primaryKey: 'message_key' } });
    const outcome = await writer.write(batchOf(msg(0, null, 'k1')), Infinity, 5);
    expect(outcome.written).toBe(1);
    expect(written).toHaveLength(1);
  });
});
