import { describe, expect, it } from 'vitest';
import { recordsOfBatch } from './empty-batches.js';

const context = { firstOffset: '4294967290', lastOffsetDelta: 9, maxTimestamp: '1700000000000' };

describe('recordsOfBatch', () => {
  it("keeps a batch's own records untouched", () => {
    const records = [{ offset: '1' }, { offset: '2' }];
    expect(recordsOfBatch({ ...context, records })).toBe(records);
  });

  it('stands for an empty batch with one control record at its last offset, past 32 bits', () => {
    const [marker, ...rest] = recordsOfBatch({ ...context, records: [] });
    expect(rest).toEqual([]);
    expect(marker).toMatchObject({
      offset: '4294967299',
      isControlRecord: true,
      key: null,
      value: null,
      timestamp: '1700000000000',
      batchContext: context,
    });
  });
});
