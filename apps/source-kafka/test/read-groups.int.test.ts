import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages, withAdmin } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { catalogFor, logsOf, plaintextConfig, recordsOf, runCli } from './cli.js';

// Each read joins a consumer group of its own (kafkajs has no manual assign). It must not outlive the read.

const conn: BrokerConnection = inject('broker');

const groupsWithPrefix = (prefix: string): Promise<string[]> =>
  withAdmin(conn, async (admin) =>
    (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix)),
  );

describe('temporary read groups', () => {
  it('leaves no .read. group behind after check, a full-refresh read and an incremental read', async () => {
    const topic = await createTopic(conn, { prefix: 'app-groups', partitions: 2 });
    await produceMessages(
      conn,
      topic,
      Array.from({ length: 6 }, (_, i) => ({ value: JSON.stringify({ i }), partition: i % 2 })),
    );
    const groupId = `group-${topic}`;
    const config = plaintextConfig(conn, topic, { group_id: groupId, test_topic: topic });

    const check = await runCli('check', { config });
    expect(check.exitCode).toBe(0);
    for (const mode of ['full_refresh', 'incremental'] as const) {
      const read = await runCli('read', { config, catalog: catalogFor({ [topic]: mode }) });
      expect(read.exitCode).toBe(0);
      expect(recordsOf(read.messages)).toHaveLength(6);
      expect(logsOf(read.messages).filter((l) => l.message.includes('temporary consumer group'))).toEqual([]);
    }
    expect(await groupsWithPrefix(`${groupId}.read.`)).toEqual([]);
  });
});
