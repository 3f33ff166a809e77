import type { KafkaRecord } from '@source-kafka/consumer';
import type { FormatConfig, RecordLayoutConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { samplesPerPartition } from './connector.js';
import { discoverStreams } from './discover.js';

const json: FormatConfig = {
  format: 'JSON',
  subjectNameStrategy: 'TopicNameStrategy',
  validateJsonSchema: false,
};
const string: FormatConfig = { ...json, format: 'STRING' };
const layout = (value: RecordLayoutConfig['value']): RecordLayoutConfig => ({
  includeKey: true,
  includeHeaders: false,
  includeMetadata: true,
  value,
  primaryKey: 'offset',
});

function record(offset: number, value: unknown, key: unknown = null): KafkaRecord {
  const bytes = (v: unknown) =>
    v === null ? null : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
  return {
    offset: String(offset),
    timestamp: '1700000000000',
    timestampType: 'CreateTime',
    key: bytes(key),
    value: bytes(value),
    headers: [],
  } as unknown as KafkaRecord;
}

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(`WARN ${m}`) },
  };
}

const samples = new Map([
  [
    'events',
    [
      record(0, { id: 1, at: '2026-11-30T10:00:00Z', user: { name: 'a' } }, { id: 1 }),
      record(1, { id: 2, at: '2026-11-30T10:00:01Z', user: null, score: 1.5 }, { id: 2 }),
      record(2, null, { id: 2 }),
      record(3, '{not json', { id: 3 }),
    ],
  ],
]);

describe('discover with schema inference', () => {
  it('flattens the typed fields of a JSON value into top-level columns and types the key', async () => {
    const { lines, logger } = recordingLogger();
    const [stream] = await discoverStreams({
      topics: [{ name: 'events' }],
      config: {
        valueFormat: json,
        keyFormat: json,
        layout: layout('flatten'),
        schemaInferenceSampleSize: 100,
      },
      registry: undefined,
      logger,
      samples,
    });
    const properties = stream!.json_schema.properties as Record<string, unknown>;
    expect(properties.id).toEqual({ type: 'integer' });
    expect(properties.score).toEqual({ type: ['null', 'number'] });
    expect(properties.at).toEqual({
      type: 'string',
      format: 'date-time',
      airbyte_type: 'timestamp_with_timezone',
    });
    expect(properties.user).toEqual({ type: ['null', 'object'], properties: { name: { type: 'string' } } });
    expect(properties._kafka_key).toMatchObject({
      type: ['null', 'object'],
      properties: { id: { type: 'integer' } },
    });
    expect(JSON.stringify(stream!.json_schema)).not.toContain('"additionalProperties":false');
    expect(lines).toEqual([
      'Topic "events" value: schema inference read 4 message(s) and typed the value from 2 of them; 1 were not valid JSON.',
      'Topic "events" key: schema inference read 4 message(s) and typed the key from 4 of them.',
    ]);
  });

  it('keeps an empty topic as any JSON, and says it read nothing', async () => {
    const { lines, logger } = recordingLogger();
    const [stream] = await discoverStreams({
      topics: [{ name: 'empty' }],
      config: {
        valueFormat: json,
        keyFormat: string,
        layout: layout('nested'),
        schemaInferenceSampleSize: 100,
      },
      registry: undefined,
      logger,
      samples: new Map(),
    });
    const value = (stream!.json_schema.properties as Record<string, Record<string, unknown>>).value!;
    expect(value.type).toEqual(['object', 'array', 'string', 'number', 'boolean', 'null']);
    expect(lines).toEqual([
      'Topic "empty" value: schema inference read 0 message(s), none with a JSON value to type; declared as any JSON.',
    ]);
  });

  it('declares any JSON without a word when the sample size is 0', async () => {
    const { lines, logger } = recordingLogger();
    const [stream] = await discoverStreams({
      topics: [{ name: 'events' }],
      config: { valueFormat: json, keyFormat: json, layout: layout('nested'), schemaInferenceSampleSize: 0 },
      registry: undefined,
      logger,
      samples,
    });
    const value = (stream!.json_schema.properties as Record<string, Record<string, unknown>>).value!;
    expect(value).toEqual({
      type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
      description: 'Any JSON value',
    });
    expect(lines).toEqual([]);
  });
});

describe('samplesPerPartition', () => {
  const config = {
    keyFormat: string,
    valueFormat: json,
    layout: layout('nested'),
    schemaInferenceSampleSize: 1000,
  };

  it("spreads a topic's sample over its partitions, rounding up", () => {
    const per = samplesPerPartition(config);
    expect(per({ name: 't', partitions: 3 })).toBe(334);
    expect(per({ name: 't', partitions: 1 })).toBe(1000);
    expect(per({ name: 't', partitions: 0 })).toBe(0);
  });

  it('samples nothing for formats that need no sample, or with inference off', () => {
    expect(samplesPerPartition({ ...config, valueFormat: string })({ name: 't', partitions: 1 })).toBe(0);
    expect(
      samplesPerPartition({ ...config, schemaInferenceSampleSize: 0 })({ name: 't', partitions: 1 }),
    ).toBe(0);
  });
});
