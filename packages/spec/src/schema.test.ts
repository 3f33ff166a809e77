import { readReference } from '@source-kafka/testkit/reference';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type JsonValue, secretPaths, spec } from './schema.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
// The vendored reference files (packages/testkit/fixtures): the official protocol and the Java connector's spec.
const javaSpec = JSON.parse(readReference('javaSourceKafkaSpec')) as {
  connectionSpecification: Node & { properties: Node };
};

type Node = { [key: string]: JsonValue };
const isNode = (value: JsonValue | undefined): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every property schema in the tree, with its path; oneOf branches are walked too. */
function properties(node: JsonValue | undefined, path: string[] = []): { path: string[]; schema: Node }[] {
  if (!isNode(node)) return [];
  const found: { path: string[]; schema: Node }[] = [];
  if (isNode(node.properties)) {
    for (const [name, child] of Object.entries(node.properties)) {
      if (isNode(child))
        found.push({ path: [...path, name], schema: child }, ...properties(child, [...path, name]));
    }
  }
  for (const branch of Array.isArray(node.oneOf) ? node.oneOf : []) found.push(...properties(branch, path));
  return found;
}

const connection = spec().connectionSpecification;
const ours = properties(connection);
const java = properties(javaSpec.connectionSpecification);

describe('spec()', () => {
  it('validates against ConnectorSpecification of the official Airbyte protocol', () => {
    const protocol = parseYaml(readReference('protocolYaml')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(protocol, 'airbyte_protocol.yaml');
    const validate = ajv.getSchema('airbyte_protocol.yaml#/definitions/ConnectorSpecification');
    expect(validate).toBeDefined();
    expect(validate?.(spec()), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('declares a connection specification that is itself a valid draft-07 schema', () => {
    expect(connection.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(connection), JSON.stringify(ajv.errors)).toBe(true);
    expect(spec().supportsIncremental).toBe(true);
    expect(spec().documentationUrl).toMatch(/^https:\/\//);
  });

  it('keeps every field of the Java spec with its name, nesting, type and const/enum values', () => {
    expect(java.length).toBeGreaterThanOrEqual(18);
    for (const { path, schema } of java) {
      const matches = ours.filter((candidate) => candidate.path.join('.') === path.join('.'));
      expect(matches.length, `missing ${path.join('.')}`).toBeGreaterThan(0);
      if (schema.type !== undefined) {
        expect(
          matches.some((match) => match.schema.type === schema.type),
          path.join('.'),
        ).toBe(true);
      }
      // A Java const or enum value must still be accepted: by the same const, or inside a wider enum.
      const javaValues =
        schema.const !== undefined ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : [];
      for (const value of javaValues) {
        const accepted = matches.some(
          (match) =>
            match.schema.const === value ||
            (Array.isArray(match.schema.enum) && match.schema.enum.includes(value)),
        );
        expect(accepted, `${path.join('.')} accepts ${String(value)}`).toBe(true);
      }
    }
  });

  it('keeps the 18 top-level Java fields and the Java required list', () => {
    const javaTop = Object.keys(javaSpec.connectionSpecification.properties);
    expect(javaTop).toHaveLength(18);
    expect(Object.keys(connection.properties as Node)).toEqual(expect.arrayContaining(javaTop));
    expect(connection.required).toEqual(['bootstrap_servers', 'subscription', 'protocol']);
  });

  it('gives every top-level field a title, a description and a unique order', () => {
    const top = Object.entries(connection.properties as Node);
    const orders = top.map(([, schema]) => (isNode(schema) ? schema.order : undefined));
    for (const [name, schema] of top) {
      expect(isNode(schema) && typeof schema.title === 'string', `${name} title`).toBe(true);
      expect(isNode(schema) && typeof schema.description === 'string', `${name} description`).toBe(true);
      expect(isNode(schema) && typeof schema.order === 'number', `${name} order`).toBe(true);
    }
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('returns a fresh copy on every call', () => {
    const first = spec();
    (first.connectionSpecification as Node).title = 'changed';
    expect(spec().connectionSpecification.title).toBe('Kafka Source Spec');
  });
});

describe('secrets', () => {
  const SECRET_NAME = /password|passphrase|secret|jaas|private|credential|(^|_)token$|(^|_)key$/i;

  it('marks every string property whose name suggests a secret as airbyte_secret', () => {
    const suspicious = ours.filter(
      // A choice from a fixed list (record_layout.primary_key) names no secret whatever its name.
      ({ path, schema }) =>
        schema.type === 'string' && !('enum' in schema) && SECRET_NAME.test(path.at(-1) ?? ''),
    );
    expect(suspicious.map(({ path }) => path.join('.'))).toEqual(
      expect.arrayContaining([
        'protocol.sasl_jaas_config',
        'protocol.ssl_client_key',
        'protocol.ssl_client_key_password',
        'schema_registry.password',
        'schema_registry.bearer_token',
        'schema_registry.client_key',
        'schema_registry.client_key_password',
        'MessageFormat.schema_registry_password',
      ]),
    );
    for (const { path, schema } of suspicious) {
      expect(schema.airbyte_secret, path.join('.')).toBe(true);
    }
  });

  it('marks nothing secret that is not a string', () => {
    for (const { path, schema } of ours) {
      if (schema.airbyte_secret === true) expect(schema.type, path.join('.')).toBe('string');
    }
  });

  it('lists the path of every airbyte_secret field once', () => {
    const expected = ours
      .filter(({ schema }) => schema.airbyte_secret === true)
      .map(({ path }) => path.join('.'));
    const listed = secretPaths().map((path) => path.join('.'));
    expect(new Set(listed)).toEqual(new Set(expected));
    expect(listed).toHaveLength(new Set(listed).size);
  });
});
