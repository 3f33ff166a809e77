import { describe, expect, it } from 'vitest';
import { toHeaders } from './read.js';

describe('toHeaders', () => {
  it('keeps duplicate keys in wire order, as bytes, and null values', () => {
    const headers = toHeaders({ a: [Buffer.from('1'), Buffer.from('2')], b: Buffer.from('x'), c: undefined });
    expect(headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual([
      ['a', '1'],
      ['a', '2'],
      ['b', 'x'],
      ['c', null],
    ]);
  });
});
