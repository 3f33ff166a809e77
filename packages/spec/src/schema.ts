// The connector specification. Every field of the Java connector's spec keeps its name, nesting and
// const/enum values, so configs saved for that connector still validate; the added fields are optional.
import { DEFAULTS, SUBJECT_NAME_STRATEGIES } from './defaults.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The Airbyte ConnectorSpecification this connector answers `spec` with. */
export interface ConnectorSpecification {
  readonly documentationUrl: string;
  readonly changelogUrl?: string | undefined;
  readonly supportsIncremental: boolean;
  readonly connectionSpecification: JsonObject;
}

// Bounds: every value stays within what the client, the protocol and Node's timers can hold.
/** Node's timers hold at most 2^31-1 ms; longer delays fire at once. */
const TIMER_MAX_MS = 2 ** 31 - 1;
/** Java's int, the type of the Java connector's numeric fields. */
const JAVA_INT_MAX = 2 ** 31 - 1;
/** Kafka sends client and group ids as int16-length strings: 32767 bytes, up to 4 UTF-8 bytes per character. */
const KAFKA_ID_MAX_CHARS = 8191;
/**
 * One hour. The longest wait built on it (3 x request_timeout_ms + 5 s, the check deadline) stays far below
 * the timer limit; a value near that limit fired every timeout at once.
 */
const REQUEST_TIMEOUT_MAX_MS = 3_600_000;
const URL_MAX = 8192;
const CREDENTIAL_MAX = 8192;
const PEM_MAX = 1_048_576;
const LIST_MAX = 1_048_576;

const DOCUMENTATION_URL = 'https://docs.airbyte.com/integrations/sources/kafka';

const REGISTRY_NOTE =
  'Decoded through the Confluent-compatible Schema Registry set in the Schema Registry block (its URL is required then).';

const strategyField = (order: number): JsonObject => ({
  title: 'Subject Name Strategy',
  description:
    'How the subject of a schema is named in the registry: TopicNameStrategy (<topic>-key / <topic>-value), RecordNameStrategy (<fully qualified record name>) or TopicRecordNameStrategy (<topic>-<record name>). Decoding looks schemas up by the id in each message, so this matters only for schema discovery.',
  type: 'string',
  enum: [...SUBJECT_NAME_STRATEGIES],
  default: DEFAULTS.subjectNameStrategy,
  order,
});

const recordNamesField = (order: number): JsonObject => ({
  title: 'Record Names',
  description:
    'RecordNameStrategy and TopicRecordNameStrategy only: the fully qualified names of the records written to the topics (Avro full names, Protobuf full message names, JSON Schema titles), e.g. com.acme.OrderCreated for every topic, or orders:com.acme.OrderCreated for topic orders only. Discover then types each topic with exactly the subjects of the names that apply to it: <record name> (RecordNameStrategy) or <topic>-<record name> (TopicRecordNameStrategy). None apply: TopicRecordNameStrategy uses every <topic>-<record name> subject of the topic, and RecordNameStrategy declares it as any JSON (the registry cannot tell which records a topic carries). Decoding never needs it.',
  type: 'array',
  maxItems: 10_000,
  // A topic name (249), a colon and a fully qualified name fit well within this.
  items: { type: 'string', maxLength: 4096 },
  examples: [['com.acme.OrderCreated', 'com.acme.OrderShipped']],
  order,
});

const validateJsonSchemaField: JsonObject = {
  title: 'Validate Against Schema',
  description: 'Check every decoded message against its registered JSON Schema; a mismatch is a bad message.',
  type: 'boolean',
  default: DEFAULTS.validateJsonSchema,
  order: 2,
};

/** Branches shared by the value format (MessageFormat) and the key format. */
function formatBranch(type: string, title: string, description: string, extra: JsonObject = {}): JsonObject {
  return {
    title,
    description,
    type: 'object',
    required: ['deserialization_type'],
    properties: {
      deserialization_type: { type: 'string', const: type, order: 0 },
      ...extra,
    },
  };
}

const stringBranch = formatBranch('STRING', 'STRING', 'UTF-8 text.');
const bytesBranch = formatBranch('BYTES', 'BYTES', 'Raw bytes, emitted as a base64 string.');
const protobufBranch = formatBranch(
  'PROTOBUF',
  'PROTOBUF',
  `Confluent wire-format Protobuf. ${REGISTRY_NOTE}`,
  {
    deserialization_strategy: strategyField(1),
    record_names: recordNamesField(3),
  },
);
const jsonSchemaBranch = formatBranch(
  'JSON_SCHEMA',
  'JSON_SCHEMA',
  `Confluent wire-format JSON with a registered JSON Schema. ${REGISTRY_NOTE}`,
  {
    deserialization_strategy: strategyField(1),
    validate_against_schema: validateJsonSchemaField,
    record_names: recordNamesField(3),
  },
);

const messageFormat: JsonObject = {
  title: 'Value Format (MessageFormat)',
  type: 'object',
  description:
    'How message values are decoded. Defaults to JSON. For the registry formats (AVRO, PROTOBUF, JSON_SCHEMA) fill in the Schema Registry block; the AVRO option still accepts its older registry fields.',
  order: 3,
  oneOf: [
    {
      // No `required` here on purpose: a MessageFormat object without a type means JSON, the Java default.
      title: 'JSON',
      description: 'UTF-8 JSON text.',
      type: 'object',
      properties: { deserialization_type: { type: 'string', const: 'JSON', order: 0 } },
    },
    {
      title: 'AVRO',
      description: `Confluent wire-format Avro. ${REGISTRY_NOTE}`,
      type: 'object',
      required: ['deserialization_type'],
      properties: {
        deserialization_type: { type: 'string', const: 'AVRO', order: 0 },
        deserialization_strategy: strategyField(1),
        schema_registry_url: {
          title: 'Schema Registry URL (legacy)',
          description:
            'Older place for the registry URL, kept for saved configs. Used when the Schema Registry block has no URL; if both are set they must be equal.',
          type: 'string',
          maxLength: URL_MAX,
          examples: ['http://localhost:8081'],
          order: 2,
        },
        schema_registry_username: {
          title: 'Schema Registry Username (legacy)',
          description: 'Basic-auth user for the legacy registry URL. Empty: no authentication.',
          type: 'string',
          maxLength: CREDENTIAL_MAX,
          default: '',
          order: 3,
        },
        schema_registry_password: {
          title: 'Schema Registry Password (legacy)',
          description: 'Basic-auth password for the legacy registry URL.',
          type: 'string',
          maxLength: CREDENTIAL_MAX,
          default: '',
          airbyte_secret: true,
          order: 4,
        },
        record_names: recordNamesField(5),
      },
    },
    stringBranch,
    bytesBranch,
    protobufBranch,
    jsonSchemaBranch,
  ],
};

const keyFormat: JsonObject = {
  title: 'Key Format',
  type: 'object',
  description: `How message keys are decoded. Defaults to ${DEFAULTS.keyFormat}, as the Java connector read keys.`,
  order: 4,
  oneOf: [
    stringBranch,
    formatBranch('JSON', 'JSON', 'UTF-8 JSON text.'),
    bytesBranch,
    formatBranch('AVRO', 'AVRO', `Confluent wire-format Avro. ${REGISTRY_NOTE}`, {
      deserialization_strategy: strategyField(1),
      record_names: recordNamesField(3),
    }),
    protobufBranch,
    jsonSchemaBranch,
  ],
};

const pemCertificate = (title: string, description: string, order: number): JsonObject => ({
  title,
  description,
  type: 'string',
  maxLength: PEM_MAX,
  multiline: true,
  examples: ['-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----'],
  order,
});

const caCertificateField = (order: number): JsonObject =>
  pemCertificate(
    'CA Certificate (PEM)',
    'PEM certificate(s) of the authority that signed the brokers’ certificates. Empty: the system trust store.',
    order,
  );

const schemaRegistry: JsonObject = {
  title: 'Schema Registry',
  type: 'object',
  description: 'A Confluent-compatible Schema Registry, used by the AVRO, PROTOBUF and JSON_SCHEMA formats.',
  order: 5,
  properties: {
    url: {
      title: 'URL',
      description: 'http(s) URL of the registry.',
      type: 'string',
      maxLength: URL_MAX,
      examples: ['https://registry.example.com:8081'],
      order: 0,
    },
    username: {
      title: 'Username',
      description: 'Basic-auth user (for Confluent Cloud: the API key). Empty: no basic authentication.',
      type: 'string',
      maxLength: CREDENTIAL_MAX,
      order: 1,
    },
    password: {
      title: 'Password',
      description: 'Basic-auth password (for Confluent Cloud: the API secret).',
      type: 'string',
      maxLength: CREDENTIAL_MAX,
      airbyte_secret: true,
      order: 2,
    },
    bearer_token: {
      title: 'Bearer Token',
      description:
        'A static token sent as "Authorization: Bearer <token>", for registries behind an OAuth gateway. Set it or the username, not both.',
      type: 'string',
      maxLength: CREDENTIAL_MAX,
      airbyte_secret: true,
      order: 3,
    },
    ca_certificate: pemCertificate(
      'CA Certificate (PEM)',
      'PEM certificate(s) that signed the registry’s certificate, for an https URL. Empty: the system trust store.',
      4,
    ),
    client_certificate: pemCertificate(
      'Client Certificate (PEM)',
      'For mutual TLS with the registry: the client certificate, with the client key below.',
      5,
    ),
    client_key: {
      title: 'Client Key (PEM)',
      description: 'For mutual TLS with the registry: the PEM private key of the client certificate.',
      type: 'string',
      maxLength: PEM_MAX,
      multiline: true,
      airbyte_secret: true,
      order: 6,
    },
    client_key_password: {
      title: 'Client Key Password',
      description: 'Passphrase of the registry client key, when it is encrypted.',
      type: 'string',
      maxLength: CREDENTIAL_MAX,
      airbyte_secret: true,
      order: 7,
    },
  },
};

const JAAS_DESCRIPTION =
  'One JAAS login line, as in Kafka’s sasl.jaas.config. PLAIN: org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="..."; SCRAM: org.apache.kafka.common.security.scram.ScramLoginModule required username="..." password="..."; OAUTHBEARER: org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="..." clientSecret="..." scope="..."; (extension_<name>="..." options become SASL extensions); AWS_MSK_IAM: software.amazon.msk.auth.iam.IAMLoginModule required; with optional awsProfileName, awsRoleArn, awsRoleSessionName, awsRoleExternalId, awsStsRegion, awsRoleAccessKeyId, awsRoleSecretAccessKey, awsRoleSessionToken, awsDebugCreds (credentials otherwise come from the standard AWS chain: environment, shared profile, web identity, container or instance role; proven against a local broker that checks the signed token, not against Amazon MSK itself).';

const jaasField: JsonObject = {
  title: 'SASL JAAS Config',
  description: JAAS_DESCRIPTION,
  type: 'string',
  maxLength: LIST_MAX,
  default: '',
  airbyte_secret: true,
  order: 2,
};

const tokenEndpointField: JsonObject = {
  title: 'OAUTHBEARER token endpoint URL',
  type: 'string',
  maxLength: URL_MAX,
  description:
    'http(s) endpoint that issues tokens (OAuth 2 client credentials) when the SASL mechanism is OAUTHBEARER. Required then.',
  default: '',
  order: 3,
};

const protocol: JsonObject = {
  title: 'Protocol',
  type: 'object',
  description: 'The protocol used to talk to the brokers.',
  order: 2,
  oneOf: [
    {
      title: 'PLAINTEXT',
      required: ['security_protocol'],
      properties: { security_protocol: { type: 'string', const: 'PLAINTEXT', order: 0 } },
    },
    {
      title: 'SASL PLAINTEXT',
      required: ['security_protocol', 'sasl_mechanism', 'sasl_jaas_config'],
      properties: {
        security_protocol: { type: 'string', const: 'SASL_PLAINTEXT', order: 0 },
        sasl_mechanism: {
          title: 'SASL Mechanism',
          description:
            'The SASL mechanism. The Java connector offered PLAIN only; SCRAM and OAUTHBEARER work too.',
          type: 'string',
          default: 'PLAIN',
          enum: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
          order: 1,
        },
        sasl_jaas_config: jaasField,
        oauthbearer_token_endpoint_url: tokenEndpointField,
      },
    },
    {
      title: 'SASL SSL',
      required: ['security_protocol', 'sasl_mechanism', 'sasl_jaas_config'],
      properties: {
        security_protocol: { type: 'string', const: 'SASL_SSL', order: 0 },
        sasl_mechanism: {
          title: 'SASL Mechanism',
          description:
            'The SASL mechanism. AWS_MSK_IAM is Amazon MSK IAM access control, sent as OAUTHBEARER with a token signed with AWS credentials (see the JAAS config and AWS Region fields). GSSAPI (Kerberos) is accepted for old configs but not supported: a sync with it fails with a configuration error.',
          type: 'string',
          default: 'PLAIN',
          enum: ['GSSAPI', 'OAUTHBEARER', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN', 'AWS_MSK_IAM'],
          order: 1,
        },
        sasl_jaas_config: jaasField,
        oauthbearer_token_endpoint_url: tokenEndpointField,
        ssl_ca_certificate: caCertificateField(4),
        aws_region: {
          title: 'AWS Region (AWS_MSK_IAM)',
          description:
            'The AWS region of the MSK cluster, which its IAM tokens are signed for, e.g. us-east-1. When empty: the region in the broker host names (b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com), else the AWS_REGION or AWS_DEFAULT_REGION environment variable.',
          type: 'string',
          maxLength: 64,
          default: '',
          examples: ['us-east-1'],
          order: 5,
        },
      },
    },
    {
      title: 'SSL',
      description: 'TLS, optionally with a client certificate (mTLS).',
      required: ['security_protocol'],
      properties: {
        security_protocol: { type: 'string', const: 'SSL', order: 0 },
        ssl_ca_certificate: caCertificateField(1),
        ssl_client_certificate: pemCertificate(
          'Client Certificate (PEM)',
          'For mutual TLS: the client certificate, with the client key below.',
          2,
        ),
        ssl_client_key: {
          title: 'Client Key (PEM)',
          description: 'For mutual TLS: the PEM private key of the client certificate.',
          type: 'string',
          maxLength: PEM_MAX,
          multiline: true,
          airbyte_secret: true,
          order: 3,
        },
        ssl_client_key_password: {
          title: 'Client Key Password',
          description: 'Passphrase of the client key, when it is encrypted.',
          type: 'string',
          maxLength: CREDENTIAL_MAX,
          airbyte_secret: true,
          order: 4,
        },
      },
    },
  ],
};

const subscription: JsonObject = {
  title: 'Subscription Method',
  type: 'object',
  description:
    'Read a fixed list of partitions, or every partition of every topic whose name matches a pattern.',
  order: 1,
  oneOf: [
    {
      title: 'Manually assign a list of partitions',
      required: ['subscription_type', 'topic_partitions'],
      properties: {
        subscription_type: {
          description: 'Read exactly the listed partitions.',
          type: 'string',
          const: 'assign',
          order: 0,
        },
        topic_partitions: {
          title: 'List of topic:partition Pairs',
          description: 'Comma-separated topic:partition pairs.',
          type: 'string',
          maxLength: LIST_MAX,
          examples: ['sample.topic:0, sample.topic:1'],
          order: 1,
        },
      },
    },
    {
      title: 'Subscribe to all topics matching specified pattern',
      required: ['subscription_type', 'topic_pattern'],
      properties: {
        subscription_type: {
          description: 'Read all partitions of the topics matching the pattern.',
          type: 'string',
          const: 'subscribe',
          order: 0,
        },
        topic_pattern: {
          title: 'Topic Pattern',
          description:
            'A regular expression matched against the whole topic name (as Java’s Pattern.matches). It must also be a valid JavaScript regular expression: Java-only constructs such as possessive quantifiers (a*+) or inline flags ((?i)) are rejected.',
          type: 'string',
          maxLength: LIST_MAX,
          examples: ['sample.topic', 'orders\\..*'],
          order: 1,
        },
      },
    },
  ],
};

const startPosition: JsonObject = {
  title: 'Start Position',
  type: 'object',
  description:
    'Where a partition with no saved state starts reading. When this field is absent, auto_offset_reset decides: earliest, latest, or none (a partition with no state fails the sync).',
  order: 6,
  oneOf: [
    {
      title: 'Earliest',
      description: 'The oldest message still in the log.',
      type: 'object',
      required: ['position'],
      properties: { position: { type: 'string', const: 'earliest', order: 0 } },
    },
    {
      title: 'Latest',
      description: 'Only messages written after the first sync starts.',
      type: 'object',
      required: ['position'],
      properties: { position: { type: 'string', const: 'latest', order: 0 } },
    },
    {
      title: 'Timestamp',
      description: 'The first message whose timestamp is at or after the given time.',
      type: 'object',
      required: ['position', 'timestamp'],
      properties: {
        position: { type: 'string', const: 'timestamp', order: 0 },
        timestamp: {
          title: 'Timestamp',
          description: 'An RFC 3339 date-time.',
          type: 'string',
          maxLength: 64,
          format: 'date-time',
          examples: ['2024-01-31T00:00:00Z'],
          order: 1,
        },
      },
    },
  ],
};

const recordLayout: JsonObject = {
  title: 'Record Layout',
  type: 'object',
  description:
    'What each emitted record holds. The Java connector emitted the decoded value itself as the record; value_layout flatten comes closest to that.',
  order: 7,
  properties: {
    include_key: {
      title: 'Include Key',
      description: 'Add the decoded message key.',
      type: 'boolean',
      default: DEFAULTS.includeKey,
      order: 0,
    },
    include_headers: {
      title: 'Include Headers',
      description: 'Add the message headers.',
      type: 'boolean',
      default: DEFAULTS.includeHeaders,
      order: 1,
    },
    include_metadata: {
      title: 'Include Metadata',
      description: 'Add topic, partition, offset and timestamp.',
      type: 'boolean',
      default: DEFAULTS.includeMetadata,
      order: 2,
    },
    value_layout: {
      title: 'Value Layout',
      description:
        'nested: the decoded value sits under one field. flatten: the top-level fields of an object value become fields of the record.',
      type: 'string',
      enum: ['nested', 'flatten'],
      default: DEFAULTS.valueLayout,
      order: 3,
    },
    primary_key: {
      title: 'Primary Key',
      description:
        'offset: each message is a row, keyed by partition and offset. message_key: the message key is the primary key (an object key: its fields, as _kafka_key_<field> columns), versions of a key are ordered by offset and a tombstone marks the row deleted (_ab_cdc_deleted_at), so a deduplicated sync holds what a compacted topic holds. Needs include_key and include_metadata.',
      type: 'string',
      enum: ['offset', 'message_key'],
      default: DEFAULTS.primaryKey,
      order: 4,
    },
    envelope: {
      title: 'Envelope',
      description:
        'none: the value as decoded. debezium: Debezium change events (JSON with or without schemas, or Avro): the row is after, or before for a delete (with _ab_cdc_deleted_at set), _ab_cdc_updated_at is the source time, and the tombstone that follows a delete is consumed. connect_json: Kafka Connect JSON with embedded schemas ({"schema", "payload"}): the row is the payload, typed from the schema. Message keys in {"schema", "payload"} form are unwrapped too. The row then takes the place of the value in value_layout.',
      type: 'string',
      enum: ['none', 'debezium', 'connect_json'],
      default: DEFAULTS.envelope,
      order: 5,
    },
  },
};

const readBounds: JsonObject = {
  title: 'Read Bounds',
  type: 'object',
  description:
    'A sync reads up to the end offsets it sees when it starts. These stop it earlier; the next sync goes on where it stopped. The record cap is max_records_process.',
  order: 8,
  properties: {
    max_duration_seconds: {
      title: 'Max Duration, seconds',
      description: 'Stop cleanly after this many seconds. Absent: no time limit.',
      type: 'integer',
      maximum: Math.floor(TIMER_MAX_MS / 1000),
      minimum: 1,
      order: 0,
    },
  },
};

const checkpoint: JsonObject = {
  title: 'State Checkpoints',
  type: 'object',
  description: 'How often the sync emits a state message, whichever comes first.',
  order: 9,
  properties: {
    every_records: {
      title: 'Every N Records',
      type: 'integer',
      maximum: JAVA_INT_MAX,
      minimum: 1,
      default: DEFAULTS.checkpointEveryRecords,
      order: 0,
    },
    every_seconds: {
      title: 'Every N Seconds',
      type: 'integer',
      maximum: Math.floor(TIMER_MAX_MS / 1000),
      minimum: 1,
      default: DEFAULTS.checkpointEverySeconds,
      order: 1,
    },
  },
};

const errorHandling: JsonObject = {
  title: 'Error Handling',
  type: 'object',
  description:
    'What a sync does with messages it cannot decode, with offsets lost to retention and with brokers that go away.',
  order: 10,
  properties: {
    bad_message_policy: {
      title: 'Bad Message Policy',
      description: 'A message that cannot be decoded: fail the sync, or skip it and count it in the logs.',
      type: 'string',
      enum: ['fail', 'skip'],
      default: DEFAULTS.badMessagePolicy,
      order: 0,
    },
    retention_gap_policy: {
      title: 'Retention Gap Policy',
      description:
        'When the saved offset was already deleted by retention: continue from the oldest message left (logged as a warning), or fail. Default: continue, or fail when auto_offset_reset is none.',
      type: 'string',
      enum: ['continue', 'fail'],
      order: 1,
    },
    broker_outage_seconds: {
      title: 'Broker Outage Tolerance, seconds',
      description:
        'How long a sync waits for brokers that stop answering mid-read (a restart, a rolling upgrade, a network blip). Within it the sync goes on where it was, with nothing lost; past it the sync writes its state and ends INCOMPLETE with a transient error, and the next sync resumes. 0: end at the first broker failure that retries did not cover.',
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: DEFAULTS.brokerOutageSeconds,
      order: 2,
    },
  },
};

const connectionSpecification: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Kafka Source Spec',
  type: 'object',
  required: ['bootstrap_servers', 'subscription', 'protocol'],
  additionalProperties: true,
  properties: {
    bootstrap_servers: {
      title: 'Bootstrap Servers',
      description:
        'Comma-separated host:port pairs of brokers used for the first connection; the client then discovers the whole cluster, so the list need not be complete (more than one helps when a broker is down).',
      type: 'string',
      maxLength: LIST_MAX,
      examples: ['kafka-broker1:9092,kafka-broker2:9092'],
      order: 0,
    },
    subscription,
    protocol,
    MessageFormat: messageFormat,
    key_format: keyFormat,
    schema_registry: schemaRegistry,
    start_position: startPosition,
    record_layout: recordLayout,
    read_bounds: readBounds,
    checkpoint,
    error_handling: errorHandling,
    commit_offsets_to_group: {
      title: 'Commit Offsets to Group',
      description:
        'After each checkpoint, also commit the offsets to the consumer group, so lag dashboards follow the sync. The sync itself always resumes from Airbyte state. Absent: the value of enable_auto_commit.',
      type: 'boolean',
      order: 11,
    },
    isolation_level: {
      title: 'Isolation Level',
      description:
        'read_committed skips messages of aborted transactions and stops at the last stable offset; read_uncommitted reads everything.',
      type: 'string',
      enum: ['read_committed', 'read_uncommitted'],
      default: DEFAULTS.isolationLevel,
      order: 12,
    },
    group_id: {
      title: 'Group ID',
      description: 'The consumer group. Use a distinct one per connection when offsets are committed to it.',
      type: 'string',
      maxLength: KAFKA_ID_MAX_CHARS - 64,
      default: DEFAULTS.groupId,
      examples: ['group.id'],
      order: 13,
    },
    client_id: {
      title: 'Client ID',
      description: 'Sent with every request so broker logs can tell this client apart.',
      type: 'string',
      maxLength: KAFKA_ID_MAX_CHARS,
      default: DEFAULTS.clientId,
      examples: ['airbyte-consumer'],
      order: 14,
    },
    test_topic: {
      title: 'Test Topic',
      description: 'A topic that `check` verifies exists and can be read.',
      type: 'string',
      // The name check says more (at most 249 characters); this only caps what is read.
      maxLength: URL_MAX,
      examples: ['test.topic'],
      order: 15,
    },
    auto_offset_reset: {
      title: 'Auto Offset Reset',
      description:
        'Where a partition with no saved state starts, when Start Position is not set: earliest, latest, or none (fail the sync). none also makes a retention gap fail the sync unless Error Handling says otherwise.',
      type: 'string',
      default: DEFAULTS.autoOffsetReset,
      enum: ['latest', 'earliest', 'none'],
      order: 16,
    },
    max_records_process: {
      title: 'Maximum Records',
      description:
        'Incremental streams: stop cleanly after this many records in one sync, with a STATE right after the last one; the next sync goes on from there. Full-refresh streams are always read to their end. 0: no limit.',
      type: 'integer',
      maximum: JAVA_INT_MAX,
      minimum: 0,
      default: DEFAULTS.maxRecordsProcess,
      order: 17,
    },
    enable_auto_commit: {
      title: 'Enable Auto Commit',
      description:
        'Kept from the Java connector: the default of Commit Offsets to Group. Offsets are committed after checkpoints, not in the background.',
      type: 'boolean',
      default: DEFAULTS.enableAutoCommit,
      order: 18,
    },
    max_poll_records: {
      title: 'Max Poll Records',
      description: 'How many fetched records may wait ahead of the output, per partition batch.',
      type: 'integer',
      maximum: JAVA_INT_MAX,
      minimum: 1,
      default: DEFAULTS.maxPollRecords,
      order: 19,
    },
    request_timeout_ms: {
      title: 'Request Timeout, ms',
      description: 'How long the client waits for a broker response before retrying or failing the request.',
      type: 'integer',
      maximum: REQUEST_TIMEOUT_MAX_MS,
      minimum: 1,
      default: DEFAULTS.requestTimeoutMs,
      order: 20,
    },
    retry_backoff_ms: {
      title: 'Retry Backoff, ms',
      description: 'The wait before retrying a failed request.',
      type: 'integer',
      maximum: REQUEST_TIMEOUT_MAX_MS,
      minimum: 0,
      default: DEFAULTS.retryBackoffMs,
      order: 21,
    },
    polling_time: {
      title: 'Polling Time',
      description:
        'Kept for saved configs; no effect. The Java connector stopped after repeated empty polls of this many ms; a sync now stops at the end offsets seen when it starts.',
      type: 'integer',
      maximum: JAVA_INT_MAX,
      minimum: 0,
      default: DEFAULTS.pollingTimeMs,
      order: 22,
    },
    repeated_calls: {
      title: 'Repeated Calls',
      description:
        'Kept for saved configs; no effect. The Java connector stopped after this many empty polls; a sync now stops at the end offsets seen when it starts.',
      type: 'integer',
      maximum: JAVA_INT_MAX,
      minimum: 0,
      default: DEFAULTS.repeatedCalls,
      order: 23,
    },
    auto_commit_interval_ms: {
      title: 'Auto Commit Interval, ms',
      description:
        'Kept for saved configs; no effect. Offsets are committed after checkpoints (see State Checkpoints).',
      type: 'integer',
      maximum: JAVA_INT_MAX,
      minimum: 0,
      default: DEFAULTS.autoCommitIntervalMs,
      order: 24,
    },
    client_dns_lookup: {
      title: 'Client DNS Lookup',
      description:
        'Kept for saved configs; no effect. Host names are resolved by the operating system, and every address is tried.',
      type: 'string',
      default: DEFAULTS.clientDnsLookup,
      enum: ['default', 'use_all_dns_ips', 'resolve_canonical_bootstrap_servers_only'],
      order: 25,
    },
    receive_buffer_bytes: {
      title: 'Receive Buffer, bytes',
      description: 'Kept for saved configs; no effect. The operating system sizes the TCP receive buffer.',
      type: 'integer',
      maximum: JAVA_INT_MAX,
      minimum: -1,
      default: DEFAULTS.receiveBufferBytes,
      order: 26,
    },
    schema_inference_sample_size: {
      title: 'Schema Inference Sample Size',
      description:
        'JSON keys and values: discover reads up to this many of the newest messages of each topic (spread over its partitions, at most 64 MiB of them) and types the stream from them: integers and numbers, RFC 3339 date-times, nested objects and arrays, nullable and mixed fields. 0: no inference, keys and values are declared as any JSON. A later message of another shape is still written as it is.',
      type: 'integer',
      minimum: 0,
      maximum: 100000,
      default: DEFAULTS.schemaInferenceSampleSize,
      order: 27,
    },
  },
};

/** The connector specification. Each call returns a fresh copy, so callers may change it freely. */
export function spec(): ConnectorSpecification {
  return {
    documentationUrl: DOCUMENTATION_URL,
    supportsIncremental: true,
    // No `supported_source_sync_modes` (the Java spec's ["append"]): it is not a protocol field, and Airbyte's
    // clients read the sync modes from each discovered stream.
    connectionSpecification: structuredClone(connectionSpecification),
  };
}

/** The shared schema object, for this package's validator only: never hand it out, it is not copied. */
export function connectionSchema(): Readonly<JsonObject> {
  return connectionSpecification;
}

/**
 * The paths of every `airbyte_secret` field, e.g. `['protocol', 'sasl_jaas_config']`. A path through a
 * `oneOf` names the field without the branch, so it fits whichever branch a config picked.
 */
export function secretPaths(): string[][] {
  const found = new Map<string, string[]>();
  const walk = (node: JsonValue | undefined, path: string[]): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    if (node.airbyte_secret === true) found.set(path.join('\u0000'), path);
    const properties = node.properties;
    if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
      for (const [name, child] of Object.entries(properties)) walk(child, [...path, name]);
    }
    for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
      const branches = node[keyword];
      if (Array.isArray(branches)) for (const branch of branches) walk(branch, path);
    }
  };
  walk(connectionSpecification, []);
  return [...found.values()];
}
