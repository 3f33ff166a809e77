import { describe, expect, it } from 'vitest';
import { InvalidStateError } from './errors.js';
import { parseTopicState, planPartitionStarts } from './state.js';

describe('parseTopicState', () => {
  it('accepts a version 1 state and normalizes numeric offsets to strings', () => {
    expect(parseTopicState('t', { version: 1, partitions: { '0': '10', '1': 5 } })).toEqual({
      version: 1,
      partitions: { '0': '10', '1': '5' },
    });
  });

  it.each([
    [null, 'must be an object'],
    [{ version: 2, partitions: {} }, 'has version 2'],
    [{ version: 1 }, '"partitions" must be an object'],
    [{ version: 1, partitions: { x: '1' } }, 'partitions."x" is not a partition number'],
    [{ version: 1, partitions: { '0': '-1' } }, 'partitions."0" must be a non-negative offset'],
    [{ version: 1, partitions: { '0': 1.5 } }, 'partitions."0" must be a non-negative offset'],
  ])('rejects %j naming the stream and the field', (raw, message) => {
    expect(() => parseTopicState('orders', raw)).toThrow(InvalidStateError);
    expect(() => parseTopicState('orders', raw)).toThrow(message);
    expect(() => parseTopicState('orders', raw)).toThrow('"orders"');
    expect(() => parseTopicState('orders', raw)).toThrow(
      expect.objectContaining({ streamDescriptor: { name: 'orders' } }),
    );
  });
});

describe('planPartitionStarts', () => {
  it('resumes known partitions and starts new ones at the configured position', () => {
    const plan = planPartitionStarts('t', [0, 1, 2], { version: 1, partitions: { '0': '7', '1': '0' } });
    expect(plan.starts).toEqual([
      { topic: 't', partition: 0, offset: '7' },
      { topic: 't', partition: 1, offset: '0' },
      { topic: 't', partition: 2 },
    ]);
    expect(plan.vanished).toEqual([]);
  });

  it('reports partitions in the state that the topic no longer has', () => {
    const plan = planPartitionStarts('t', [0], { version: 1, partitions: { '0': '1', '3': '9', '2': '4' } });
    expect(plan.vanished).toEqual([2, 3]);
  });

  it('uses the start position for every partition on a first sync', () => {
    expect(planPartitionStarts('t', [0, 1], undefined).starts).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
  });
});
