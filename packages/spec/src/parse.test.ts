import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { encryptedKeyPem, selfSignedCertificate } from '../test/certificates.js';
import type { KafkaSourceConfig } from './config.js';
import { ConfigError } from './errors.js';
import { parseConfig, recordNamesForTopic } from './parse.js';
import { spec } from './schema.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-pw";';
const SCRAM_JAAS =
  'org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-pw";';
const OAUTH_JAAS =
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="app" clientSecret="app-secret" scope="kafka";';

/** A config as the Java connector's UI saved it: every field present, defaults filled in. */
const javaConfig = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  MessageFormat: { deserialization_type: 'JSON' },
  bootstrap_servers: 'kafka-broker1:9092,kafka-broker2:9092',
  subscription: { subscription_type: 'subscribe', topic_pattern: 'sample.topic' },
  test_topic: 'test.topic',
  group_id: 'group.id',
  max_poll_records: 500,
  polling_time: 100,
  protocol: { security_protocol: 'PLAINTEXT' },
  client_id: 'airbyte-consumer',
  enable_auto_commit: true,
  auto_commit_interval_ms: 5000,
  client_dns_lookup: 'use_all_dns_ips',
  retry_backoff_ms: 100,
  request_timeout_ms: 30000,
  receive_buffer_bytes: 32768,
  auto_offset_reset: 'latest',
  repeated_calls: 3,
  max_records_process: 100000,
  ...overrides,
});

const minimal = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  bootstrap_servers: 'localhost:9092',
  subscription: { subscription_type: 'assign', topic_partitions: 'orders:0' },
  protocol: { security_protocol: 'PLAINTEXT' },
  ...overrides,
});

/** The platform validates saved configs against the spec with any draft-07 validator: so do we, plainly. */
function platformValidate(config: unknown): boolean {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  return ajv.validate(spec().connectionSpecification, config);
}

function problemsOf(config: unknown): readonly { path: string; message: string }[] {
  try {
    parseConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Java-shaped configs', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['subscribe + PLAINTEXT + JSON', javaConfig()],
    [
      'assign + PLAINTEXT',
      javaConfig({
        subscription: { subscription_type: 'assign', topic_partitions: 'sample.topic:0, sample.topic:1' },
      }),
    ],
    [
      'SASL_PLAINTEXT + PLAIN',
      javaConfig({
        protocol: {
          security_protocol: 'SASL_PLAINTEXT',
          sasl_mechanism: 'PLAIN',
          sasl_jaas_config: PLAIN_JAAS,
        },
      }),
    ],
    ...(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const).map(
      (mechanism): [string, Record<string, unknown>] => [
        `SASL_SSL + ${mechanism}`,
        javaConfig({
          protocol: {
            security_protocol: 'SASL_SSL',
            sasl_mechanism: mechanism,
            sasl_jaas_config: mechanism === 'PLAIN' ? PLAIN_JAAS : SCRAM_JAAS,
            oauthbearer_token_endpoint_url: '',
          },
        }),
      ],
    ),
    [
      'SASL_SSL + OAUTHBEARER',
      javaConfig({
        protocol: {
          security_protocol: 'SASL_SSL',
          sasl_mechanism: 'OAUTHBEARER',
          sasl_jaas_config: OAUTH_JAAS,
          oauthbearer_token_endpoint_url: 'https://auth.example.com/oauth2/token',
        },
      }),
    ],
    [
      'SASL_SSL + AWS_MSK_IAM',
      javaConfig({
        bootstrap_servers: 'b-1.orders.x1y2z3.c2.kafka.eu-west-1.amazonaws.com:9098',
        protocol: {
          security_protocol: 'SASL_SSL',
          sasl_mechanism: 'AWS_MSK_IAM',
          sasl_jaas_config:
            'software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName="kafka" awsRoleArn="arn:aws:iam::123456789012:role/reader";',
          oauthbearer_token_endpoint_url: '',
        },
      }),
    ],
    ...(['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'] as const).map(
      (strategy): [string, Record<string, unknown>] => [
        `AVRO + ${strategy}`,
        javaConfig({
          MessageFormat: {
            deserialization_type: 'AVRO',
            deserialization_strategy: strategy,
            schema_registry_url: 'http://localhost:8081',
            schema_registry_username: '',
            schema_registry_password: '',
          },
        }),
      ],
    ),
    ['auto_offset_reset none', javaConfig({ auto_offset_reset: 'none' })],
    ['a saved config without the optional fields', minimal()],
  ];

  it.each(cases)('%s validates against the spec and parses', (_name, config) => {
    expect(platformValidate(config)).toBe(true);
    expect(() => parseConfig(config)).not.toThrow();
  });

  it('normalizes a full Java config with its values and our defaults', () => {
    const expected: KafkaSourceConfig = {
      brokers: ['kafka-broker1:9092', 'kafka-broker2:9092'],
      clientId: 'airbyte-consumer',
      groupId: 'group.id',
      subscription: { type: 'subscribe', pattern: 'sample.topic' },
      security: { protocol: 'PLAINTEXT' },
      requestTimeoutMs: 30000,
      retryBackoffMs: 100,
      maxPollRecords: 500,
      startPosition: { type: 'latest' },
      isolationLevel: 'read_committed',
      keyFormat: { format: 'STRING', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
      valueFormat: { format: 'JSON', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
      schemaRegistry: undefined,
      layout: {
        includeKey: true,
        includeHeaders: false,
        includeMetadata: true,
        value: 'nested',
        primaryKey: 'offset',
        envelope: 'none',
      },
      bounds: { maxRecords: 100000, maxDurationMs: undefined },
      checkpoint: { everyRecords: 10000, everyMs: 60000 },
      badMessagePolicy: 'fail',
      retentionGapPolicy: 'continue',
      brokerOutageMs: 60_000,
      commitOffsetsToGroup: true,
      schemaInferenceSampleSize: 1000,
      testTopic: 'test.topic',
    };
    expect(parseConfig(javaConfig())).toEqual(expected);
  });

  it('fills defaults for a config with only the required fields', () => {
    const config = parseConfig(minimal());
    expect(config).toMatchObject({
      brokers: ['localhost:9092'],
      clientId: 'airbyte-source-kafka',
      groupId: 'airbyte-source-kafka',
      subscription: { type: 'assign', partitions: [{ topic: 'orders', partition: 0 }] },
      valueFormat: { format: 'JSON' },
      keyFormat: { format: 'STRING' },
      startPosition: { type: 'latest' },
      bounds: { maxRecords: 100000 },
      commitOffsetsToGroup: true,
      schemaInferenceSampleSize: 1000,
    });
    expect(config.testTopic).toBeUndefined();
  });

  it('treats a MessageFormat without a type as JSON, the Java default', () => {
    expect(platformValidate(minimal({ MessageFormat: {} }))).toBe(true);
    expect(parseConfig(minimal({ MessageFormat: {} })).valueFormat.format).toBe('JSON');
  });

  it('parses the topic:partition list of an assign subscription', () => {
    const config = parseConfig(
      javaConfig({
        subscription: { subscription_type: 'assign', topic_partitions: ' a.b:0,a.b:1 ,c-d:12, a.b:0,' },
      }),
    );
    expect(config.subscription).toEqual({
      type: 'assign',
      partitions: [
        { topic: 'a.b', partition: 0 },
        { topic: 'a.b', partition: 1 },
        { topic: 'c-d', partition: 12 },
      ],
    });
  });

  it('takes PLAIN and SCRAM credentials from the JAAS line', () => {
    const plain = parseConfig(
      javaConfig({
        protocol: {
          security_protocol: 'SASL_PLAINTEXT',
          sasl_mechanism: 'PLAIN',
          sasl_jaas_config: PLAIN_JAAS,
        },
      }),
    );
    expect(plain.security).toEqual({
      protocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'PLAIN', username: 'alice', password: 'alice-pw' },
    });
    const scram = parseConfig(
      javaConfig({
        protocol: {
          security_protocol: 'SASL_SSL',
          sasl_mechanism: 'SCRAM-SHA-512',
          sasl_jaas_config: SCRAM_JAAS,
        },
      }),
    );
    expect(scram.security).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'bob-pw' },
      tls: { caCertificate: undefined },
    });
  });

  it('takes OAUTHBEARER client credentials from JAAS and the token URL from its own field', () => {
    const config = parseConfig(
      javaConfig({
        protocol: {
          security_protocol: 'SASL_SSL',
          sasl_mechanism: 'OAUTHBEARER',
          sasl_jaas_config: `${OAUTH_JAAS.slice(0, -1)} extension_logicalCluster="lkc-1";`,
          oauthbearer_token_endpoint_url: 'https://auth.example.com/oauth2/token',
        },
      }),
    );
    expect(config.security.sasl).toEqual({
      mechanism: 'OAUTHBEARER',
      tokenEndpointUrl: 'https://auth.example.com/oauth2/token',
      clientId: 'app',
      clientSecret: 'app-secret',
      scope: 'kafka',
      extensions: { logicalCluster: 'lkc-1' },
    });
  });

  it('maps the legacy AVRO registry fields onto the schema registry config', () => {
    const config = parseConfig(
      javaConfig({
        MessageFormat: {
          deserialization_type: 'AVRO',
          deserialization_strategy: 'RecordNameStrategy',
          schema_registry_url: 'https://registry.example.com',
          schema_registry_username: 'reg-user',
          schema_registry_password: 'reg-pw',
        },
      }),
    );
    expect(config.valueFormat).toEqual({
      format: 'AVRO',
      subjectNameStrategy: 'RecordNameStrategy',
      validateJsonSchema: false,
    });
    expect(config.schemaRegistry).toEqual({
      url: 'https://registry.example.com',
      username: 'reg-user',
      password: 'reg-pw',
      caCertificate: undefined,
    });
  });

  it.each(['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'] as const)(
    'maps a Java AVRO config with %s and registry credentials onto the normalized config',
    (strategy) => {
      const config = parseConfig(
        javaConfig({
          subscription: { subscription_type: 'assign', topic_partitions: 't:0, t:1' },
          MessageFormat: {
            deserialization_type: 'AVRO',
            deserialization_strategy: strategy,
            schema_registry_url: 'http://localhost:8081',
            schema_registry_username: 'reg-user',
            schema_registry_password: 'reg-pw',
          },
        }),
      );
      expect(config.subscription).toEqual({
        type: 'assign',
        partitions: [
          { topic: 't', partition: 0 },
          { topic: 't', partition: 1 },
        ],
      });
      expect(config.valueFormat).toEqual({
        format: 'AVRO',
        subjectNameStrategy: strategy,
        validateJsonSchema: false,
      });
      expect(config.keyFormat.format).toBe('STRING');
      expect(config.schemaRegistry).toEqual({
        url: 'http://localhost:8081',
        username: 'reg-user',
        password: 'reg-pw',
        caCertificate: undefined,
      });
    },
  );

  it('treats empty legacy registry credentials as no authentication', () => {
    const config = parseConfig(
      javaConfig({
        MessageFormat: {
          deserialization_type: 'AVRO',
          schema_registry_url: 'http://localhost:8081',
          schema_registry_username: '',
          schema_registry_password: '',
        },
      }),
    );
    expect(config.schemaRegistry).toEqual({
      url: 'http://localhost:8081',
      username: undefined,
      password: undefined,
      caCertificate: undefined,
    });
  });
});

describe('start position and legacy auto_offset_reset', () => {
  it.each([
    ['earliest', { type: 'earliest' }],
    ['latest', { type: 'latest' }],
    ['none', { type: 'none' }],
  ] as const)('auto_offset_reset %s maps to the start position', (reset, expected) => {
    expect(parseConfig(javaConfig({ auto_offset_reset: reset })).startPosition).toEqual(expected);
  });

  it('starts at latest when neither field is set, as the Java default', () => {
    expect(parseConfig(minimal()).startPosition).toEqual({ type: 'latest' });
  });

  it('lets an explicit start_position win over auto_offset_reset', () => {
    const config = parseConfig(
      javaConfig({
        auto_offset_reset: 'none',
        start_position: { position: 'timestamp', timestamp: '2024-01-31T00:00:00Z' },
      }),
    );
    expect(config.startPosition).toEqual({ type: 'timestamp', timestampMs: Date.UTC(2024, 0, 31) });
    expect(parseConfig(javaConfig({ start_position: { position: 'earliest' } })).startPosition).toEqual({
      type: 'earliest',
    });
  });

  it('makes a retention gap fail under auto_offset_reset none, unless error_handling says otherwise', () => {
    expect(parseConfig(javaConfig({ auto_offset_reset: 'none' })).retentionGapPolicy).toBe('fail');
    expect(parseConfig(javaConfig({ auto_offset_reset: 'earliest' })).retentionGapPolicy).toBe('continue');
    expect(
      parseConfig(
        javaConfig({ auto_offset_reset: 'none', error_handling: { retention_gap_policy: 'continue' } }),
      ).retentionGapPolicy,
    ).toBe('continue');
  });
});

describe('legacy mappings', () => {
  it('maps enable_auto_commit to commitOffsetsToGroup unless the new field is set', () => {
    expect(parseConfig(javaConfig({ enable_auto_commit: false })).commitOffsetsToGroup).toBe(false);
    expect(
      parseConfig(javaConfig({ enable_auto_commit: false, commit_offsets_to_group: true }))
        .commitOffsetsToGroup,
    ).toBe(true);
  });

  it('maps max_records_process to the record cap, 0 meaning no cap', () => {
    expect(parseConfig(javaConfig({ max_records_process: 250 })).bounds.maxRecords).toBe(250);
    expect(parseConfig(javaConfig({ max_records_process: 0 })).bounds.maxRecords).toBeUndefined();
  });

  it('accepts the fields that no longer have an effect', () => {
    const config = javaConfig({
      polling_time: 0,
      repeated_calls: 0,
      auto_commit_interval_ms: 1,
      client_dns_lookup: 'resolve_canonical_bootstrap_servers_only',
      receive_buffer_bytes: -1,
    });
    expect(platformValidate(config)).toBe(true);
    expect(parseConfig(config)).toEqual(parseConfig(javaConfig()));
  });

  it('treats empty group_id and client_id as absent', () => {
    const config = parseConfig(javaConfig({ group_id: '', client_id: ' ' }));
    expect(config.groupId).toBe('airbyte-source-kafka');
    expect(config.clientId).toBe('airbyte-source-kafka');
  });

  it('strips a listener prefix from bootstrap servers, as Kafka does', () => {
    expect(parseConfig(minimal({ bootstrap_servers: 'SASL_SSL://b1:9093, [::1]:9092' })).brokers).toEqual([
      'b1:9093',
      '[::1]:9092',
    ]);
  });
});

describe('added fields', () => {
  const certificate = selfSignedCertificate();

  it('reads key and value formats through the schema registry block', () => {
    const config = parseConfig(
      minimal({
        MessageFormat: { deserialization_type: 'JSON_SCHEMA', validate_against_schema: true },
        key_format: { deserialization_type: 'PROTOBUF', deserialization_strategy: 'TopicRecordNameStrategy' },
        schema_registry: {
          url: 'https://registry.example.com',
          username: 'key',
          password: 'secret',
          ca_certificate: certificate.certificatePem,
        },
      }),
    );
    expect(config.valueFormat).toEqual({
      format: 'JSON_SCHEMA',
      subjectNameStrategy: 'TopicNameStrategy',
      validateJsonSchema: true,
    });
    expect(config.keyFormat).toEqual({
      format: 'PROTOBUF',
      subjectNameStrategy: 'TopicRecordNameStrategy',
      validateJsonSchema: false,
    });
    expect(config.schemaRegistry).toEqual({
      url: 'https://registry.example.com',
      username: 'key',
      password: 'secret',
      caCertificate: certificate.certificatePem,
    });
  });

  it.each(['STRING', 'BYTES', 'JSON'] as const)(
    'accepts %s for keys and values without a registry',
    (format) => {
      const config = parseConfig(
        minimal({
          MessageFormat: { deserialization_type: format },
          key_format: { deserialization_type: format },
        }),
      );
      expect([config.keyFormat.format, config.valueFormat.format]).toEqual([format, format]);
      expect(config.schemaRegistry).toBeUndefined();
    },
  );

  it('accepts SSL with a CA and a client certificate and key (mTLS)', () => {
    const config = parseConfig(
      minimal({
        protocol: {
          security_protocol: 'SSL',
          ssl_ca_certificate: certificate.certificatePem,
          ssl_client_certificate: certificate.certificatePem,
          ssl_client_key: certificate.keyPem,
        },
      }),
    );
    expect(config.security).toEqual({
      protocol: 'SSL',
      tls: {
        caCertificate: certificate.certificatePem,
        clientCertificate: certificate.certificatePem,
        clientKey: certificate.keyPem,
        clientKeyPassword: undefined,
      },
    });
  });

  it('accepts an encrypted client key with its password', () => {
    const config = parseConfig(
      minimal({
        protocol: {
          security_protocol: 'SSL',
          ssl_client_certificate: certificate.certificatePem,
          ssl_client_key: encryptedKeyPem(certificate, 'key-pass'),
          ssl_client_key_password: 'key-pass',
        },
      }),
    );
    expect(config.security.tls?.clientKeyPassword).toBe('key-pass');
  });

  it('accepts SASL_SSL with a CA bundle of two certificates', () => {
    const bundle = certificate.certificatePem + selfSignedCertificate('other').certificatePem;
    const config = parseConfig(
      minimal({
        protocol: {
          security_protocol: 'SASL_SSL',
          sasl_mechanism: 'PLAIN',
          sasl_jaas_config: PLAIN_JAAS,
          ssl_ca_certificate: bundle,
        },
      }),
    );
    expect(config.security.tls).toEqual({ caCertificate: bundle });
  });

  it('accepts SCRAM and OAUTHBEARER over SASL_PLAINTEXT', () => {
    const scram = parseConfig(
      minimal({
        protocol: {
          security_protocol: 'SASL_PLAINTEXT',
          sasl_mechanism: 'SCRAM-SHA-256',
          sasl_jaas_config: SCRAM_JAAS,
        },
      }),
    );
    expect(scram.security.sasl?.mechanism).toBe('SCRAM-SHA-256');
    const oauth = parseConfig(
      minimal({
        protocol: {
          security_protocol: 'SASL_PLAINTEXT',
          sasl_mechanism: 'OAUTHBEARER',
          sasl_jaas_config: OAUTH_JAAS,
          oauthbearer_token_endpoint_url: 'http://localhost:8080/token',
        },
      }),
    );
    expect(oauth.security.sasl?.mechanism).toBe('OAUTHBEARER');
  });

  it('reads the message key as the primary key', () => {
    const config = parseConfig(minimal({ record_layout: { primary_key: 'message_key' } }));
    expect(config.layout).toMatchObject({
      primaryKey: 'message_key',
      includeKey: true,
      includeMetadata: true,
    });
    expect(parseConfig(minimal({})).layout.primaryKey).toBe('offset');
  });

  it('reads the envelope, none unless set', () => {
    expect(parseConfig(minimal({})).layout.envelope).toBe('none');
    expect(parseConfig(minimal({ record_layout: { envelope: 'debezium' } })).layout.envelope).toBe(
      'debezium',
    );
    const connect = parseConfig(minimal({ record_layout: { envelope: 'connect_json' } }));
    expect(connect.layout.envelope).toBe('connect_json');
  });

  it('reads layout, bounds, checkpoints, policies and isolation level', () => {
    const config = parseConfig(
      minimal({
        record_layout: {
          include_key: false,
          include_headers: true,
          include_metadata: false,
          value_layout: 'flatten',
        },
        read_bounds: { max_duration_seconds: 90 },
        checkpoint: { every_records: 500, every_seconds: 5 },
        error_handling: { bad_message_policy: 'skip', retention_gap_policy: 'fail' },
        isolation_level: 'read_uncommitted',
        max_records_process: 1000,
      }),
    );
    expect(config).toMatchObject({
      layout: {
        includeKey: false,
        includeHeaders: true,
        includeMetadata: false,
        value: 'flatten',
        primaryKey: 'offset',
      },
      bounds: { maxRecords: 1000, maxDurationMs: 90_000 },
      checkpoint: { everyRecords: 500, everyMs: 5000 },
      badMessagePolicy: 'skip',
      retentionGapPolicy: 'fail',
      isolationLevel: 'read_uncommitted',
    });
  });
});

describe('ConfigError', () => {
  it('carries the code and every problem', () => {
    let caught: unknown;
    try {
      parseConfig({ subscription: { subscription_type: 'assign', topic_partitions: 'x' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.problems).toEqual([
      { path: 'bootstrap_servers', message: 'is required' },
      { path: 'subscription.topic_partitions', message: '"x" is not topic:partition' },
      { path: 'protocol', message: 'is required' },
    ]);
    expect(error.message).toBe(
      'Invalid config: bootstrap_servers: is required; subscription.topic_partitions: "x" is not topic:partition; protocol: is required',
    );
  });

  it('refuses a config that is not an object', () => {
    expect(problemsOf('bootstrap_servers=x')).toEqual([
      { path: '', message: 'the configuration must be a JSON object' },
    ]);
  });
});

describe('record names', () => {
  it('reads record_names for keys and values, trimmed, without blanks or repeats', () => {
    const config = parseConfig(
      minimal({
        MessageFormat: {
          deserialization_type: 'AVRO',
          deserialization_strategy: 'RecordNameStrategy',
          record_names: [' shop.Order ', 'shop.Refund', '', 'shop.Order'],
        },
        key_format: {
          deserialization_type: 'PROTOBUF',
          deserialization_strategy: 'TopicRecordNameStrategy',
          record_names: ['shop.OrderKey'],
        },
        schema_registry: { url: 'http://registry:8081' },
      }),
    );
    expect(config.valueFormat.recordNames).toEqual(['shop.Order', 'shop.Refund']);
    expect(config.keyFormat.recordNames).toEqual(['shop.OrderKey']);
  });

  it('leaves record names undefined when absent or only blanks', () => {
    const config = parseConfig(
      minimal({
        MessageFormat: { deserialization_type: 'JSON_SCHEMA', record_names: ['  '] },
        schema_registry: { url: 'http://registry:8081' },
      }),
    );
    expect(config.valueFormat.recordNames).toBeUndefined();
    expect(config.keyFormat.recordNames).toBeUndefined();
  });

  it('applies unscoped names to every topic and <topic>:<name> names to that topic only', () => {
    const names = ['shop.Common', 'orders:shop.Order', 'refunds:shop.Refund', '*:Title: with colon'];
    expect(recordNamesForTopic(names, 'orders')).toEqual(['shop.Common', 'shop.Order', 'Title: with colon']);
    expect(recordNamesForTopic(names, 'refunds')).toEqual([
      'shop.Common',
      'shop.Refund',
      'Title: with colon',
    ]);
    expect(recordNamesForTopic(['orders:shop.Order'], 'other')).toBeUndefined();
    expect(recordNamesForTopic(undefined, 'orders')).toBeUndefined();
  });

  it('names a topic-scoped entry without a record name', () => {
    expect(
      problemsOf(
        minimal({
          MessageFormat: { deserialization_type: 'AVRO', record_names: ['orders:'] },
          schema_registry: { url: 'http://registry:8081' },
        }),
      ),
    ).toEqual([
      {
        path: 'MessageFormat.record_names',
        message: '"orders:" names a topic but no record after the colon',
      },
    ]);
  });

  it('names record_names when it is not a list of strings', () => {
    expect(
      problemsOf(
        minimal({
          MessageFormat: { deserialization_type: 'AVRO', record_names: 'shop.Order' },
          schema_registry: { url: 'http://registry:8081' },
        }),
      ),
    ).toEqual([{ path: 'MessageFormat.record_names', message: 'must be an array' }]);
  });
});

describe('schema registry authentication', () => {
  const client = selfSignedCertificate('registry-client');
  const other = selfSignedCertificate('someone-else');
  const withRegistry = (registry: Record<string, unknown>): Record<string, unknown> =>
    minimal({ MessageFormat: { deserialization_type: 'AVRO' }, schema_registry: registry });

  it('reads a bearer token and a client certificate with its encrypted key', () => {
    const config = parseConfig(
      withRegistry({
        url: 'https://registry:8081',
        bearer_token: ' tok-123 ',
        client_certificate: client.certificatePem,
        client_key: encryptedKeyPem(client, 'pw'),
        client_key_password: 'pw',
      }),
    );
    expect(config.schemaRegistry).toMatchObject({
      bearerToken: 'tok-123',
      clientCertificate: client.certificatePem,
      clientKeyPassword: 'pw',
    });
    expect(config.schemaRegistry?.clientKey).toContain('ENCRYPTED PRIVATE KEY');
  });

  it('refuses a bearer token together with basic authentication', () => {
    expect(
      problemsOf(
        withRegistry({ url: 'https://registry:8081', username: 'u', password: 'p', bearer_token: 't' }),
      ),
    ).toEqual([
      {
        path: 'schema_registry.bearer_token',
        message:
          'is set together with a registry username; use basic authentication or a bearer token, not both',
      },
    ]);
  });

  it('names each half of a missing, mismatched or unusable client certificate pair', () => {
    expect(
      problemsOf(withRegistry({ url: 'https://r:1', client_certificate: client.certificatePem })),
    ).toEqual([
      {
        path: 'schema_registry.client_key',
        message: 'is required with client_certificate (mutual TLS needs both)',
      },
    ]);
    expect(problemsOf(withRegistry({ url: 'https://r:1', client_key: client.keyPem }))).toEqual([
      {
        path: 'schema_registry.client_certificate',
        message: 'is required with client_key (mutual TLS needs both)',
      },
    ]);
    expect(
      problemsOf(
        withRegistry({
          url: 'https://r:1',
          client_certificate: client.certificatePem,
          client_key: other.keyPem,
        }),
      ),
    ).toEqual([
      {
        path: 'schema_registry.client_key',
        message: 'does not belong to schema_registry.client_certificate',
      },
    ]);
    expect(
      problemsOf(
        withRegistry({
          url: 'https://r:1',
          client_certificate: client.certificatePem,
          client_key: encryptedKeyPem(client, 'pw'),
        }),
      ),
    ).toEqual([{ path: 'schema_registry.client_key', message: 'is encrypted; set client_key_password' }]);
    expect(
      problemsOf(
        withRegistry({
          url: 'http://r:1',
          client_certificate: client.certificatePem,
          client_key: client.keyPem,
        }),
      ),
    ).toEqual([{ path: 'schema_registry.client_certificate', message: 'needs an https registry URL' }]);
  });

  it('never puts the key or token in a problem message', () => {
    const problems = problemsOf(
      withRegistry({
        url: 'https://r:1',
        username: 'u',
        bearer_token: 'tok-SECRET',
        client_certificate: client.certificatePem,
        client_key: `${client.keyPem}garbage`,
      }),
    );
    const text = JSON.stringify(problems);
    expect(text).not.toContain('tok-SECRET');
    expect(text).not.toContain(client.keyPem.split('\n')[1]);
  });
});

describe('error_handling.broker_outage_seconds', () => {
  it('is how long a read rides out brokers that went away, 60 s unless set, 0 to 3600', () => {
    expect(parseConfig(javaConfig()).brokerOutageMs).toBe(60_000);
    expect(parseConfig(javaConfig({ error_handling: { broker_outage_seconds: 0 } })).brokerOutageMs).toBe(0);
    expect(parseConfig(javaConfig({ error_handling: { broker_outage_seconds: 3600 } })).brokerOutageMs).toBe(
      3_600_000,
    );
    for (const bad of [-1, 3601, 1.5, '60']) {
      expect(() => parseConfig(javaConfig({ error_handling: { broker_outage_seconds: bad } }))).toThrow(
        /error_handling\.broker_outage_seconds/,
      );
    }
  });
});
