import { type BrokerConnection, createKafka, fixtureProducerConfig } from '@source-kafka/testkit';
import type { OutMessage } from './ledger.js';
import type { Message } from './run-cli.js';

/** A seeded generator (mulberry32), so a failing trial can be rerun with the same choices (FAULTS_SEED). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const between = (random: () => number, low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));

/**
 * Produces `count` messages whose key is a unique id (`<prefix>-<n>`) and whose value is a small JSON object,
 * in chunks (a record batch must stay under the broker's size limit). Resolves with the ids.
 */
export async function produceIds(
  conn: BrokerConnection,
  topic: string,
  prefix: string,
  count: number,
  first = 0,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${first + i}`);
  if (count === 0) return ids;
  const producer = createKafka(conn, 'plaintext', { clientId: 'faults-producer' }).producer(
    fixtureProducerConfig(),
  );
  await producer.connect();
  try {
    for (let i = 0; i < ids.length; i += 2_000) {
      await producer.send({
        topic,
        acks: -1,
        messages: ids.slice(i, i + 2_000).map((id) => ({
          key: id,
          value: JSON.stringify({ id, note: 'fault suite message', n: Number(id.split('-').at(-1)) }),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
  return ids;
}

/** The record and STATE messages of one stream, in order, for the ledger. */
export function ledgerMessages(messages: readonly Message[], stream: string): OutMessage[] {
  const out: OutMessage[] = [];
  for (const m of messages) {
    if (m.type === 'RECORD') {
      const record = m.record as { stream: string; data: Record<string, unknown> };
      if (record.stream !== stream) continue;
      const key = record.data._kafka_key;
      out.push({
        kind: 'record',
        record: {
          partition: Number(record.data._kafka_partition),
          offset: String(record.data._kafka_offset),
          id: typeof key === 'string' ? key : undefined,
        },
      });
    } else if (m.type === 'STATE') {
      const state = m.state as {
        stream?: {
          stream_descriptor: { name: string };
          stream_state: { partitions: Record<string, string> };
        };
      };
      if (state.stream?.stream_descriptor.name !== stream) continue;
      out.push({ kind: 'state', partitions: state.stream.stream_state.partitions });
    }
  }
  return out;
}

/** The state file a platform would pass after receiving these partitions as the stream's last STATE. */
export function stateFile(stream: string, partitions: Readonly<Record<string, string>>): unknown {
  return [
    {
      type: 'STREAM',
      stream: { stream_descriptor: { name: stream }, stream_state: { version: 1, partitions } },
    },
  ];
}

export function catalog(stream: string, mode: 'incremental' | 'full_refresh'): unknown {
  return {
    streams: [
      {
        stream: { name: stream, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: mode,
        destination_sync_mode: mode === 'incremental' ? 'append' : 'overwrite',
      },
    ],
  };
}

export function plaintextConfig(
  conn: BrokerConnection,
  topic: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    bootstrap_servers: conn.plaintext.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: topic.replace(/[.]/g, '\\.') },
    protocol: { security_protocol: 'PLAINTEXT' },
    start_position: { position: 'earliest' },
    group_id: `faults-${topic}`,
    enable_auto_commit: false,
    request_timeout_ms: 10_000,
    ...extra,
  };
}
