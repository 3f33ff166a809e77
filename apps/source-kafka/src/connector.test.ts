import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type ConnectorContext, runConnector } from '@source-kafka/airbyte-protocol';
import { ConsumerError, consumerErrorCodes, type TopicInfo } from '@source-kafka/consumer';
import {
  type SchemaRegistry,
  SchemaRegistryError,
  schemaRegistryErrorCodes,
} from '@source-kafka/deserializers';
import { parseConfig } from '@source-kafka/spec';
import { assertAirbyteOutput } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it, vi } from 'vitest';
import { createSourceKafkaConnector } from './connector.js';
import { errorCodes, SourceKafkaError } from './errors.js';
import type { KafkaPort } from './ports.js';

const ctx: ConnectorContext = {
  writer: {
    write: () => true,
    writeRecord: () => true,
    ready: async () => {},
    flush: async () => {},
  },
  logger: { log() {}, debug() {}, info() {}, warn() {}, error() {} },
  signal: new AbortController().signal,
  clock: { now: () => 0 },
};

function fakeKafka(topics: TopicInfo[] | Error, readable: Error | undefined = undefined): KafkaPort {
  return {
    listTopics: async () => {
      if (topics instanceof Error) throw topics;
      return topics;
    },
    checkTopicReadable: async () => {
      if (readable !== undefined) throw readable;
    },
    openRead: async () => {
      throw new Error('check never reads');
    },
    sampleLatest: async () => new Map(),
    close: async () => {},
  };
}

function fakeRegistry(failure?: Error): SchemaRegistry {
  const fail = async (): Promise<never> => {
    throw failure ?? new Error('unused');
  };
  return {
    getSchemaById: fail,
    getLatestSchema: fail,
    getSchemaBySubjectVersion: fail,
    listSubjects: async () => {
      if (failure !== undefined) throw failure;
      return [];
    },
  };
}

const unauthorized = (): SchemaRegistryError =>
  new SchemaRegistryError(
    schemaRegistryErrorCodes.unauthorized,
    '401 Unauthorized: check the registry username and password',
    { status: 401 },
  );

const raw = {
  bootstrap_servers: 'localhost:9092',
  subscription: { subscription_type: 'subscribe', topic_pattern: 'orders' },
  protocol: { security_protocol: 'PLAINTEXT' },
};

describe('check', () => {
  it('succeeds when the brokers answer, a topic is selected and the registry answers', async () => {
    const connector = createSourceKafkaConnector({
      createKafkaPort: () => fakeKafka([{ name: 'orders', partitions: 3 }]),
      createRegistry: () => fakeRegistry(),
    });
    expect(await connector.check(parseConfig(raw), ctx)).toEqual({ status: 'SUCCEEDED' });
  });

  it('says what to fix when the pattern selects no topic', async () => {
    const connector = createSourceKafkaConnector({ createKafkaPort: () => fakeKafka([]) });
    const result = await connector.check(parseConfig(raw), ctx);
    expect(result).toEqual({
      status: 'FAILED',
      message: 'No topic matches topic_pattern "orders": fix the pattern or create the topic.',
    });
  });

  it('reports every failing part, and never the registry password', async () => {
    const config = parseConfig({
      ...raw,
      test_topic: 'missing',
      MessageFormat: { deserialization_type: 'AVRO' },
      schema_registry: {
        url: 'https://registry.example:8081',
        username: 'user',
        password: 'hunter2',
      },
    });
    const connector = createSourceKafkaConnector({
      createKafkaPort: () =>
        fakeKafka(
          [{ name: 'orders', partitions: 1 }],
          new SourceKafkaError(errorCodes.testTopicMissing, 'topic "missing" not found', {
            failureType: 'config_error',
          }),
        ),
      createRegistry: () => fakeRegistry(unauthorized()),
    });
    const result = await connector.check(config, ctx);
    expect(result?.status).toBe('FAILED');
    expect(result?.message).toContain('Test topic "missing" cannot be read: topic "missing" not found');
    expect(result?.message).toContain('Schema registry at https://registry.example:8081/: 401 Unauthorized');
    expect(result?.message).toContain('check schema_registry.url and its credentials');
    expect(result?.message).not.toContain('hunter2');
  });

  it('names a few of the selected topics and counts the rest, so a broad pattern keeps the log short', async () => {
    const infos: string[] = [];
    const topics = Array.from({ length: 25 }, (_, i) => ({ name: `t${i}`, partitions: 1 }));
    const connector = createSourceKafkaConnector({ createKafkaPort: () => fakeKafka(topics) });
    await connector.check(parseConfig(raw), {
      ...ctx,
      logger: { ...ctx.logger, info: (m) => infos.push(m) },
    });
    expect(infos).toEqual([
      'The subscription selects 25 topic(s): t0, t1, t2, t3, t4, t5, t6, t7, t8, t9 and 15 more.',
    ]);
  });

  it('answers FAILED for a broker failure the config can fix', async () => {
    const connector = createSourceKafkaConnector({
      createKafkaPort: () =>
        fakeKafka(
          new ConsumerError(
            consumerErrorCodes.authenticationFailed,
            'SASL authentication failed against localhost:9092',
          ),
        ),
    });
    const result = await connector.check(parseConfig(raw), ctx);
    expect(result).toEqual({
      status: 'FAILED',
      message: 'Kafka: SASL authentication failed against localhost:9092',
    });
  });

  it('throws a transient error with the same message when the brokers cannot be reached, as the CDK does', async () => {
    const unreachable = ConsumerError.retriable(
      consumerErrorCodes.brokersUnreachable,
      'Could not reach the Kafka brokers localhost:9092',
    );
    const connector = createSourceKafkaConnector({ createKafkaPort: () => fakeKafka(unreachable) });
    const error = await Promise.resolve()
      .then(() => connector.check(parseConfig(raw), ctx))
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(SourceKafkaError);
    expect(error).toMatchObject({
      code: 'CHECK_FAILED',
      failureType: 'transient_error',
      message: 'Kafka: Could not reach the Kafka brokers localhost:9092',
      cause: unreachable,
    });
  });

  it('gives each step its own deadline: hanging brokers still leave the registry checked', async () => {
    vi.useFakeTimers();
    try {
      const hanging: KafkaPort = {
        ...fakeKafka([]),
        listTopics: () => new Promise<never>(() => {}),
      };
      const connector = createSourceKafkaConnector({
        createKafkaPort: () => hanging,
        createRegistry: () => fakeRegistry(unauthorized()),
      });
      const config = parseConfig({
        ...raw,
        request_timeout_ms: 1000,
        MessageFormat: { deserialization_type: 'AVRO' },
        schema_registry: { url: 'https://registry.example:8081' },
      });
      const pending = Promise.resolve()
        .then(() => connector.check(config, ctx))
        .then(
          () => undefined,
          (thrown: unknown) => thrown as SourceKafkaError,
        );
      await vi.advanceTimersByTimeAsync(8_000);
      const error = await pending;
      // A timeout is transient, so the check itself failed; its message still names both problems.
      expect(error?.failureType).toBe('transient_error');
      expect(error?.message).toContain(
        'Kafka: The Kafka brokers localhost:9092 did not answer within 8000 ms',
      );
      expect(error?.message).toContain('Schema registry at https://registry.example:8081/: 401 Unauthorized');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('streamOf', () => {
  it('names the stream of a consumer error about one topic, and nothing for others', () => {
    const connector = createSourceKafkaConnector();
    const lost = new ConsumerError(consumerErrorCodes.partitionNotFound, 'partition 3 is gone', {
      topic: 'orders',
    });
    expect(connector.streamOf?.(new Error('read failed', { cause: lost }))).toEqual({ name: 'orders' });
    expect(connector.streamOf?.(new Error('disk full'))).toBeUndefined();
  });
});

describe('parseConfig', () => {
  it('puts every config problem on the first line of the error', () => {
    const connector = createSourceKafkaConnector();
    expect(() => connector.parseConfig?.({ subscription: {}, protocol: {} })).toThrow(
      /^Invalid config: .*bootstrap_servers/,
    );
  });
});

describe('read failing before the Kafka read opens', () => {
  /** Runs `read` in-process through the runner; every output line is validated as an AirbyteMessage. */
  async function runRead(kafka: KafkaPort, state: unknown) {
    const dir = mkdtempSync(join(tmpdir(), 'source-kafka-read-'));
    try {
      const files = { config: raw, catalog, state };
      const argv = ['read'];
      for (const [name, value] of Object.entries(files)) {
        writeFileSync(join(dir, `${name}.json`), JSON.stringify(value));
        argv.push(`--${name}`, join(dir, `${name}.json`));
      }
      const output = new PassThrough();
      let text = '';
      output.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      const connector = createSourceKafkaConnector({ createKafkaPort: () => kafka });
      const code = await runConnector(connector, {
        argv,
        output,
        clock: { now: () => 1_700_000_000_000 },
        manageProcess: false,
      });
      const messages = assertAirbyteOutput(text) as Array<{ type: string; trace?: Trace }>;
      const traces = messages.flatMap((m) => (m.type === 'TRACE' && m.trace !== undefined ? [m.trace] : []));
      const statuses = traces.flatMap((t) =>
        t.stream_status === undefined
          ? []
          : [`${t.stream_status.stream_descriptor.name}:${t.stream_status.status}`],
      );
      const errors = traces.flatMap((t) => (t.error === undefined ? [] : [t.error]));
      return { code, statuses, errors };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  interface Trace {
    stream_status?: { stream_descriptor: { name: string }; status: string };
    error?: { message: string; failure_type: string };
  }

  const catalog = {
    streams: ['orders', 'refunds'].map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: 'incremental',
      destination_sync_mode: 'append',
    })),
  };
  const topics = [
    { name: 'orders', partitions: 1 },
    { name: 'refunds', partitions: 1 },
  ];

  it('ends every stream INCOMPLETE and reports a bad stream state as a config error', async () => {
    const state = [
      {
        type: 'STREAM',
        stream: {
          stream_descriptor: { name: 'refunds' },
          stream_state: { version: 1, partitions: { '0': -4 } },
        },
      },
    ];
    const { code, statuses, errors } = await runRead(fakeKafka(topics), state);
    expect(code).toBe(1);
    expect(statuses).toEqual(['orders:INCOMPLETE', 'refunds:INCOMPLETE']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.failure_type).toBe('config_error');
    expect(errors[0]?.message).toContain('state of stream "refunds"');
    expect(errors[0]?.message).not.toMatch(/\n\s+at /);
  });

  it('ends every stream INCOMPLETE for a legacy state, which fails before the streams are planned', async () => {
    const { code, statuses, errors } = await runRead(fakeKafka(topics), { orders: { '0': '3' } });
    expect(code).toBe(1);
    expect(statuses).toEqual(['orders:INCOMPLETE', 'refunds:INCOMPLETE']);
    expect(errors[0]?.failure_type).toBe('config_error');
    expect(errors[0]?.message).toContain('legacy');
  });

  it('ends every stream INCOMPLETE when the brokers refuse the credentials', async () => {
    const denied = new ConsumerError(
      consumerErrorCodes.authenticationFailed,
      'Authentication failed at localhost:9092: check the SASL username and password.',
    );
    const { code, statuses, errors } = await runRead(fakeKafka(denied), []);
    expect(code).toBe(1);
    expect(statuses).toEqual(['orders:INCOMPLETE', 'refunds:INCOMPLETE']);
    expect(errors[0]?.failure_type).toBe('config_error');
    expect(errors[0]?.message).toContain('Authentication failed');
  });
});
