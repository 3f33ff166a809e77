import { describe, expect, it } from 'vitest';
import { Checkpointer } from './checkpointer.js';

function fakeClock(start = 0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('Checkpointer', () => {
  it('is due after N records and reports only the streams that moved', () => {
    const clock = fakeClock();
    const cp = new Checkpointer({ everyRecords: 3, everyMs: 60_000, clock });
    cp.addStream('a', { '0': '0' });
    cp.addStream('b', { '0': '5' });
    cp.checkpoint();
    cp.advance('a', 0, '2', 2);
    expect(cp.isDue()).toBe(false);
    cp.advance('a', 0, '3', 1);
    expect(cp.isDue()).toBe(true);
    expect(cp.checkpoint()).toEqual([
      { stream: 'a', state: { version: 1, partitions: { '0': '3' } }, recordCount: 3, rejectedCount: 0 },
    ]);
    expect(cp.isDue()).toBe(false);
  });

  it('is due after T milliseconds of the injected clock when something moved since the last checkpoint', () => {
    const clock = fakeClock();
    const cp = new Checkpointer({ everyRecords: 1000, everyMs: 5000, clock });
    cp.addStream('a', { '0': '0' });
    cp.checkpoint();
    clock.advance(10_000);
    expect(cp.isDue()).toBe(false);
    cp.advance('a', 0, '1', 1);
    expect(cp.isDue()).toBe(true);
    cp.checkpoint();
    cp.advance('a', 0, '2', 1);
    clock.advance(4999);
    expect(cp.isDue()).toBe(false);
    clock.advance(1);
    expect(cp.isDue()).toBe(true);
  });

  it('counts rejected messages per stream until the next checkpoint', () => {
    const cp = new Checkpointer({ everyRecords: 10, everyMs: 1000, clock: fakeClock() });
    cp.addStream('a', { '0': '0' });
    cp.reject('a');
    cp.reject('a');
    cp.advance('a', 0, '3', 1);
    expect(cp.checkpoint()).toMatchObject([{ stream: 'a', recordCount: 1, rejectedCount: 2 }]);
    cp.advance('a', 0, '4', 1);
    expect(cp.checkpoint()).toMatchObject([{ stream: 'a', recordCount: 1, rejectedCount: 0 }]);
    expect(() => cp.reject('nope')).toThrow('never added');
  });

  it('gives every stream a final state, with zero records for one that never moved', () => {
    const cp = new Checkpointer({ everyRecords: 10, everyMs: 1000, clock: fakeClock() });
    cp.addStream('a', { '0': '0', '1': '4' });
    cp.addStream('idle', { '0': '9' });
    cp.advance('a', 1, '6', 2);
    cp.checkpoint();
    cp.advance('a', 0, '1', 1);
    expect(cp.finalCheckpoint()).toEqual([
      {
        stream: 'a',
        state: { version: 1, partitions: { '0': '1', '1': '6' } },
        recordCount: 1,
        rejectedCount: 0,
      },
      { stream: 'idle', state: { version: 1, partitions: { '0': '9' } }, recordCount: 0, rejectedCount: 0 },
    ]);
    expect(cp.recordsWritten).toBe(3);
  });

  it('orders partitions numerically in the state', () => {
    const cp = new Checkpointer({ everyRecords: 10, everyMs: 1000, clock: fakeClock() });
    cp.addStream('a', { '10': '1', '2': '1', '1': '1' });
    expect(Object.keys(cp.stateOf('a')!.partitions)).toEqual(['1', '2', '10']);
  });

  it('moves a partition forward past records-less offsets, never back', () => {
    const cp = new Checkpointer({ everyRecords: 10, everyMs: 1000, clock: fakeClock() });
    cp.addStream('a', { '0': '5' });
    cp.moveForward('a', 0, '7');
    cp.moveForward('a', 0, '6');
    cp.moveForward('a', 9, '100');
    expect(cp.stateOf('a')).toEqual({ version: 1, partitions: { '0': '7' } });
  });
});
