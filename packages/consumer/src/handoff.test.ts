import { describe, expect, it } from 'vitest';
import { Handoff } from './handoff.js';

describe('Handoff', () => {
  it('makes the producer wait while more than the capacity is buffered', async () => {
    const handoff = new Handoff<string>(10);
    let secondPushed = false;
    await handoff.push('a', 8);
    const second = handoff.push('b', 8).then(() => {
      secondPushed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondPushed).toBe(false);
    expect(handoff.take()).toBe('a');
    await second;
    expect(secondPushed).toBe(true);
    expect(handoff.take()).toBe('b');
    expect(handoff.take()).toBeUndefined();
  });

  it('keeps order between weighted items and bookkeeping items', async () => {
    const handoff = new Handoff<number>(100);
    await handoff.push(1, 5);
    handoff.put(2);
    await handoff.push(3, 5);
    expect([handoff.take(), handoff.take(), handoff.take()]).toEqual([1, 2, 3]);
  });

  it('releases a waiting producer and a waiting reader on close', async () => {
    const handoff = new Handoff<string>(1);
    const waiting = handoff.push('x', 5);
    handoff.close();
    await waiting;
    await handoff.waitForItem();
    expect(handoff.take()).toBeUndefined();
  });

  it('wakes a reader when an item arrives', async () => {
    const handoff = new Handoff<string>(1);
    const waited = handoff.waitForItem();
    handoff.put('y');
    await waited;
    expect(handoff.take()).toBe('y');
  });
});
