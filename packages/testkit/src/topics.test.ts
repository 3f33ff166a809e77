import { describe, expect, it } from 'vitest';
import { fixtureProducerConfig, uniqueTopicName } from './topics.js';

const LEGAL = /^[a-zA-Z0-9._-]+$/;

describe('uniqueTopicName', () => {
  it('keeps a clean prefix and appends time and randomness', () => {
    const name = uniqueTopicName('orders', () => Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(name).toMatch(/^orders-[0-9a-z]+-deadbeef$/);
  });

  it('turns a test title into legal topic characters', () => {
    const name = uniqueTopicName('reads über: SASL/SSL!');
    expect(name).toMatch(LEGAL);
    expect(name.startsWith('reads-ber-SASL-SSL-')).toBe(true);
  });

  it('never exceeds the 249 characters Kafka allows', () => {
    expect(uniqueTopicName('x'.repeat(400)).length).toBeLessThanOrEqual(249);
  });

  it('differs between calls', () => {
    const names = new Set(Array.from({ length: 50 }, () => uniqueTopicName('same')));
    expect(names.size).toBe(50);
  });
});

describe('fixtureProducerConfig', () => {
  it('is idempotent with one request in flight, so kafkajs retries never duplicate fixtures', () => {
    for (const config of [fixtureProducerConfig(), fixtureProducerConfig('testkit-tx')]) {
      expect(config.idempotent).toBe(true);
      expect(config.maxInFlightRequests).toBe(1);
    }
    expect(fixtureProducerConfig().transactionalId).toBeUndefined();
    expect(fixtureProducerConfig('testkit-tx').transactionalId).toBe('testkit-tx');
  });
});
