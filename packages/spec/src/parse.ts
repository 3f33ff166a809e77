// Raw Airbyte config -> KafkaSourceConfig. Structure is checked by ajv against the spec; what JSON Schema
// cannot say (host:port lists, JAAS lines, PEM, regexes, field combinations) is checked here. Every problem
// is collected before throwing, and legacy Java fields are mapped onto the new ones.
import { parseBootstrapServers, parseTopicPartitions, topicNameProblem } from './addresses.js';
import { parseAwsMskIam } from './aws-msk-iam.js';
import type {
  FormatConfig,
  KafkaSourceConfig,
  MessageFormat,
  SaslConfig,
  SchemaRegistryConfig,
  SecurityConfig,
  SecurityProtocol,
  StartPosition,
  SubjectNameStrategy,
  Subscription,
  TlsConfig,
} from './config.js';
import { DEFAULTS, MESSAGE_FORMATS, REGISTRY_FORMATS, SUBJECT_NAME_STRATEGIES } from './defaults.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { JaasConfigError, type JaasLoginEntry, parseJaasConfig } from './jaas.js';
import { parseCertificates, parsePrivateKey } from './pem.js';
import { connectionSchema } from './schema.js';
import { validateStructure } from './validate.js';

type RawObject = Record<string, unknown>;

const isObject = (value: unknown): value is RawObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Defensive readers: semantic checks also run on configs that failed the schema, so every problem is
// reported in one go; a field of the wrong type reads as absent here (the schema already reported it).
const objectAt = (raw: RawObject, key: string): RawObject => {
  const value = raw[key];
  return isObject(value) ? value : {};
};
const stringAt = (raw: RawObject, key: string): string | undefined => {
  const value = raw[key];
  return typeof value === 'string' ? value : undefined;
};
/** A string that is absent when empty or blank, as Java saved optional strings as "". */
const textAt = (raw: RawObject, key: string): string | undefined => {
  const value = stringAt(raw, key);
  return value === undefined || value.trim() === '' ? undefined : value;
};
const integerAt = (raw: RawObject, key: string): number | undefined => {
  const value = raw[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
};
const booleanAt = (raw: RawObject, key: string): boolean | undefined => {
  const value = raw[key];
  return typeof value === 'boolean' ? value : undefined;
};
const oneOf = <T extends string>(values: readonly T[], value: unknown): T | undefined =>
  values.find((candidate) => candidate === value);

class Problems {
  readonly list: ConfigProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function httpUrlProblem(text: string, example: string): string | undefined {
  if (text.includes(',')) return 'holds several URLs; give exactly one http(s) URL';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return `must be an http(s) URL, e.g. ${example}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must be an http(s) URL, e.g. ${example}`;
  }
  if (url.username !== '' || url.password !== '') {
    return 'must not carry credentials; use the username and password fields';
  }
  return undefined;
}

function parseSubscription(raw: RawObject, problems: Problems): Subscription {
  const subscription = objectAt(raw, 'subscription');
  const type = stringAt(subscription, 'subscription_type');
  if (type === 'assign') {
    const list = stringAt(subscription, 'topic_partitions');
    if (list === undefined) return { type: 'assign', partitions: [] };
    const parsed = parseTopicPartitions(list);
    for (const problem of parsed.problems) problems.add('subscription.topic_partitions', problem);
    return { type: 'assign', partitions: parsed.values };
  }
  if (type === 'subscribe') {
    const pattern = stringAt(subscription, 'topic_pattern');
    if (pattern === undefined) return { type: 'subscribe', pattern: '' };
    if (pattern.trim() === '') {
      problems.add('subscription.topic_pattern', 'must not be empty; use .* for every topic');
    } else {
      const problem = regexProblem(pattern);
      if (problem !== undefined) problems.add('subscription.topic_pattern', problem);
    }
    return { type: 'subscribe', pattern };
  }
  return { type: 'subscribe', pattern: '' };
}

function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    // Also anchored, as it is used: a stray `)` can compile alone yet change meaning once wrapped.
    new RegExp(`^(?:${pattern})$`);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split(': ').pop() ?? '') : '';
    return `"${pattern}" is not a valid regular expression (${reason}); Java-only syntax such as (?i) or possessive quantifiers is not supported`;
  }
}

const LOGIN_MODULES: Readonly<Record<string, { readonly moduleName: string; readonly className: string }>> = {
  PLAIN: {
    moduleName: 'PlainLoginModule',
    className: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  },
  'SCRAM-SHA-256': {
    moduleName: 'ScramLoginModule',
    className: 'org.apache.kafka.common.security.scram.ScramLoginModule',
  },
  'SCRAM-SHA-512': {
    moduleName: 'ScramLoginModule',
    className: 'org.apache.kafka.common.security.scram.ScramLoginModule',
  },
  OAUTHBEARER: {
    moduleName: 'OAuthBearerLoginModule',
    className: 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule',
  },
};

function parseSasl(
  protocol: RawObject,
  brokers: readonly string[],
  problems: Problems,
): SaslConfig | undefined {
  const mechanism = stringAt(protocol, 'sasl_mechanism');
  // The schema allows these two under SASL_SSL only; elsewhere it has already reported the enum.
  const refusable = protocol.security_protocol === 'SASL_SSL';
  if (refusable && mechanism === 'GSSAPI') {
    problems.add(
      'protocol.sasl_mechanism',
      'GSSAPI (Kerberos) is not supported; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER',
    );
    return undefined;
  }
  if (refusable && mechanism === 'AWS_MSK_IAM') {
    return parseAwsMskIam(
      stringAt(protocol, 'sasl_jaas_config'),
      stringAt(protocol, 'aws_region'),
      brokers,
      (path, message) => problems.add(path, message),
    );
  }
  const expected =
    mechanism !== undefined && Object.hasOwn(LOGIN_MODULES, mechanism) ? LOGIN_MODULES[mechanism] : undefined;
  const jaasText = stringAt(protocol, 'sasl_jaas_config');
  if (expected === undefined || mechanism === undefined || jaasText === undefined) return undefined;

  const path = 'protocol.sasl_jaas_config';
  let entry: JaasLoginEntry;
  try {
    entry = parseJaasConfig(jaasText);
  } catch (error) {
    if (!(error instanceof JaasConfigError)) throw error;
    problems.add(path, error.message);
    return undefined;
  }
  if (entry.moduleName !== expected.moduleName) {
    problems.add(path, `sasl_mechanism ${mechanism} needs ${expected.className}, not another login module`);
    return undefined;
  }
  const option = (name: string): string | undefined => entry.options.get(name);
  const requireOption = (name: string): string | undefined => {
    const value = option(name);
    if (value === undefined) problems.add(path, `the ${entry.moduleName} line has no ${name} option`);
    else if (value === '') problems.add(path, `the ${name} option is empty`);
    return value;
  };

  if (mechanism === 'OAUTHBEARER') {
    const clientId = requireOption('clientId');
    const clientSecret = requireOption('clientSecret');
    const tokenPath = 'protocol.oauthbearer_token_endpoint_url';
    const tokenEndpointUrl = textAt(protocol, 'oauthbearer_token_endpoint_url');
    if (tokenEndpointUrl === undefined) {
      problems.add(tokenPath, 'is required when sasl_mechanism is OAUTHBEARER');
    } else {
      const urlProblem = httpUrlProblem(tokenEndpointUrl, 'https://auth.example.com/oauth2/token');
      if (urlProblem !== undefined) problems.add(tokenPath, urlProblem);
    }
    // fromEntries defines own properties, so an option named extension___proto__ stays plain data.
    const extensions = Object.fromEntries(
      [...entry.options]
        .filter(([name]) => name.startsWith('extension_'))
        .map(([name, value]) => [name.slice('extension_'.length), value]),
    );
    if (clientId === undefined || clientSecret === undefined || tokenEndpointUrl === undefined)
      return undefined;
    const scope = option('scope');
    return {
      mechanism,
      tokenEndpointUrl: tokenEndpointUrl.trim(),
      clientId,
      clientSecret,
      scope: scope === '' ? undefined : scope,
      extensions,
    };
  }
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512')
    return undefined;
  const username = requireOption('username');
  const password = requireOption('password');
  if (username === undefined || password === undefined) return undefined;
  return { mechanism, username, password };
}

function parseCertificateField(
  raw: RawObject,
  key: string,
  path: string,
  problems: Problems,
): string | undefined {
  const pem = textAt(raw, key);
  if (pem === undefined) return undefined;
  const { problem } = parseCertificates(pem);
  if (problem !== undefined) problems.add(path, problem);
  return pem;
}

function parseTls(protocol: RawObject, type: SecurityProtocol, problems: Problems): TlsConfig {
  const caCertificate = parseCertificateField(
    protocol,
    'ssl_ca_certificate',
    'protocol.ssl_ca_certificate',
    problems,
  );
  if (type !== 'SSL') return { caCertificate };

  const certificatePem = textAt(protocol, 'ssl_client_certificate');
  const keyPem = textAt(protocol, 'ssl_client_key');
  const keyPassword = stringAt(protocol, 'ssl_client_key_password') || undefined;
  if (certificatePem === undefined && keyPem === undefined) {
    if (keyPassword !== undefined) {
      problems.add('protocol.ssl_client_key_password', 'is set but ssl_client_key is empty');
    }
    return { caCertificate };
  }
  if (certificatePem === undefined) {
    problems.add(
      'protocol.ssl_client_certificate',
      'is required with ssl_client_key (mutual TLS needs both)',
    );
  }
  if (keyPem === undefined) {
    problems.add(
      'protocol.ssl_client_key',
      'is required with ssl_client_certificate (mutual TLS needs both)',
    );
  }
  const certificates = certificatePem === undefined ? undefined : parseCertificates(certificatePem);
  if (certificates?.problem !== undefined)
    problems.add('protocol.ssl_client_certificate', certificates.problem);
  const key = keyPem === undefined ? undefined : parsePrivateKey(keyPem, keyPassword);
  if (key?.problem !== undefined) problems.add('protocol.ssl_client_key', key.problem);
  const leaf = certificates?.certificates[0];
  if (certificates?.problem === undefined && leaf !== undefined && key?.key !== undefined) {
    if (!leaf.checkPrivateKey(key.key)) {
      problems.add('protocol.ssl_client_key', 'does not belong to ssl_client_certificate');
    }
  }
  return {
    caCertificate,
    clientCertificate: certificatePem,
    clientKey: keyPem,
    clientKeyPassword: keyPassword,
  };
}

function parseSecurity(raw: RawObject, brokers: readonly string[], problems: Problems): SecurityConfig {
  const protocol = objectAt(raw, 'protocol');
  const type = oneOf(['PLAINTEXT', 'SASL_PLAINTEXT', 'SSL', 'SASL_SSL'] as const, protocol.security_protocol);
  switch (type) {
    case 'SASL_PLAINTEXT':
      return { protocol: type, sasl: parseSasl(protocol, brokers, problems) };
    case 'SASL_SSL': {
      const sasl = parseSasl(protocol, brokers, problems);
      return { protocol: type, sasl, tls: parseTls(protocol, type, problems) };
    }
    case 'SSL':
      return { protocol: type, tls: parseTls(protocol, type, problems) };
    default:
      return { protocol: 'PLAINTEXT' };
  }
}

const TOPIC_SCOPE = /^([a-zA-Z0-9._-]+|\*):(.*)$/;

/**
 * The record names that apply to `topic`: entries scoped to it (`<topic>:<name>`) and unscoped ones
 * (`<name>`, or `*:<name>` for a name that itself holds a colon). Undefined when none apply.
 */
export function recordNamesForTopic(
  recordNames: readonly string[] | undefined,
  topic: string,
): string[] | undefined {
  if (recordNames === undefined) return undefined;
  const names: string[] = [];
  for (const entry of recordNames) {
    const scoped = TOPIC_SCOPE.exec(entry);
    if (scoped === null) names.push(entry);
    else if (scoped[1] === '*' || scoped[1] === topic) names.push(scoped[2]!.trim());
  }
  const unique = [...new Set(names)];
  return unique.length === 0 ? undefined : unique;
}

/** Trimmed, blanks dropped, duplicates dropped in order; undefined when nothing is left. */
function recordNamesAt(block: RawObject): string[] | undefined {
  const value = block.record_names;
  if (!Array.isArray(value)) return undefined;
  const names = [
    ...new Set(value.filter((v): v is string => typeof v === 'string').map((v) => v.trim())),
  ].filter((name) => name !== '');
  return names.length === 0 ? undefined : names;
}

function parseFormat(
  raw: RawObject,
  key: 'MessageFormat' | 'key_format',
  fallback: MessageFormat,
  problems: Problems,
): FormatConfig {
  const block = objectAt(raw, key);
  const recordNames = recordNamesAt(block);
  for (const entry of recordNames ?? []) {
    const scoped = TOPIC_SCOPE.exec(entry);
    if (scoped !== null && scoped[2]!.trim() === '') {
      problems.add(`${key}.record_names`, `"${entry}" names a topic but no record after the colon`);
    }
  }
  return {
    format: oneOf(MESSAGE_FORMATS, block.deserialization_type) ?? fallback,
    subjectNameStrategy: (oneOf(SUBJECT_NAME_STRATEGIES, block.deserialization_strategy) ??
      DEFAULTS.subjectNameStrategy) as SubjectNameStrategy,
    validateJsonSchema: booleanAt(block, 'validate_against_schema') ?? DEFAULTS.validateJsonSchema,
    recordNames,
  };
}

function parseSchemaRegistry(
  raw: RawObject,
  formats: readonly FormatConfig[],
  problems: Problems,
): SchemaRegistryConfig | undefined {
  const block = objectAt(raw, 'schema_registry');
  const valueFormat = objectAt(raw, 'MessageFormat');
  // The Java connector kept the registry inside the AVRO value format; it still works there.
  const legacy = valueFormat.deserialization_type === 'AVRO' ? valueFormat : {};

  const blockUrl = textAt(block, 'url');
  const legacyUrl = textAt(legacy, 'schema_registry_url');
  if (blockUrl !== undefined && legacyUrl !== undefined && blockUrl.trim() !== legacyUrl.trim()) {
    problems.add('MessageFormat.schema_registry_url', 'differs from schema_registry.url; set only one');
  }
  const url = blockUrl ?? legacyUrl;
  const urlPath = blockUrl !== undefined ? 'schema_registry.url' : 'MessageFormat.schema_registry_url';
  const needed = formats.some((format) => oneOf(REGISTRY_FORMATS, format.format) !== undefined);
  if (url === undefined) {
    if (needed) {
      problems.add(
        'schema_registry.url',
        'is required when the key or value format is AVRO, PROTOBUF or JSON_SCHEMA',
      );
    }
    return undefined;
  }
  const urlProblem = httpUrlProblem(url, 'https://registry.example.com:8081');
  if (urlProblem !== undefined) problems.add(urlPath, urlProblem);

  const username = textAt(block, 'username') ?? textAt(legacy, 'schema_registry_username');
  const blockPassword = stringAt(block, 'password') || undefined;
  const password = blockPassword ?? (stringAt(legacy, 'schema_registry_password') || undefined);
  if (password !== undefined && username === undefined) {
    const passwordPath =
      blockPassword !== undefined ? 'schema_registry.password' : 'MessageFormat.schema_registry_password';
    problems.add(passwordPath, 'is set but no registry username is');
  }
  const bearerToken = textAt(block, 'bearer_token')?.trim();
  if (bearerToken !== undefined && username !== undefined) {
    problems.add(
      'schema_registry.bearer_token',
      'is set together with a registry username; use basic authentication or a bearer token, not both',
    );
  }
  const caCertificate = parseCertificateField(
    block,
    'ca_certificate',
    'schema_registry.ca_certificate',
    problems,
  );
  const client = parseClientCertificate(block, problems);
  if (client.clientCertificate !== undefined && !/^https:\/\//i.test(url.trim())) {
    problems.add('schema_registry.client_certificate', 'needs an https registry URL');
  }
  return { url: url.trim(), username, password, bearerToken, caCertificate, ...client };
}

/** The registry's mutual-TLS pair: both or neither, parseable, and belonging together. */
function parseClientCertificate(
  block: RawObject,
  problems: Problems,
): Pick<SchemaRegistryConfig, 'clientCertificate' | 'clientKey' | 'clientKeyPassword'> {
  const certificatePem = textAt(block, 'client_certificate');
  const keyPem = textAt(block, 'client_key');
  const keyPassword = stringAt(block, 'client_key_password') || undefined;
  if (certificatePem === undefined && keyPem === undefined) {
    if (keyPassword !== undefined) {
      problems.add('schema_registry.client_key_password', 'is set but schema_registry.client_key is empty');
    }
    return {};
  }
  if (certificatePem === undefined) {
    problems.add('schema_registry.client_certificate', 'is required with client_key (mutual TLS needs both)');
  }
  if (keyPem === undefined) {
    problems.add('schema_registry.client_key', 'is required with client_certificate (mutual TLS needs both)');
  }
  const certificates = certificatePem === undefined ? undefined : parseCertificates(certificatePem);
  if (certificates?.problem !== undefined) {
    problems.add('schema_registry.client_certificate', certificates.problem);
  }
  const key = keyPem === undefined ? undefined : parsePrivateKey(keyPem, keyPassword);
  if (key?.problem !== undefined) {
    problems.add(
      'schema_registry.client_key',
      key.problem.replace('ssl_client_key_password', 'client_key_password'),
    );
  }
  const leaf = certificates?.certificates[0];
  if (certificates?.problem === undefined && leaf !== undefined && key?.key !== undefined) {
    if (!leaf.checkPrivateKey(key.key)) {
      problems.add('schema_registry.client_key', 'does not belong to schema_registry.client_certificate');
    }
  }
  return { clientCertificate: certificatePem, clientKey: keyPem, clientKeyPassword: keyPassword };
}

function parseStartPosition(raw: RawObject, problems: Problems): StartPosition {
  const start = raw.start_position;
  if (isObject(start)) {
    const position = start.position;
    if (position === 'earliest' || position === 'latest') return { type: position };
    if (position === 'timestamp') {
      const text = stringAt(start, 'timestamp');
      const timestampMs = text === undefined ? Number.NaN : Date.parse(text);
      if (Number.isFinite(timestampMs) && timestampMs < 0) {
        problems.add('start_position.timestamp', 'must not be before 1970-01-01T00:00:00Z');
      }
      return { type: 'timestamp', timestampMs };
    }
  }
  // No explicit start position: the Java field keeps its meaning.
  const reset =
    oneOf(['earliest', 'latest', 'none'] as const, raw.auto_offset_reset) ?? DEFAULTS.autoOffsetReset;
  return { type: reset };
}

/** Problems sorted as the fields appear in the form (stable, so each field keeps its own order). */
function inFormOrder(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const properties = connectionSchema().properties;
  const rank = (problem: ConfigProblem): number => {
    const field = problem.path.split('.')[0] ?? '';
    const property = isObject(properties) ? properties[field] : undefined;
    const order = isObject(property) ? property.order : undefined;
    return typeof order === 'number' ? order : Number.MAX_SAFE_INTEGER;
  };
  return [...problems].sort((a, b) => rank(a) - rank(b));
}

function positiveOrUndefined(value: number | undefined): number | undefined {
  return value === undefined || value <= 0 ? undefined : value;
}

/**
 * Validates a raw Airbyte config (the Java connector's shape or ours) and returns the normalized config,
 * defaults applied. Throws ConfigError listing every problem found.
 */
export function parseConfig(raw: unknown): KafkaSourceConfig {
  if (!isObject(raw))
    throw new ConfigError([{ path: '', message: 'the configuration must be a JSON object' }]);
  const problems = new Problems();
  problems.list.push(...validateStructure(raw));

  const bootstrap = stringAt(raw, 'bootstrap_servers');
  const brokers = bootstrap === undefined ? undefined : parseBootstrapServers(bootstrap);
  for (const problem of brokers?.problems ?? []) problems.add('bootstrap_servers', problem);

  const subscription = parseSubscription(raw, problems);
  const security = parseSecurity(raw, brokers?.values ?? [], problems);
  const valueFormat = parseFormat(raw, 'MessageFormat', DEFAULTS.valueFormat, problems);
  const keyFormat = parseFormat(raw, 'key_format', DEFAULTS.keyFormat, problems);
  const schemaRegistry = parseSchemaRegistry(raw, [keyFormat, valueFormat], problems);
  const startPosition = parseStartPosition(raw, problems);

  const testTopic = textAt(raw, 'test_topic')?.trim();
  if (testTopic !== undefined) {
    const problem = topicNameProblem(testTopic);
    if (problem !== undefined) problems.add('test_topic', problem);
  }

  const layout = objectAt(raw, 'record_layout');
  if (layout.primary_key === 'message_key') {
    for (const needed of ['include_key', 'include_metadata'] as const) {
      if (booleanAt(layout, needed) === false) {
        problems.add(
          'record_layout.primary_key',
          `message_key needs record_layout.${needed} (the key and the offset are the primary key and cursor)`,
        );
      }
    }
  }

  const envelopeFormats = { debezium: ['JSON', 'AVRO'], connect_json: ['JSON'] } as const;
  const envelope = layout.envelope;
  if (envelope === 'debezium' || envelope === 'connect_json') {
    const allowed: readonly string[] = envelopeFormats[envelope];
    if (!allowed.includes(valueFormat.format)) {
      problems.add(
        'record_layout.envelope',
        `${envelope} needs MessageFormat ${allowed.join(' or ')} (the values are ${valueFormat.format})`,
      );
    }
  }

  if (problems.list.length > 0) throw new ConfigError(inFormOrder(problems.list));

  const readBounds = objectAt(raw, 'read_bounds');
  const checkpoint = objectAt(raw, 'checkpoint');
  const errorHandling = objectAt(raw, 'error_handling');
  const autoOffsetReset = stringAt(raw, 'auto_offset_reset');
  const maxDurationSeconds = integerAt(readBounds, 'max_duration_seconds');

  return {
    brokers: brokers?.values ?? [],
    clientId: textAt(raw, 'client_id')?.trim() ?? DEFAULTS.clientId,
    groupId: textAt(raw, 'group_id')?.trim() ?? DEFAULTS.groupId,
    subscription,
    security,
    requestTimeoutMs: integerAt(raw, 'request_timeout_ms') ?? DEFAULTS.requestTimeoutMs,
    retryBackoffMs: integerAt(raw, 'retry_backoff_ms') ?? DEFAULTS.retryBackoffMs,
    maxPollRecords: integerAt(raw, 'max_poll_records') ?? DEFAULTS.maxPollRecords,
    startPosition,
    isolationLevel:
      oneOf(['read_committed', 'read_uncommitted'] as const, raw.isolation_level) ?? DEFAULTS.isolationLevel,
    keyFormat,
    valueFormat,
    schemaRegistry,
    layout: {
      includeKey: booleanAt(layout, 'include_key') ?? DEFAULTS.includeKey,
      includeHeaders: booleanAt(layout, 'include_headers') ?? DEFAULTS.includeHeaders,
      includeMetadata: booleanAt(layout, 'include_metadata') ?? DEFAULTS.includeMetadata,
      value: oneOf(['nested', 'flatten'] as const, layout.value_layout) ?? DEFAULTS.valueLayout,
      primaryKey: oneOf(['offset', 'message_key'] as const, layout.primary_key) ?? DEFAULTS.primaryKey,
      envelope: oneOf(['none', 'debezium', 'connect_json'] as const, layout.envelope) ?? DEFAULTS.envelope,
    },
    bounds: {
      maxRecords: positiveOrUndefined(integerAt(raw, 'max_records_process') ?? DEFAULTS.maxRecordsProcess),
      maxDurationMs: maxDurationSeconds === undefined ? undefined : maxDurationSeconds * 1000,
    },
    checkpoint: {
      everyRecords: integerAt(checkpoint, 'every_records') ?? DEFAULTS.checkpointEveryRecords,
      everyMs: (integerAt(checkpoint, 'every_seconds') ?? DEFAULTS.checkpointEverySeconds) * 1000,
    },
    badMessagePolicy:
      oneOf(['fail', 'skip'] as const, errorHandling.bad_message_policy) ?? DEFAULTS.badMessagePolicy,
    brokerOutageMs:
      (integerAt(errorHandling, 'broker_outage_seconds') ?? DEFAULTS.brokerOutageSeconds) * 1000,
    retentionGapPolicy:
      oneOf(['continue', 'fail'] as const, errorHandling.retention_gap_policy) ??
      (autoOffsetReset === 'none' ? 'fail' : DEFAULTS.retentionGapPolicy),
    commitOffsetsToGroup:
      booleanAt(raw, 'commit_offsets_to_group') ??
      booleanAt(raw, 'enable_auto_commit') ??
      DEFAULTS.enableAutoCommit,
    schemaInferenceSampleSize:
      integerAt(raw, 'schema_inference_sample_size') ?? DEFAULTS.schemaInferenceSampleSize,
    testTopic,
  };
}
