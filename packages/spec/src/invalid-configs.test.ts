// A corpus of invalid configs, each with the exact problem users should read. Every config carries the
// secrets below, and no message may ever contain one of them.
import { describe, expect, it } from 'vitest';
import { encryptedKeyPem, selfSignedCertificate } from '../test/certificates.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { parseConfig } from './parse.js';

const SECRETS = {
  jaasPassword: 'jaas-Pw-9f3',
  registryPassword: 'reg-Pw-7c1',
  legacyRegistryPassword: 'legacy-Pw-3e6',
  oauthSecret: 'oauth-Sec-2b8',
  keyPassword: 'keyPass-5d4',
  awsSecretKey: 'awsSecret-4f2',
  // Pieces of passwords that a malformed JAAS line could make look like option names or values.
  leakedWord: 'leakyWord8a',
  leakedTail: 'tailPart6c',
} as const;

const plainJaas = (password: string = SECRETS.jaasPassword): string =>
  `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${password}";`;
const MSK_JAAS = 'software.amazon.msk.auth.iam.IAMLoginModule required;';
const OAUTH_JAAS = `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="app" clientSecret="${SECRETS.oauthSecret}";`;

const certificate = selfSignedCertificate();
const otherCertificate = selfSignedCertificate('other');
const encryptedKey = encryptedKeyPem(certificate, SECRETS.keyPassword);
const corrupt = (pem: string): string => pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!');

type Raw = Record<string, unknown>;

const base = (): Raw => ({
  bootstrap_servers: 'broker1:9092,broker2:9092',
  subscription: { subscription_type: 'assign', topic_partitions: 'orders:0, orders:1' },
  protocol: { security_protocol: 'SASL_SSL', sasl_mechanism: 'PLAIN', sasl_jaas_config: plainJaas() },
  schema_registry: {
    url: 'https://registry.example.com',
    username: 'reg-user',
    password: SECRETS.registryPassword,
  },
});

const withFields = (fields: Raw): Raw => ({ ...base(), ...fields });
const without = (field: string): Raw => {
  const config = base();
  delete config[field];
  return config;
};
const withProtocol = (protocol: Raw): Raw => withFields({ protocol });
const sasl = (mechanism: string, jaas: string, extra: Raw = {}): Raw =>
  withProtocol({
    security_protocol: 'SASL_SSL',
    sasl_mechanism: mechanism,
    sasl_jaas_config: jaas,
    ...extra,
  });
const ssl = (fields: Raw): Raw => withProtocol({ security_protocol: 'SSL', ...fields });
const assign = (list: string): Raw =>
  withFields({ subscription: { subscription_type: 'assign', topic_partitions: list } });
const subscribe = (pattern: string): Raw =>
  withFields({ subscription: { subscription_type: 'subscribe', topic_pattern: pattern } });
const avroLegacy = (fields: Raw): Raw => {
  const config = withFields({ MessageFormat: { deserialization_type: 'AVRO', ...fields } });
  delete config.schema_registry;
  return config;
};

const JAVA_ONLY = 'Java-only syntax such as (?i) or possessive quantifiers is not supported';
const TOPIC_RULES = "is not a valid topic name (letters, digits, '.', '_' and '-', at most 249 characters)";
const REGISTRY_REQUIRED = 'is required when the key or value format is AVRO, PROTOBUF or JSON_SCHEMA';

interface Case {
  readonly name: string;
  readonly config: unknown;
  readonly problems: readonly ConfigProblem[];
}

const one = (name: string, config: unknown, path: string, message: string): Case => ({
  name,
  config,
  problems: [{ path, message }],
});

const corpus: readonly Case[] = [
  // bootstrap servers
  one('missing bootstrap_servers', without('bootstrap_servers'), 'bootstrap_servers', 'is required'),
  one(
    'bootstrap_servers not a string',
    withFields({ bootstrap_servers: 9092 }),
    'bootstrap_servers',
    'must be a string',
  ),
  one(
    'empty bootstrap_servers',
    withFields({ bootstrap_servers: ' , ' }),
    'bootstrap_servers',
    'must list at least one host:port, e.g. broker1:9092,broker2:9092',
  ),
  one(
    'bootstrap server without port',
    withFields({ bootstrap_servers: 'broker1' }),
    'bootstrap_servers',
    '"broker1" has no port; expected host:port, e.g. broker1:9092',
  ),
  one(
    'bootstrap server with credentials in it, as in a URL',
    withFields({ bootstrap_servers: `SASL_SSL://alice:${SECRETS.jaasPassword}@broker1:9092` }),
    'bootstrap_servers',
    `"SASL_SSL://***@broker1:9092" carries credentials; list host:port only and put credentials in the protocol's sasl_jaas_config`,
  ),
  one(
    'bootstrap server with credentials and no port',
    withFields({ bootstrap_servers: `broker1:9092, alice:${SECRETS.jaasPassword}@broker2` }),
    'bootstrap_servers',
    `"***@broker2" carries credentials; list host:port only and put credentials in the protocol's sasl_jaas_config`,
  ),
  one(
    'bootstrap server with a word for port',
    withFields({ bootstrap_servers: 'broker1:abc' }),
    'bootstrap_servers',
    '"broker1:abc" has an invalid port; expected a number from 1 to 65535',
  ),
  one(
    'bootstrap server port out of range',
    withFields({ bootstrap_servers: 'broker1:9092,broker2:70000' }),
    'bootstrap_servers',
    '"broker2:70000" has an invalid port; expected a number from 1 to 65535',
  ),
  one(
    'bootstrap server with a space in its host',
    withFields({ bootstrap_servers: 'bad host:9092' }),
    'bootstrap_servers',
    '"bad host:9092" has an invalid host name',
  ),
  one(
    'unbracketed IPv6 bootstrap server',
    withFields({ bootstrap_servers: '::1:9092' }),
    'bootstrap_servers',
    '"::1:9092" looks like an IPv6 address; write it in brackets, e.g. [::1]:9092',
  ),
  one(
    'bracketed bootstrap server that is not IPv6',
    withFields({ bootstrap_servers: '[zz]:9092' }),
    'bootstrap_servers',
    '"[zz]:9092" has no valid IPv6 address in its brackets',
  ),
  // subscription
  one('missing subscription', without('subscription'), 'subscription', 'is required'),
  one(
    'unknown subscription type',
    withFields({ subscription: { subscription_type: 'regex', topic_pattern: 'x' } }),
    'subscription.subscription_type',
    'must be one of assign, subscribe',
  ),
  one(
    'subscribe without a pattern',
    withFields({ subscription: { subscription_type: 'subscribe' } }),
    'subscription.topic_pattern',
    'is required',
  ),
  one(
    'empty pattern',
    subscribe(''),
    'subscription.topic_pattern',
    'must not be empty; use .* for every topic',
  ),
  one(
    'blank pattern',
    subscribe('  '),
    'subscription.topic_pattern',
    'must not be empty; use .* for every topic',
  ),
  one(
    'invalid regex',
    subscribe('orders['),
    'subscription.topic_pattern',
    `"orders[" is not a valid regular expression (Unterminated character class); ${JAVA_ONLY}`,
  ),
  one(
    'Java inline flag',
    subscribe('(?i)orders'),
    'subscription.topic_pattern',
    `"(?i)orders" is not a valid regular expression (Invalid group); ${JAVA_ONLY}`,
  ),
  one(
    'Java possessive quantifier',
    subscribe('orders.*+'),
    'subscription.topic_pattern',
    `"orders.*+" is not a valid regular expression (Nothing to repeat); ${JAVA_ONLY}`,
  ),
  one(
    'partition that is a word',
    assign('orders:x'),
    'subscription.topic_partitions',
    '"orders:x" is not topic:partition',
  ),
  one(
    'topic without partition',
    assign('orders:0, orders'),
    'subscription.topic_partitions',
    '"orders" is not topic:partition',
  ),
  one(
    'partition without topic',
    assign(':0'),
    'subscription.topic_partitions',
    '":0" is not topic:partition',
  ),
  one(
    'negative partition',
    assign('orders:-1'),
    'subscription.topic_partitions',
    '"orders:-1" is not topic:partition',
  ),
  one(
    'partition beyond int32',
    assign('orders:2147483648'),
    'subscription.topic_partitions',
    '"orders:2147483648": the partition must be a whole number from 0 to 2147483647',
  ),
  one(
    'topic name with a space',
    assign('or ders:0'),
    'subscription.topic_partitions',
    `"or ders:0": "or ders" ${TOPIC_RULES}`,
  ),
  one(
    'empty partition list',
    assign(' , '),
    'subscription.topic_partitions',
    'must list at least one topic:partition, e.g. orders:0, orders:1',
  ),
  // protocol
  one('missing protocol', without('protocol'), 'protocol', 'is required'),
  one('protocol as a bare string', withFields({ protocol: 'PLAINTEXT' }), 'protocol', 'must be an object'),
  one(
    'unknown security protocol',
    withProtocol({ security_protocol: 'TLS' }),
    'protocol.security_protocol',
    'must be one of PLAINTEXT, SASL_PLAINTEXT, SASL_SSL, SSL',
  ),
  one(
    'unknown SASL_SSL mechanism',
    sasl('KERBEROS', plainJaas()),
    'protocol.sasl_mechanism',
    'must be one of GSSAPI, OAUTHBEARER, SCRAM-SHA-256, SCRAM-SHA-512, PLAIN, AWS_MSK_IAM',
  ),
  one(
    'unknown SASL_PLAINTEXT mechanism',
    withProtocol({
      security_protocol: 'SASL_PLAINTEXT',
      sasl_mechanism: 'GSSAPI',
      sasl_jaas_config: plainJaas(),
    }),
    'protocol.sasl_mechanism',
    'must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER',
  ),
  one(
    'GSSAPI',
    sasl('GSSAPI', 'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;'),
    'protocol.sasl_mechanism',
    'GSSAPI (Kerberos) is not supported; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER',
  ),
  one(
    'AWS_MSK_IAM with another login module',
    sasl('AWS_MSK_IAM', plainJaas()),
    'protocol.sasl_jaas_config',
    'sasl_mechanism AWS_MSK_IAM needs software.amazon.msk.auth.iam.IAMLoginModule, not another login module',
  ),
  one(
    'AWS_MSK_IAM with a region that is no region code',
    sasl('AWS_MSK_IAM', MSK_JAAS, { aws_region: 'US East (N. Virginia)' }),
    'protocol.aws_region',
    'must be an AWS region code such as us-east-1',
  ),
  one(
    'AWS_MSK_IAM with a role ARN that is no role ARN',
    sasl(
      'AWS_MSK_IAM',
      `software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="${SECRETS.awsSecretKey}";`,
    ),
    'protocol.sasl_jaas_config',
    'the awsRoleArn option must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/name',
  ),
  one(
    'AWS_MSK_IAM with a role secret key but no access key id',
    sasl(
      'AWS_MSK_IAM',
      `software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="arn:aws:iam::123456789012:role/reader" awsRoleSecretAccessKey="${SECRETS.awsSecretKey}";`,
    ),
    'protocol.sasl_jaas_config',
    'the awsRoleAccessKeyId and awsRoleSecretAccessKey options go together: set both, or neither',
  ),
  one(
    'AWS_MSK_IAM with role keys but no role',
    sasl(
      'AWS_MSK_IAM',
      `software.amazon.msk.auth.iam.IAMLoginModule required awsRoleAccessKeyId="AKIAEXAMPLE" awsRoleSecretAccessKey="${SECRETS.awsSecretKey}";`,
    ),
    'protocol.sasl_jaas_config',
    'the awsRoleAccessKeyId, awsRoleSecretAccessKey and awsRoleSessionToken options assume the awsRoleArn role, which is not set',
  ),
  one(
    'AWS_MSK_IAM with an unknown STS region',
    sasl('AWS_MSK_IAM', 'software.amazon.msk.auth.iam.IAMLoginModule required awsStsRegion="global";'),
    'protocol.sasl_jaas_config',
    'the awsStsRegion option must be an AWS region code such as us-east-1, or aws-global',
  ),
  one(
    'AWS_MSK_IAM with a malformed JAAS line',
    sasl(
      'AWS_MSK_IAM',
      `software.amazon.msk.auth.iam.IAMLoginModule required awsRoleSecretAccessKey="${SECRETS.awsSecretKey}"`,
    ),
    'protocol.sasl_jaas_config',
    'does not end with ";" after the last option; Kafka refuses a login module without it',
  ),
  one(
    'SASL without a JAAS config',
    withProtocol({ security_protocol: 'SASL_SSL', sasl_mechanism: 'PLAIN' }),
    'protocol.sasl_jaas_config',
    'is required',
  ),
  one(
    'JAAS without password',
    sasl('PLAIN', 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice";'),
    'protocol.sasl_jaas_config',
    'the PlainLoginModule line has no password option',
  ),
  one(
    'JAAS with an empty password',
    sasl(
      'SCRAM-SHA-256',
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="";',
    ),
    'protocol.sasl_jaas_config',
    'the password option is empty',
  ),
  one(
    'empty JAAS config',
    sasl('PLAIN', ''),
    'protocol.sasl_jaas_config',
    'is empty; expected a line like org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";',
  ),
  one(
    'JAAS with an unclosed quote',
    sasl(
      'PLAIN',
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${SECRETS.jaasPassword};`,
    ),
    'protocol.sasl_jaas_config',
    'does not end with ";" after the last option; Kafka refuses a login module without it',
  ),
  one(
    'JAAS with a space inside an unquoted password',
    sasl(
      'PLAIN',
      `org.apache.kafka.common.security.plain.PlainLoginModule required username=alice password=${SECRETS.leakedWord} ${SECRETS.leakedTail};`,
    ),
    'protocol.sasl_jaas_config',
    'option #3 has no "=" after its name',
  ),
  one(
    'JAAS with a login module for another mechanism',
    sasl(
      'PLAIN',
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b";',
    ),
    'protocol.sasl_jaas_config',
    'sasl_mechanism PLAIN needs org.apache.kafka.common.security.plain.PlainLoginModule, not another login module',
  ),
  one(
    'JAAS without a control flag',
    sasl(
      'PLAIN',
      `org.apache.kafka.common.security.plain.PlainLoginModule username="alice" password="${SECRETS.jaasPassword}";`,
    ),
    'protocol.sasl_jaas_config',
    'needs a control flag (required, requisite, sufficient, optional) after the login module class, e.g. "... PlainLoginModule required username=..."',
  ),
  one(
    'JAAS without a login module',
    sasl('PLAIN', `"${SECRETS.leakedWord} x" required;`),
    'protocol.sasl_jaas_config',
    'must start with a login module class name, such as org.apache.kafka.common.security.plain.PlainLoginModule',
  ),
  one(
    'JAAS with two login modules',
    sasl('PLAIN', `${plainJaas()} ${plainJaas()}`),
    'protocol.sasl_jaas_config',
    'holds 2 login modules; Kafka takes exactly one (end the line after its ";")',
  ),
  one(
    'JAAS without its closing semicolon',
    sasl(
      'PLAIN',
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="${SECRETS.jaasPassword}"`,
    ),
    'protocol.sasl_jaas_config',
    'does not end with ";" after the last option; Kafka refuses a login module without it',
  ),
  one(
    'OAUTHBEARER without token endpoint',
    sasl('OAUTHBEARER', OAUTH_JAAS, { oauthbearer_token_endpoint_url: '' }),
    'protocol.oauthbearer_token_endpoint_url',
    'is required when sasl_mechanism is OAUTHBEARER',
  ),
  one(
    'OAUTHBEARER with a non-http token endpoint',
    sasl('OAUTHBEARER', OAUTH_JAAS, { oauthbearer_token_endpoint_url: 'ftp://auth.example.com/token' }),
    'protocol.oauthbearer_token_endpoint_url',
    'must be an http(s) URL, e.g. https://auth.example.com/oauth2/token',
  ),
  one(
    'OAUTHBEARER without client secret',
    sasl(
      'OAUTHBEARER',
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="app";',
      {
        oauthbearer_token_endpoint_url: 'https://auth.example.com/token',
      },
    ),
    'protocol.sasl_jaas_config',
    'the OAuthBearerLoginModule line has no clientSecret option',
  ),
  // schema registry and formats
  one(
    'registry URL that is not http(s)',
    withFields({
      MessageFormat: { deserialization_type: 'AVRO' },
      schema_registry: {
        url: 'ftp://registry.example.com',
        username: 'u',
        password: SECRETS.registryPassword,
      },
    }),
    'schema_registry.url',
    'must be an http(s) URL, e.g. https://registry.example.com:8081',
  ),
  one(
    'legacy registry URL without a scheme',
    avroLegacy({
      schema_registry_url: 'localhost:8081',
      schema_registry_password: SECRETS.legacyRegistryPassword,
      schema_registry_username: 'u',
    }),
    'MessageFormat.schema_registry_url',
    'must be an http(s) URL, e.g. https://registry.example.com:8081',
  ),
  one(
    'registry URL with credentials in it',
    withFields({ schema_registry: { url: `https://u:${SECRETS.registryPassword}@registry.example.com` } }),
    'schema_registry.url',
    'must not carry credentials; use the username and password fields',
  ),
  one(
    'several registry URLs',
    withFields({ schema_registry: { url: 'http://r1:8081,http://r2:8081' } }),
    'schema_registry.url',
    'holds several URLs; give exactly one http(s) URL',
  ),
  one('AVRO without a registry', avroLegacy({}), 'schema_registry.url', REGISTRY_REQUIRED),
  one(
    'PROTOBUF key without a registry',
    { ...without('schema_registry'), key_format: { deserialization_type: 'PROTOBUF' } },
    'schema_registry.url',
    REGISTRY_REQUIRED,
  ),
  one(
    'registry password without a username',
    withFields({
      schema_registry: { url: 'https://registry.example.com', password: SECRETS.registryPassword },
    }),
    'schema_registry.password',
    'is set but no registry username is',
  ),
  one(
    'legacy and new registry URLs that differ',
    withFields({ MessageFormat: { deserialization_type: 'AVRO', schema_registry_url: 'http://old:8081' } }),
    'MessageFormat.schema_registry_url',
    'differs from schema_registry.url; set only one',
  ),
  one(
    'unknown value format',
    withFields({ MessageFormat: { deserialization_type: 'XML' } }),
    'MessageFormat.deserialization_type',
    'must be one of JSON, AVRO, STRING, BYTES, PROTOBUF, JSON_SCHEMA',
  ),
  one(
    'unknown subject strategy',
    withFields({
      MessageFormat: { deserialization_type: 'AVRO', deserialization_strategy: 'SubjectStrategy' },
    }),
    'MessageFormat.deserialization_strategy',
    'must be one of TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy',
  ),
  one(
    'key format without a type',
    withFields({ key_format: { deserialization_strategy: 'TopicNameStrategy' } }),
    'key_format.deserialization_type',
    'is required: one of STRING, JSON, BYTES, AVRO, PROTOBUF, JSON_SCHEMA',
  ),
  // PEM
  one(
    'CA that is not PEM',
    ssl({ ssl_ca_certificate: 'hello' }),
    'protocol.ssl_ca_certificate',
    'is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)',
  ),
  one(
    'CA whose body is corrupt',
    ssl({ ssl_ca_certificate: corrupt(certificate.certificatePem) }),
    'protocol.ssl_ca_certificate',
    'the certificate does not parse as X.509 PEM',
  ),
  one(
    'second CA of a bundle corrupt',
    sasl('PLAIN', plainJaas(), {
      ssl_ca_certificate: certificate.certificatePem + corrupt(otherCertificate.certificatePem),
    }),
    'protocol.ssl_ca_certificate',
    'certificate #2 does not parse as X.509 PEM',
  ),
  one(
    'client certificate without key',
    ssl({ ssl_client_certificate: certificate.certificatePem }),
    'protocol.ssl_client_key',
    'is required with ssl_client_certificate (mutual TLS needs both)',
  ),
  one(
    'client key that is not PEM',
    ssl({ ssl_client_certificate: certificate.certificatePem, ssl_client_key: SECRETS.leakedWord }),
    'protocol.ssl_client_key',
    'is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)',
  ),
  one(
    'client key whose body is corrupt',
    ssl({ ssl_client_certificate: certificate.certificatePem, ssl_client_key: corrupt(certificate.keyPem) }),
    'protocol.ssl_client_key',
    'does not parse as a PEM private key',
  ),
  one(
    'encrypted client key without password',
    ssl({ ssl_client_certificate: certificate.certificatePem, ssl_client_key: encryptedKey }),
    'protocol.ssl_client_key',
    'is encrypted; set ssl_client_key_password',
  ),
  one(
    'encrypted client key with a wrong password',
    ssl({
      ssl_client_certificate: certificate.certificatePem,
      ssl_client_key: encryptedKey,
      ssl_client_key_password: `${SECRETS.keyPassword}-wrong`,
    }),
    'protocol.ssl_client_key',
    'could not be decrypted with ssl_client_key_password, or does not parse',
  ),
  one(
    'client key of another certificate',
    ssl({ ssl_client_certificate: certificate.certificatePem, ssl_client_key: otherCertificate.keyPem }),
    'protocol.ssl_client_key',
    'does not belong to ssl_client_certificate',
  ),
  one(
    'registry CA that does not parse',
    withFields({
      schema_registry: {
        url: 'https://registry.example.com',
        ca_certificate: corrupt(certificate.certificatePem),
      },
    }),
    'schema_registry.ca_certificate',
    'the certificate does not parse as X.509 PEM',
  ),
  // numbers and enums
  one(
    'negative max_poll_records',
    withFields({ max_poll_records: -1 }),
    'max_poll_records',
    'must be at least 1',
  ),
  one(
    'negative max_records_process',
    withFields({ max_records_process: -5 }),
    'max_records_process',
    'must be at least 0',
  ),
  one(
    'negative retry_backoff_ms',
    withFields({ retry_backoff_ms: -100 }),
    'retry_backoff_ms',
    'must be at least 0',
  ),
  one(
    'zero request_timeout_ms',
    withFields({ request_timeout_ms: 0 }),
    'request_timeout_ms',
    'must be at least 1',
  ),
  one(
    'request_timeout_ms past what a timer holds',
    withFields({ request_timeout_ms: 6_442_455_941 }),
    'request_timeout_ms',
    'must be at most 3600000',
  ),
  one(
    'client_id longer than Kafka sends',
    withFields({ client_id: 'c'.repeat(32_768) }),
    'client_id',
    'must be at most 8191 characters long',
  ),
  one(
    'group_id longer than Kafka sends',
    withFields({ group_id: 'g'.repeat(40_000) }),
    'group_id',
    'must be at most 8127 characters long',
  ),
  one(
    'max_duration_seconds past what a timer holds',
    withFields({ read_bounds: { max_duration_seconds: 3_000_000 } }),
    'read_bounds.max_duration_seconds',
    'must be at most 2147483',
  ),
  one(
    'checkpoint every_seconds past what a timer holds',
    withFields({ checkpoint: { every_seconds: 3_000_000 } }),
    'checkpoint.every_seconds',
    'must be at most 2147483',
  ),
  one(
    'negative schema_inference_sample_size',
    withFields({ schema_inference_sample_size: -1 }),
    'schema_inference_sample_size',
    'must be at least 0',
  ),
  one('negative polling_time', withFields({ polling_time: -5 }), 'polling_time', 'must be at least 0'),
  one(
    'receive_buffer_bytes below -1',
    withFields({ receive_buffer_bytes: -2 }),
    'receive_buffer_bytes',
    'must be at least -1',
  ),
  one(
    'fractional max_poll_records',
    withFields({ max_poll_records: 1.5 }),
    'max_poll_records',
    'must be an integer',
  ),
  one(
    'unknown auto_offset_reset',
    withFields({ auto_offset_reset: 'smallest' }),
    'auto_offset_reset',
    'must be one of latest, earliest, none',
  ),
  one(
    'enable_auto_commit as text',
    withFields({ enable_auto_commit: 'yes' }),
    'enable_auto_commit',
    'must be a boolean',
  ),
  one(
    'timestamp that is not a date-time',
    withFields({ start_position: { position: 'timestamp', timestamp: 'yesterday' } }),
    'start_position.timestamp',
    'must be an RFC 3339 date-time, e.g. 2024-01-31T00:00:00Z',
  ),
  one(
    'timestamp before the epoch',
    withFields({ start_position: { position: 'timestamp', timestamp: '1960-01-01T00:00:00Z' } }),
    'start_position.timestamp',
    'must not be before 1970-01-01T00:00:00Z',
  ),
  one(
    'timestamp position without a timestamp',
    withFields({ start_position: { position: 'timestamp' } }),
    'start_position.timestamp',
    'is required',
  ),
  one(
    'unknown start position',
    withFields({ start_position: { position: 'middle' } }),
    'start_position.position',
    'must be one of earliest, latest, timestamp',
  ),
  one(
    'unknown value layout',
    withFields({ record_layout: { value_layout: 'flat' } }),
    'record_layout.value_layout',
    'must be one of nested, flatten',
  ),
  one(
    'unknown primary key',
    withFields({ record_layout: { primary_key: 'key' } }),
    'record_layout.primary_key',
    'must be one of offset, message_key',
  ),
  one(
    'message key as primary key without the key',
    withFields({ record_layout: { primary_key: 'message_key', include_key: false } }),
    'record_layout.primary_key',
    'message_key needs record_layout.include_key (the key and the offset are the primary key and cursor)',
  ),
  one(
    'message key as primary key without the metadata',
    withFields({ record_layout: { primary_key: 'message_key', include_metadata: false } }),
    'record_layout.primary_key',
    'message_key needs record_layout.include_metadata (the key and the offset are the primary key and cursor)',
  ),
  one(
    'unknown envelope',
    withFields({ record_layout: { envelope: 'maxwell' } }),
    'record_layout.envelope',
    'must be one of none, debezium, connect_json',
  ),
  one(
    'Connect JSON envelope on Avro values',
    withFields({
      MessageFormat: { deserialization_type: 'AVRO' },
      schema_registry: { url: 'http://localhost:8081' },
      record_layout: { envelope: 'connect_json' },
    }),
    'record_layout.envelope',
    'connect_json needs MessageFormat JSON (the values are AVRO)',
  ),
  one(
    'Debezium envelope on string values',
    withFields({
      MessageFormat: { deserialization_type: 'STRING' },
      record_layout: { envelope: 'debezium' },
    }),
    'record_layout.envelope',
    'debezium needs MessageFormat JSON or AVRO (the values are STRING)',
  ),
  one(
    'zero checkpoint interval',
    withFields({ checkpoint: { every_records: 0 } }),
    'checkpoint.every_records',
    'must be at least 1',
  ),
  one(
    'negative max duration',
    withFields({ read_bounds: { max_duration_seconds: -1 } }),
    'read_bounds.max_duration_seconds',
    'must be at least 1',
  ),
  one(
    'unknown bad message policy',
    withFields({ error_handling: { bad_message_policy: 'ignore' } }),
    'error_handling.bad_message_policy',
    'must be one of fail, skip',
  ),
  one(
    'unknown isolation level',
    withFields({ isolation_level: 'serializable' }),
    'isolation_level',
    'must be one of read_committed, read_uncommitted',
  ),
  one(
    'invalid test topic',
    withFields({ test_topic: 'bad topic' }),
    'test_topic',
    `"bad topic" ${TOPIC_RULES}`,
  ),
];

function problemsOf(config: unknown): ConfigError {
  try {
    parseConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted an invalid config');
}

describe('invalid configs', () => {
  it('has a corpus of at least 40 cases, and its base config is valid', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(() => parseConfig(base())).not.toThrow();
  });

  it.each(corpus.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const error = problemsOf(entry.config);
    expect(error.problems).toEqual(entry.problems);
  });

  it.each(corpus.map((entry) => [entry.name, entry] as const))(
    '%s: no secret in the message',
    (_name, entry) => {
      const error = problemsOf(entry.config);
      const text = `${error.message}\n${JSON.stringify(error.problems)}`;
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
      expect(text).not.toContain('PRIVATE KEY-----\n');
    },
  );

  it('reports every problem of a config at once, in form order', () => {
    const error = problemsOf({
      bootstrap_servers: 'broker1',
      subscription: { subscription_type: 'assign', topic_partitions: 'orders:x' },
      protocol: { security_protocol: 'SASL_SSL', sasl_mechanism: 'GSSAPI', sasl_jaas_config: '' },
      MessageFormat: { deserialization_type: 'AVRO' },
      max_poll_records: 0,
    });
    expect(error.problems.map((problem) => problem.path)).toEqual([
      'bootstrap_servers',
      'subscription.topic_partitions',
      'protocol.sasl_mechanism',
      'schema_registry.url',
      'max_poll_records',
    ]);
  });
});
