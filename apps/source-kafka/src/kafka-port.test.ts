import { parseConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { readConfig } from './kafka-port.js';

const config = parseConfig({
  bootstrap_servers: 'localhost:9092',
  subscription: { subscription_type: 'subscribe', topic_pattern: '.*' },
  protocol: { security_protocol: 'PLAINTEXT' },
  auto_offset_reset: 'latest',
  max_records_process: 500,
  read_bounds: { max_duration_seconds: 60 },
});

describe('readConfig', () => {
  it('narrows a full-refresh read to its partitions, from the log start, without the record cap', () => {
    const narrowed = readConfig(
      config,
      [
        { topic: 'a', partition: 0, earliest: true },
        { topic: 'a', partition: 1, earliest: true },
      ],
      true,
    );
    expect(narrowed.subscription).toEqual({
      type: 'assign',
      partitions: [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 1 },
      ],
    });
    expect(narrowed.startPosition).toEqual({ type: 'earliest' });
    // The app counts records itself across both reads; the time cap stays with the consumer.
    expect(narrowed.bounds).toEqual({ maxDurationMs: 60_000 });
  });

  it('keeps the configured start position for incremental partitions without state', () => {
    expect(readConfig(config, [{ topic: 'b', partition: 2 }], false).startPosition).toEqual({
      type: 'latest',
    });
  });
});
