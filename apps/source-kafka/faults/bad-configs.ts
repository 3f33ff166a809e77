// A generated corpus of configs that are wrong in exactly one field, from the connector's own spec: every
// integer, string, boolean, enum and object field gets values of the wrong type and values just outside its
// bounds, and the fields the schema cannot constrain (addresses, JAAS, patterns, certificates) get hand-picked
// malformed values. Every config carries planted secrets that must never be printed.
import { spec } from '@source-kafka/spec';

export const PLANTED = {
  jaasPassword: 'PlantedJaas-9q7Zk',
  registryPassword: 'PlantedReg-4m2Xw',
  keyPassword: 'PlantedKeyPw-6t1Vb',
  bearer: 'PlantedBearer-3h8Ny',
} as const;

export interface BadConfig {
  readonly name: string;
  /** The field the problem is in; the error must name it (its last path segment). */
  readonly field: string;
  readonly config: Record<string, unknown>;
}

type Raw = Record<string, unknown>;
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  oneOf?: Schema[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  required?: string[];
};

const JAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${PLANTED.jaasPassword}";`;

/** A valid config that connects nowhere (port 1), so a bad config is the only error it can hit first. */
export function baseConfig(): Raw {
  return {
    bootstrap_servers: '127.0.0.1:1',
    subscription: { subscription_type: 'subscribe', topic_pattern: 'faults-config-.*' },
    protocol: { security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'PLAIN', sasl_jaas_config: JAAS },
    schema_registry: {
      url: 'http://127.0.0.1:1',
      username: 'reg-user',
      password: PLANTED.registryPassword,
    },
    request_timeout_ms: 2000,
  };
}

function setPath(config: Raw, path: readonly string[], value: unknown): Raw {
  const copy = structuredClone(config);
  let at: Raw = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) at[key] = {};
    at = at[key] as Raw;
  }
  at[path.at(-1)!] = value;
  return copy;
}

function deletePath(config: Raw, path: readonly string[]): Raw {
  const copy = structuredClone(config);
  let at: Raw = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Raw;
  delete at[path.at(-1)!];
  return copy;
}

/** Values a field of this schema must refuse. */
function wrongValues(schema: Schema): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  switch (schema.type) {
    case 'integer':
      out.push(
        ['a word', 'abc'],
        ['a numeric string', '5'],
        ['a boolean', true],
        ['a fraction', 1.5],
        ['an object', {}],
        ['a list', [1]],
      );
      if (schema.minimum !== undefined) out.push(['below its minimum', schema.minimum - 1]);
      if (schema.maximum !== undefined) out.push(['above its maximum', schema.maximum + 1]);
      out.push(['far out of range', -1e300]);
      break;
    case 'boolean':
      out.push(['a word', 'maybe'], ['a number', 2], ['a list', [true]]);
      break;
    case 'string':
      out.push(['a number', 123], ['an object', { a: 1 }], ['a list', ['x']]);
      if (schema.enum !== undefined) out.push(['not an option', 'NOT_AN_OPTION'], ['an empty option', '']);
      if (schema.maxLength !== undefined) {
        out.push(['over its length limit', 'x'.repeat(schema.maxLength + 1)]);
      }
      break;
    case 'array':
      out.push(['a string', 'x'], ['a number', 3], ['a list of numbers', [1, 2]]);
      break;
    case 'object':
      out.push(['a string', 'x'], ['a number', 7], ['a list', []]);
      break;
  }
  return out;
}

/** Plain nested fields (no oneOf): the mutation applies to the base config as it is. */
function generated(): BadConfig[] {
  const root = spec().connectionSpecification as Schema;
  const out: BadConfig[] = [];
  const visit = (schema: Schema, path: string[]) => {
    for (const [key, field] of Object.entries(schema.properties ?? {})) {
      const at = [...path, key];
      const name = at.join('.');
      for (const [what, value] of wrongValues(field)) {
        out.push({ name: `${name} is ${what}`, field: key, config: setPath(baseConfig(), at, value) });
      }
      if (field.type === 'object' && field.oneOf === undefined) visit(field, at);
    }
  };
  visit(root, []);
  for (const key of root.required ?? []) {
    out.push({ name: `${key} is missing`, field: key, config: deletePath(baseConfig(), [key]) });
    out.push({ name: `${key} is null`, field: key, config: setPath(baseConfig(), [key], null) });
  }
  return out;
}

const sasl = (fields: Raw): Raw =>
  setPath(baseConfig(), ['protocol'], { security_protocol: 'SASL_PLAINTEXT', ...fields });

/** Fields whose wrong values the schema cannot express: each value here is one a user could type. */
function handPicked(): BadConfig[] {
  const out: BadConfig[] = [];
  const add = (name: string, field: string, config: Raw) => out.push({ name, field, config });
  for (const servers of [
    '',
    'broker',
    'broker:0',
    'broker:99999',
    'broker:9092 broker2:9092',
    'broker:9092;broker2:9092',
    '[::1]',
    ':9092',
    'broker:port',
    ',,,',
    'br oker:9092',
  ]) {
    add(
      `bootstrap_servers "${servers.slice(0, 40)}"`,
      'bootstrap_servers',
      setPath(baseConfig(), ['bootstrap_servers'], servers),
    );
  }
  for (const list of ['', 'orders', 'orders:x', 'orders:-1', ':0', 'bad topic:0', 'orders:99999999999']) {
    add(
      `topic_partitions "${list}"`,
      'topic_partitions',
      setPath(baseConfig(), ['subscription'], { subscription_type: 'assign', topic_partitions: list }),
    );
  }
  for (const pattern of ['', '(', '[a-', '(?i)orders', 'a++', '*', '\\']) {
    add(
      `topic_pattern "${pattern}"`,
      'topic_pattern',
      setPath(baseConfig(), ['subscription'], { subscription_type: 'subscribe', topic_pattern: pattern }),
    );
  }
  add(
    'subscription_type unknown',
    'subscription_type',
    setPath(baseConfig(), ['subscription'], { subscription_type: 'both' }),
  );
  add(
    'security_protocol unknown',
    'security_protocol',
    setPath(baseConfig(), ['protocol'], { security_protocol: 'TLS' }),
  );
  add('sasl_mechanism unknown', 'sasl_mechanism', sasl({ sasl_mechanism: 'MD5', sasl_jaas_config: JAAS }));
  add('sasl_mechanism GSSAPI', 'sasl_mechanism', sasl({ sasl_mechanism: 'GSSAPI', sasl_jaas_config: JAAS }));
  for (const [what, jaas] of [
    ['empty', ''],
    [
      'no control flag',
      `org.apache.kafka.common.security.plain.PlainLoginModule username="a" password="${PLANTED.jaasPassword}";`,
    ],
    [
      'no semicolon',
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="${PLANTED.jaasPassword}"`,
    ],
    [
      'unclosed quote',
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="${PLANTED.jaasPassword};`,
    ],
    ['two modules', `${JAAS} ${JAAS}`],
    [
      'no username',
      `org.apache.kafka.common.security.plain.PlainLoginModule required password="${PLANTED.jaasPassword}";`,
    ],
    [
      'a SCRAM module under PLAIN',
      `org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="${PLANTED.jaasPassword}";`,
    ],
    ['garbage', `password=${PLANTED.jaasPassword} {{{`],
  ] as const) {
    add(
      `sasl_jaas_config ${what}`,
      'sasl_jaas_config',
      sasl({ sasl_mechanism: 'PLAIN', sasl_jaas_config: jaas }),
    );
  }
  for (const [what, pem] of [
    ['not PEM', 'hello'],
    ['a truncated certificate', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['a key instead of a certificate', '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----'],
  ] as const) {
    add(
      `ssl_ca_certificate ${what}`,
      'ssl_ca_certificate',
      setPath(baseConfig(), ['protocol'], { security_protocol: 'SSL', ssl_ca_certificate: pem }),
    );
  }
  add(
    'ssl_client_key without a certificate',
    'ssl_client_certificate',
    setPath(baseConfig(), ['protocol'], {
      security_protocol: 'SSL',
      ssl_client_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
      ssl_client_key_password: PLANTED.keyPassword,
    }),
  );
  for (const url of ['registry', 'ftp://registry', 'http://', 'http://registry:99999']) {
    add(`schema_registry.url "${url}"`, 'url', setPath(baseConfig(), ['schema_registry', 'url'], url));
  }
  add(
    'schema_registry bearer token and basic auth together',
    'bearer_token',
    setPath(baseConfig(), ['schema_registry', 'bearer_token'], PLANTED.bearer),
  );
  for (const format of ['AVRO', 'PROTOBUF', 'JSON_SCHEMA']) {
    const config = setPath(deletePath(baseConfig(), ['schema_registry']), ['MessageFormat'], {
      deserialization_type: format,
    });
    add(`${format} without a registry`, 'schema_registry', config);
  }
  add(
    'MessageFormat unknown type',
    'deserialization_type',
    setPath(baseConfig(), ['MessageFormat'], { deserialization_type: 'XML' }),
  );
  add(
    'key_format unknown type',
    'deserialization_type',
    setPath(baseConfig(), ['key_format'], { deserialization_type: 'CSV' }),
  );
  for (const ts of ['', 'yesterday', '2024-13-45T00:00:00Z', '-5', '99999999999999999999']) {
    add(
      `start_position timestamp "${ts}"`,
      'timestamp',
      setPath(baseConfig(), ['start_position'], { position: 'timestamp', timestamp: ts }),
    );
  }
  add(
    'start_position unknown',
    'position',
    setPath(baseConfig(), ['start_position'], { position: 'middle' }),
  );
  add(
    'primary_key message_key without the key',
    'primary_key',
    setPath(baseConfig(), ['record_layout'], { primary_key: 'message_key', include_key: false }),
  );
  // Accepted on purpose, so not in the corpus: a scheme before a broker address (the parser drops it), an
  // empty entry in topic_partitions, an empty registry URL (no registry) and any group_id string.
  return out;
}

export function badConfigCorpus(): BadConfig[] {
  return [...generated(), ...handPicked()];
}

/** Every secret the corpus plants, and the pieces of one that an error could quote. */
export const plantedSecrets: readonly string[] = Object.values(PLANTED);
