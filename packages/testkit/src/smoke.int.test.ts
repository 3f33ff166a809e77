import { KafkaJSSASLAuthenticationError } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { type ClientOptions, createKafka, type ListenerName } from './clients.js';
import { consumeMessages } from './consume.js';
import { createTopic, produceMessages } from './topics.js';

const conn = inject('broker');

interface Route {
  readonly title: string;
  readonly listener: ListenerName;
  readonly client?: ClientOptions;
}

const routes: readonly Route[] = [
  { title: 'PLAINTEXT', listener: 'plaintext' },
  { title: 'SASL_PLAINTEXT with PLAIN', listener: 'saslPlaintext', client: { mechanism: 'plain' } },
  {
    title: 'SASL_PLAINTEXT with SCRAM-SHA-256',
    listener: 'saslPlaintext',
    client: { mechanism: 'scram-sha-256' },
  },
  {
    title: 'SASL_PLAINTEXT with SCRAM-SHA-512',
    listener: 'saslPlaintext',
    client: { mechanism: 'scram-sha-512' },
  },
  {
    title: 'SASL_PLAINTEXT with OAUTHBEARER',
    listener: 'saslPlaintext',
    client: { mechanism: 'oauthbearer' },
  },
  { title: 'SSL', listener: 'ssl' },
  { title: 'SSL with a client certificate (mTLS)', listener: 'mtls' },
  { title: 'SASL_SSL with PLAIN', listener: 'saslSsl', client: { mechanism: 'plain' } },
  { title: 'SASL_SSL with SCRAM-SHA-512', listener: 'saslSsl', client: { mechanism: 'scram-sha-512' } },
  { title: 'SASL_SSL with OAUTHBEARER', listener: 'saslSsl', client: { mechanism: 'oauthbearer' } },
];

/** Connects an admin client that gives up at the first failure, and reports how it ended. */
async function connectOnce(listener: ListenerName, client: ClientOptions): Promise<unknown> {
  const admin = createKafka(conn, listener, { ...client, retries: 0, connectionTimeout: 5_000 }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

describe('the test broker', () => {
  it.each(routes)('produces and consumes over $title', async ({ title, listener, client }) => {
    const topic = await createTopic(conn, { prefix: `smoke-${listener}`, partitions: 2 });
    const values = ['first', 'second', 'third'].map((word) => `${word} over ${title}`);
    await produceMessages(
      conn,
      topic,
      values.map((value, index) => ({ key: `k${index}`, value, partition: index % 2 })),
      { listener },
    );
    const consumed = await consumeMessages(conn, topic, values.length, {
      listener,
      ...(client !== undefined ? { client } : {}),
    });
    expect(consumed.map(({ message }) => message.value?.toString()).sort()).toEqual([...values].sort());
    expect(new Set(consumed.map(({ partition }) => partition))).toEqual(new Set([0, 1]));
  });

  it('refuses a wrong PLAIN password', async () => {
    const error = await connectOnce('saslPlaintext', { mechanism: 'plain', password: 'not-the-password' });
    expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError);
  });

  it('refuses a wrong SCRAM-SHA-256 password over SASL_SSL', async () => {
    const error = await connectOnce('saslSsl', { mechanism: 'scram-sha-256', password: 'not-the-password' });
    expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError);
  });

  it('accepts the right password on the same route', async () => {
    expect(await connectOnce('saslSsl', { mechanism: 'scram-sha-256' })).toBeUndefined();
  });

  it('refuses an mTLS client without a certificate', async () => {
    // The 'ssl' factory sends no client certificate; point it at the mTLS port.
    const withoutCert = { ...conn, ssl: { ...conn.ssl, brokers: conn.mtls.brokers } };
    const client = createKafka(withoutCert, 'ssl', { retries: 0, connectionTimeout: 5_000 }).admin();
    await expect(client.connect().then(() => client.describeCluster())).rejects.toThrow(
      /certificate|socket|closed/i,
    );
    await client.disconnect().catch(() => undefined);
  });

  it('refuses a broker certificate signed by an unrelated CA', async () => {
    const client = createKafka(
      { ...conn, ssl: { ...conn.ssl, tls: { ...conn.ssl.tls, caPem: conn.ssl.tls.otherCaPem } } },
      'ssl',
      { retries: 0, connectionTimeout: 5_000 },
    ).admin();
    await expect(client.connect()).rejects.toThrow(/certificate/i);
    await client.disconnect().catch(() => undefined);
  });
});
