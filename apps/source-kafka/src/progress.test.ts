import { describe, expect, it } from 'vitest';
import { estimateRows, ProgressTracker } from './progress.js';

const ranges = [
  { topic: 'a', partition: 0, logStart: '0', start: '10', end: '110' },
  { topic: 'a', partition: 1, logStart: '0', start: '0', end: '50' },
  { topic: 'b', partition: 0, logStart: '5', start: '7', end: '7' },
];

describe('estimateRows', () => {
  it('sums end - start per topic', () => {
    expect(estimateRows(ranges)).toEqual([
      { stream: 'a', rowEstimate: 150 },
      { stream: 'b', rowEstimate: 0 },
    ]);
  });
});

describe('ProgressTracker', () => {
  it('reports records, rate and remaining lag once per interval', () => {
    let now = 0;
    const tracker = new ProgressTracker(ranges, { now: () => now }, 10_000);
    tracker.observe('a', 0, '60', 50);
    now = 5000;
    expect(tracker.poll()).toBeUndefined();
    now = 10_000;
    expect(tracker.poll()).toBe(
      'Read 50 records (5 records/s); 100 offsets left to the end snapshotted at start.',
    );
    expect(tracker.poll()).toBeUndefined();
    expect(tracker.isDone()).toBe(false);
    tracker.observe('a', 1, '50', 50);
    expect(tracker.remainingLag()).toBe(50n);
    tracker.observe('a', 0, '110', 50);
    expect(tracker.isDone()).toBe(true);
  });
});
