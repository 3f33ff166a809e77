import { describe, expect, it } from 'vitest';
import { ConsumerError } from './errors.js';
import { compileSubscribePattern, selectTopics } from './topics.js';

const cluster = new Map<string, number>([
  ['orders', 3],
  ['orders-dlq', 1],
  ['payments', 2],
  ['__consumer_offsets', 50],
  ['__transaction_state', 50],
  ['_schemas', 1],
]);

describe('compileSubscribePattern', () => {
  it('matches the whole topic name, as Java matches() does', () => {
    const regex = compileSubscribePattern('orders');
    expect(regex.test('orders')).toBe(true);
    expect(regex.test('orders-dlq')).toBe(false);
    expect(regex.test('my-orders')).toBe(false);
  });

  it('anchors every alternative, not only the first and last', () => {
    const regex = compileSubscribePattern('a|b');
    expect(regex.test('a')).toBe(true);
    expect(regex.test('xa')).toBe(false);
    expect(regex.test('bx')).toBe(false);
  });

  it('refuses an invalid pattern with a config error naming it', () => {
    expect(() => compileSubscribePattern('orders(')).toThrowError(/orders\(/);
    try {
      compileSubscribePattern('[');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConsumerError);
      expect((error as ConsumerError).retriable).toBe(false);
    }
  });
});

describe('selectTopics', () => {
  it('selects matching topics with all their partitions and never internal topics', () => {
    const selection = selectTopics({ type: 'subscribe', pattern: '.*' }, cluster);
    expect(selection.topics).toEqual([
      { name: 'orders', partitions: 3 },
      { name: 'orders-dlq', partitions: 1 },
      { name: 'payments', partitions: 2 },
    ]);
    expect(selection.partitions.get('orders')).toEqual([0, 1, 2]);
    expect(selection.partitions.has('_schemas')).toBe(false);
  });

  it('selects exactly the assigned partitions, deduplicated and sorted', () => {
    const selection = selectTopics(
      {
        type: 'assign',
        partitions: [
          { topic: 'orders', partition: 2 },
          { topic: 'orders', partition: 0 },
          { topic: 'orders', partition: 2 },
        ],
      },
      cluster,
    );
    expect(selection.partitions.get('orders')).toEqual([0, 2]);
    expect(selection.topics).toEqual([{ name: 'orders', partitions: 3 }]);
  });

  it('reports every missing topic and partition by name', () => {
    expect(() =>
      selectTopics(
        {
          type: 'assign',
          partitions: [
            { topic: 'orders', partition: 3 },
            { topic: 'nope', partition: 0 },
            { topic: 'payments', partition: 1 },
          ],
        },
        cluster,
      ),
    ).toThrowError(/orders:3 \(topic has 3 partitions\), nope:0 \(topic does not exist\)/);
  });

  it('refuses to assign an internal topic', () => {
    expect(() =>
      selectTopics({ type: 'assign', partitions: [{ topic: '__consumer_offsets', partition: 0 }] }, cluster),
    ).toThrowError(/internal topics.*__consumer_offsets:0/);
  });
});
