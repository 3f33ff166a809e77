import { validateConfiguredCatalog } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it } from 'vitest';
import { parseConfiguredCatalog } from './catalog.js';
import { InvalidCatalogError } from './errors.js';

const stream = (name: string, extra: Record<string, unknown> = {}) => ({
  stream: { name, json_schema: { type: 'object' }, supported_sync_modes: ['full_refresh', 'incremental'] },
  sync_mode: 'incremental',
  destination_sync_mode: 'append',
  cursor_field: ['_offset'],
  ...extra,
});

function errorOf(raw: unknown): InvalidCatalogError {
  try {
    parseConfiguredCatalog(raw);
  } catch (error) {
    if (error instanceof InvalidCatalogError) return error;
    throw error;
  }
  throw new Error('expected parseConfiguredCatalog to throw');
}

describe('parseConfiguredCatalog', () => {
  it('returns a catalog the official schema accepts', () => {
    const raw = {
      streams: [
        stream('orders'),
        stream('orders', { stream: { ...stream('orders').stream, namespace: 'b' } }),
      ],
    };
    expect(validateConfiguredCatalog(raw)).toEqual([]);
    expect(parseConfiguredCatalog(raw).streams).toHaveLength(2);
  });

  it.each([
    [null, 'Invalid configured catalog: catalog must be object.'],
    [[], 'Invalid configured catalog: catalog must be object.'],
    [{}, "Invalid configured catalog: catalog: missing required field 'streams'."],
    [{ streams: {} }, 'Invalid configured catalog: catalog.streams must be array.'],
    [
      { streams: [{ sync_mode: 'incremental', destination_sync_mode: 'append' }] },
      "Invalid configured catalog: catalog.streams[0]: missing required field 'stream'.",
    ],
    [
      { streams: [stream('a', { destination_sync_mode: 'merge' })] },
      'Invalid configured catalog: catalog.streams[0].destination_sync_mode must be one of "append", "overwrite", "append_dedup", "update", "soft_delete".',
    ],
    [
      { streams: [stream('a', { stream: { name: 'a', json_schema: {}, supported_sync_modes: [] } })] },
      'Invalid configured catalog: catalog.streams[0].stream.supported_sync_modes must NOT have fewer than 1 items.',
    ],
    [
      { streams: [stream('a', { cursor_field: 'offset' })] },
      'Invalid configured catalog: catalog.streams[0].cursor_field must be array.',
    ],
  ])('rejects %j with a message naming the field', (raw, message) => {
    const error = errorOf(raw);
    expect(error.message).toBe(message);
    expect(error.failureType).toBe('config_error');
    expect(error.code).toBe('AIRBYTE_INVALID_CATALOG');
  });

  it('rejects a repeated stream and a sync mode the stream does not support', () => {
    const fullRefreshOnly = stream('b', {
      stream: { name: 'b', json_schema: {}, supported_sync_modes: ['full_refresh'] },
    });
    expect(errorOf({ streams: [stream('a'), stream('a'), fullRefreshOnly] }).message).toBe(
      "Invalid configured catalog: catalog.streams[1] (stream 'a') repeats catalog.streams[0]; catalog.streams[2] (stream 'b') has sync_mode 'incremental' but the stream supports only full_refresh.",
    );
  });

  it('lists at most ten problems', () => {
    const raw = { streams: Array.from({ length: 15 }, () => ({})) };
    expect(errorOf(raw).message).toMatch(/; and \d+ more problem\(s\)\.$/);
  });
});
