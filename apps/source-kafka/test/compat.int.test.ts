import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  catalogFor,
  failureOf,
  ofType,
  recordsOf,
  runCli,
  statesOf,
  streamStatuses,
  traceErrors,
} from './cli.js';

const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');

const orderSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

describe('a config saved for the Java connector', () => {
  let topic: string;

  beforeAll(async () => {
    topic = await createTopic(conn, { prefix: 'app-java', partitions: 2 });
    // Encoded by a third-party client, so the wire format is not ours.
    const client = new SchemaRegistry({ host: registry.ccompatUrl });
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderSchema) },
      { subject: `${topic}-value` },
    );
    await produceMessages(
      conn,
      topic,
      await Promise.all(
        Array.from({ length: 6 }, async (_, i) => ({
          key: `order-${i}`,
          value: await client.encode(id, { id: i, item: `item-${i}`, note: i % 2 === 0 ? null : 'gift' }),
          partition: i % 2,
        })),
      ),
      { listener: 'saslPlaintext' },
    );
  });

  /** Exactly the Java connector's field names, nesting and values; nothing from our additions. */
  function javaConfig(subscription: Record<string, unknown>): Record<string, unknown> {
    const { username, password } = conn.saslPlaintext.users.plain;
    return {
      bootstrap_servers: conn.saslPlaintext.brokers.join(','),
      subscription,
      protocol: {
        security_protocol: 'SASL_PLAINTEXT',
        sasl_mechanism: 'PLAIN',
        sasl_jaas_config: `org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}";`,
      },
      MessageFormat: {
        deserialization_type: 'AVRO',
        deserialization_strategy: 'TopicNameStrategy',
        schema_registry_url: registry.ccompatUrl,
        schema_registry_username: '',
        schema_registry_password: '',
      },
      group_id: 'java-shaped-group',
      client_id: 'java-shaped-client',
      test_topic: topic,
      max_poll_records: 500,
      polling_time: 100,
      enable_auto_commit: false,
      auto_commit_interval_ms: 5000,
      client_dns_lookup: 'use_all_dns_ips',
      retry_backoff_ms: 100,
      request_timeout_ms: 30000,
      receive_buffer_bytes: 32768,
      auto_offset_reset: 'earliest',
      repeated_calls: 3,
      max_records_process: 100000,
    };
  }

  it.each([
    ['subscribe', () => ({ subscription_type: 'subscribe', topic_pattern: topic })],
    ['assign', () => ({ subscription_type: 'assign', topic_partitions: `${topic}:0, ${topic}:1` })],
  ])(
    'works unchanged with %s: check, discover with the Avro schema, read decoded records',
    async (_l, sub) => {
      const config = javaConfig(sub());
      const check = await runCli('check', { config });
      expect(ofType(check.messages, 'CONNECTION_STATUS')).toEqual([{ status: 'SUCCEEDED' }]);

      const discover = await runCli('discover', { config });
      const [catalog] = ofType<{ streams: Array<{ name: string; json_schema: Record<string, unknown> }> }>(
        discover.messages,
        'CATALOG',
      );
      expect(catalog?.streams.map((s) => s.name)).toEqual([topic]);
      const value = (catalog!.streams[0]!.json_schema.properties as Record<string, { properties?: object }>)
        .value;
      expect(Object.keys(value?.properties ?? {})).toEqual(['id', 'item', 'note']);

      const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'incremental' }) });
      expect(read.exitCode, failureOf(read)).toBe(0);
      const records = recordsOf(read.messages).sort(
        (a, b) => (a.data.value as { id: number }).id - (b.data.value as { id: number }).id,
      );
      expect(records.map((r) => r.data.value)).toEqual(
        Array.from({ length: 6 }, (_, i) => ({
          id: i,
          item: `item-${i}`,
          note: i % 2 === 0 ? null : 'gift',
        })),
      );
      expect(records[0]?.data._kafka_key).toBe('order-0');
      expect(statesOf(read.messages).at(-1)?.stream.stream_state.partitions).toEqual({ '0': '3', '1': '3' });
    },
  );
});

function saslConfig(password: string): Record<string, unknown> {
  const { username } = conn.saslPlaintext.users.plain;
  return {
    bootstrap_servers: conn.saslPlaintext.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: '.*' },
    protocol: {
      security_protocol: 'SASL_PLAINTEXT',
      sasl_mechanism: 'PLAIN',
      sasl_jaas_config: `org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}";`,
    },
    request_timeout_ms: 5000,
  };
}

describe('read with a wrong password', () => {
  it('ends every configured stream INCOMPLETE and fails with a config error, without the password', async () => {
    const secret = 'wrong-Read-Pa55word';
    // The topics need not exist: listing them is what the broker refuses.
    const result = await runCli('read', {
      config: saslConfig(secret),
      catalog: catalogFor({ 'orders-a': 'incremental', 'orders-b': 'full_refresh' }),
    });
    expect(result.exitCode).toBe(1);
    expect(streamStatuses(result.messages)).toEqual(['orders-a:INCOMPLETE', 'orders-b:INCOMPLETE']);
    const errors = traceErrors(result.messages);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.failure_type).toBe('config_error');
    expect(errors[0]?.message).toMatch(/authentication/i);
    expect(recordsOf(result.messages)).toHaveLength(0);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe('check FAILED', () => {
  async function failedCheck(config: Record<string, unknown>): Promise<{ message: string; output: string }> {
    const result = await runCli('check', { config });
    expect(result.exitCode, failureOf(result)).toBe(0);
    const [status] = ofType<{ status: string; message: string }>(result.messages, 'CONNECTION_STATUS');
    expect(status?.status).toBe('FAILED');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    return { message: status!.message, output: result.stdout + result.stderr };
  }

  it('names the authentication failure for a wrong password, without the password', async () => {
    const secret = 'wrong-Pa55word-xyz';
    const { message, output } = await failedCheck(saslConfig(secret));
    expect(message).toMatch(/authentication/i);
    expect(output).not.toContain(secret);
  });

  it('names the bootstrap servers for an unknown host', async () => {
    const config = {
      ...saslConfig('irrelevant-secret-1'),
      bootstrap_servers: 'no-such-host.invalid:9092',
      protocol: { security_protocol: 'PLAINTEXT' },
    };
    const { message } = await failedCheck(config);
    expect(message).toContain('no-such-host.invalid:9092');
  });

  it('says the registry failed for a registry that refuses connections: a TRACE and exit 1, its password kept out', async () => {
    const secret = 'registry-Secret-123';
    const config = {
      bootstrap_servers: conn.plaintext.brokers.join(','),
      subscription: { subscription_type: 'subscribe', topic_pattern: '.*' },
      protocol: { security_protocol: 'PLAINTEXT' },
      MessageFormat: { deserialization_type: 'AVRO', deserialization_strategy: 'TopicNameStrategy' },
      schema_registry: { url: 'http://127.0.0.1:1', username: 'u', password: secret },
      request_timeout_ms: 5000,
    };
    // Connection refused may pass on retry, so as in the CDK's entrypoint the check itself fails.
    const result = await runCli('check', { config });
    expect(result.exitCode).toBe(1);
    expect(ofType(result.messages, 'CONNECTION_STATUS')).toEqual([]);
    const [error] = traceErrors(result.messages);
    expect(error?.failure_type).toBe('transient_error');
    expect(error?.message).toMatch(/registry/i);
    expect(error?.message).toContain('127.0.0.1:1');
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe('a PLAINTEXT client pointed at a listener that expects SASL or TLS', () => {
  it.each([
    ['SASL_PLAINTEXT', () => conn.saslPlaintext.brokers],
    ['SSL', () => conn.ssl.brokers],
  ])('gets a config error suggesting the security protocol (%s listener)', async (_listener, brokers) => {
    const config = {
      bootstrap_servers: brokers().join(','),
      subscription: { subscription_type: 'subscribe', topic_pattern: '.*' },
      protocol: { security_protocol: 'PLAINTEXT' },
      request_timeout_ms: 5000,
    };
    const check = await runCli('check', { config });
    expect(check.exitCode, failureOf(check)).toBe(0);
    const [status] = ofType<{ status: string; message: string }>(check.messages, 'CONNECTION_STATUS');
    expect(status?.status).toBe('FAILED');
    expect(status?.message).toContain('set protocol.security_protocol');

    const discover = await runCli('discover', { config });
    expect(discover.exitCode).toBe(1);
    const [error] = traceErrors(discover.messages);
    expect(error?.failure_type).toBe('config_error');
    expect(error?.message).toContain('set protocol.security_protocol');
  });
});
