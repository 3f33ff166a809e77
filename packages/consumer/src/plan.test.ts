import { describe, expect, it } from 'vitest';
import { type PlanInput, planPartition } from './plan.js';

const snapshot = { topic: 't', partition: 1, logStart: '100', end: '200', timestampOffset: '150' };
const base: PlanInput = { snapshot, startPosition: { type: 'earliest' } };

describe('planPartition', () => {
  it('starts at the state offset when there is one', () => {
    expect(planPartition({ ...base, stateOffset: '123' }).range).toEqual({
      topic: 't',
      partition: 1,
      logStart: '100',
      end: '200',
      start: '123',
    });
  });

  it('uses the configured start position without state', () => {
    expect(planPartition(base).range.start).toBe('100');
    expect(planPartition({ ...base, startPosition: { type: 'latest' } }).range.start).toBe('200');
    expect(planPartition({ ...base, startPosition: { type: 'timestamp', timestampMs: 1 } }).range.start).toBe(
      '150',
    );
  });

  it('fails a partition without state under "none", naming it', () => {
    expect(() => planPartition({ ...base, startPosition: { type: 'none' } })).toThrowError(
      /t:1 has no offset/,
    );
  });

  it('reports a retention gap with the lost count and continues from the log start', () => {
    const planned = planPartition({ ...base, stateOffset: '40' });
    expect(planned.range.start).toBe('100');
    expect(planned.report).toEqual({
      kind: 'retention_gap',
      topic: 't',
      partition: 1,
      requestedOffset: '40',
      logStart: '100',
      lostOffsets: '60',
    });
  });

  it('reports a state offset beyond the end and falls back to the start position', () => {
    const planned = planPartition({ ...base, stateOffset: '900' });
    expect(planned.range.start).toBe('100');
    expect(planned.report).toMatchObject({ kind: 'offset_beyond_end', requestedOffset: '900', end: '200' });
  });

  it('keeps offsets beyond 2^53 exact', () => {
    const big = { topic: 't', partition: 0, logStart: '9007199254740993', end: '9007199254740999' };
    const planned = planPartition({ ...base, snapshot: big, stateOffset: '9007199254740991' });
    expect(planned.report).toMatchObject({ lostOffsets: '2' });
    expect(planned.range.start).toBe('9007199254740993');
  });

  it('treats a state offset equal to the end as an empty range', () => {
    const range = planPartition({ ...base, stateOffset: '200' }).range;
    expect(range.start).toBe(range.end);
  });
});
