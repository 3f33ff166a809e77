// The canary of the Metadata v11 hook (src/topic-ids.ts) on the real broker: if kafkajs internals move, the
// IDs stop coming and this fails rather than letting recreated topics go unnoticed.
import { type BrokerConnection, createTopic, deleteTopics } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { fetchTopicIds } from '../src/index.js';
import { deps, testConfig } from './support.js';

const conn: BrokerConnection = inject('broker');

async function recreate(name: string): Promise<void> {
  // Deletion finishes in the background; until then the name is taken.
  for (let attempt = 0; ; attempt++) {
    try {
      await createTopic(conn, { name, partitions: 1 });
      return;
    } catch (error) {
      if (attempt >= 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

describe('fetchTopicIds', () => {
  it('gives each topic its Kafka ID, the same on every ask, and a new one once the topic is recreated', async () => {
    const a = await createTopic(conn, { prefix: 'consumer-topic-ids', partitions: 2 });
    const b = await createTopic(conn, { prefix: 'consumer-topic-ids', partitions: 1 });
    const connection = testConfig(conn.plaintext.brokers);
    const first = await fetchTopicIds(connection, [a, b, 'consumer-topic-ids-no-such-topic'], deps);
    expect(first).toBeInstanceOf(Map);
    expect([...(first?.keys() ?? [])].sort()).toEqual([a, b].sort());
    for (const id of first?.values() ?? []) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first?.get(a)).not.toBe(first?.get(b));
    expect(await fetchTopicIds(connection, [a], deps)).toEqual(new Map([[a, first?.get(a)]]));

    await deleteTopics(conn, [a]);
    await recreate(a);
    const after = await fetchTopicIds(connection, [a], deps);
    expect(after?.get(a)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(after?.get(a)).not.toBe(first?.get(a));
  });
});
