// The normalized config: what `parseConfig` returns. Every other package codes against this type, never
// against the raw Airbyte config, so legacy field names stay inside this package.

export type MessageFormat = 'JSON' | 'STRING' | 'BYTES' | 'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA';

export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';

export interface FormatConfig {
  readonly format: MessageFormat;
  /** Only meaningful for AVRO, PROTOBUF and JSON_SCHEMA. */
  readonly subjectNameStrategy: SubjectNameStrategy;
  /** JSON_SCHEMA only: validate each decoded payload against its registered schema. */
  readonly validateJsonSchema: boolean;
  /**
   * Record strategies only: the fully qualified record names the topics carry, so discover reads exactly
   * their subjects. Each entry is `<record name>` (every topic) or `<topic>:<record name>` (that topic only);
   * `recordNamesForTopic` applies them. Undefined when not configured (never empty).
   */
  readonly recordNames?: readonly string[] | undefined;
}

export interface SchemaRegistryConfig {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Sent as `Authorization: Bearer <token>`; never together with username. */
  readonly bearerToken?: string | undefined;
  /** PEM text. */
  readonly caCertificate?: string | undefined;
  /** PEM text, for mTLS with the registry; always together with clientKey. */
  readonly clientCertificate?: string | undefined;
  /** PEM text, for mTLS with the registry. */
  readonly clientKey?: string | undefined;
  readonly clientKeyPassword?: string | undefined;
}

export type SecurityProtocol = 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL';

export type SaslConfig =
  | {
      readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
      readonly username: string;
      readonly password: string;
    }
  | {
      readonly mechanism: 'OAUTHBEARER';
      readonly tokenEndpointUrl: string;
      readonly clientId: string;
      readonly clientSecret: string;
      readonly scope?: string | undefined;
      /** Extra JAAS options, e.g. `extension_*`, passed through as SASL extensions. */
      readonly extensions: Readonly<Record<string, string>>;
    }
  | AwsMskIamConfig;

/**
 * Amazon MSK IAM access control, from a Java config's `IAMLoginModule` line. Credentials are tried in the
 * Java library's order: the profile, then the role, then the default AWS chain (env, profile, container,
 * instance).
 */
export interface AwsMskIamConfig {
  readonly mechanism: 'AWS_MSK_IAM';
  /**
   * The cluster's region, from `protocol.aws_region` or else the broker host names
   * (`*.kafka.<region>.amazonaws.com`); absent when neither gives one (the AWS_REGION variables then may).
   */
  readonly region?: string | undefined;
  /** JAAS `awsProfileName`. */
  readonly profileName?: string | undefined;
  /** JAAS `awsRoleArn`: a role assumed through STS. */
  readonly roleArn?: string | undefined;
  /** JAAS `awsRoleSessionName`. */
  readonly roleSessionName?: string | undefined;
  /** JAAS `awsRoleExternalId`. */
  readonly roleExternalId?: string | undefined;
  /** JAAS `awsStsRegion`: the STS region for the role; the cluster's region when absent. */
  readonly stsRegion?: string | undefined;
  /** JAAS `awsRoleAccessKeyId`, `awsRoleSecretAccessKey`, `awsRoleSessionToken`: the keys that assume the role. */
  readonly roleCredentials?:
    | {
        readonly accessKeyId: string;
        readonly secretAccessKey: string;
        readonly sessionToken?: string | undefined;
      }
    | undefined;
  /** JAAS `awsDebugCreds=true`: log the identity (account and ARN) the credentials resolve to. */
  readonly debugCredentials: boolean;
}

export interface TlsConfig {
  /** PEM text; when absent the system trust store is used. */
  readonly caCertificate?: string | undefined;
  /** PEM text, for mTLS. */
  readonly clientCertificate?: string | undefined;
  /** PEM text, for mTLS. */
  readonly clientKey?: string | undefined;
  readonly clientKeyPassword?: string | undefined;
}

export interface SecurityConfig {
  readonly protocol: SecurityProtocol;
  /** Present for SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl?: SaslConfig | undefined;
  /** Present for SSL and SASL_SSL. */
  readonly tls?: TlsConfig | undefined;
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export type Subscription =
  /**
   * `pattern` is a Java regex from the Java connector, matched against the WHOLE topic name (Java's
   * Pattern.matches), so anchor it as `^(?:pattern)$`. parseConfig has checked it compiles that way in JS.
   */
  | { readonly type: 'subscribe'; readonly pattern: string }
  | { readonly type: 'assign'; readonly partitions: readonly TopicPartitionRef[] };

/** Where a partition with no Airbyte state starts. */
export type StartPosition =
  | { readonly type: 'earliest' }
  | { readonly type: 'latest' }
  | { readonly type: 'timestamp'; readonly timestampMs: number }
  /** Java `auto_offset_reset: none`: a partition with no state fails the read. */
  | { readonly type: 'none' };

export interface RecordLayoutConfig {
  readonly includeKey: boolean;
  readonly includeHeaders: boolean;
  readonly includeMetadata: boolean;
  /** `nested`: the value sits under one field; `flatten`: its top-level fields become record fields. */
  readonly value: 'nested' | 'flatten';
  /**
   * `offset`: rows keyed by (partition, offset). `message_key`: rows keyed by the message key, tombstones
   * written as deletes; parseConfig guarantees includeKey and includeMetadata then.
   */
  readonly primaryKey: 'offset' | 'message_key';
  /**
   * How the decoded value is unwrapped into the row: `none` (as decoded), `debezium` (change events: the row
   * is `after`, or `before` for a delete) or `connect_json` (Kafka Connect JSON: the row is `payload`).
   */
  readonly envelope?: 'none' | 'debezium' | 'connect_json' | undefined;
}

export interface ReadBoundsConfig {
  /** Stop cleanly after this many records in one sync. Undefined: no cap. */
  readonly maxRecords?: number | undefined;
  /** Stop cleanly after this long. Undefined: no cap. */
  readonly maxDurationMs?: number | undefined;
}

export interface CheckpointConfig {
  readonly everyRecords: number;
  readonly everyMs: number;
}

export interface KafkaSourceConfig {
  /** `host:port`, IPv6 hosts in brackets (`[::1]:9092`); never empty, no duplicates. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly subscription: Subscription;
  readonly security: SecurityConfig;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  /** Java `max_poll_records`, used as a bound on records buffered ahead of the caller. */
  readonly maxPollRecords: number;
  /** `start_position` when set; else the Java `auto_offset_reset` (default latest). */
  readonly startPosition: StartPosition;
  readonly isolationLevel: 'read_committed' | 'read_uncommitted';
  readonly keyFormat: FormatConfig;
  readonly valueFormat: FormatConfig;
  /** Present when a registry URL is configured; always present when a key or value format needs one. */
  readonly schemaRegistry?: SchemaRegistryConfig | undefined;
  readonly layout: RecordLayoutConfig;
  readonly bounds: ReadBoundsConfig;
  readonly checkpoint: CheckpointConfig;
  /** What a message that cannot be decoded does: fail the sync (default) or be skipped and counted. */
  readonly badMessagePolicy: 'fail' | 'skip';
  /** A state offset below the log start (retention deleted it): go on from the log start, or fail. */
  readonly retentionGapPolicy: 'continue' | 'fail';
  /**
   * How long a read waits for brokers that stopped answering (a restart, a rolling upgrade) before it gives up
   * with a transient error; within it the read goes on where it was. Always set by parseConfig (default 60 s).
   */
  readonly brokerOutageMs?: number | undefined;
  /** Commit checkpointed offsets to the consumer group (Java `enable_auto_commit`), for lag dashboards. */
  readonly commitOffsetsToGroup: boolean;
  /** Newest messages per topic that discover types JSON keys and values from; 0 turns inference off. */
  readonly schemaInferenceSampleSize: number;
  /** Java `test_topic`: a topic `check` may read to prove access. */
  readonly testTopic?: string | undefined;
}
