import { describe, expect, it } from 'vitest';
import { airbyteValidator, context } from '../test/helpers.js';
import { createDeserializer } from './create-deserializer.js';
import { registeredJsonSchemaToStreamSchema } from './schema-convert.js';
import { streamSchemaFor } from './stream-schema.js';
import type { JsonValue, RegisteredSchema, SchemaRegistry, StreamJsonSchema } from './types.js';

/** Pure lookup logic of a registry: the schemas by id and subject (latest = the only version). */
function registryOf(schemas: readonly (RegisteredSchema & { subject: string })[]): SchemaRegistry {
  const find = (match: (s: RegisteredSchema & { subject: string }) => boolean, what: string) => {
    const found = schemas.find(match);
    if (found === undefined) throw new Error(`no ${what}`);
    return found;
  };
  return {
    getSchemaById: async (id) => find((s) => s.id === id, `id ${id}`),
    getLatestSchema: async (subject) => find((s) => s.subject === subject, subject),
    getSchemaBySubjectVersion: async (subject) => find((s) => s.subject === subject, subject),
    listSubjects: async () => schemas.map((s) => s.subject),
  };
}

/** Every $ref left in a schema (Airbyte's own well-known types are the only ones allowed to remain). */
function refsIn(value: JsonValue): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string'
      ? [inner]
      : ['enum', 'const', 'default', 'examples'].includes(key)
        ? []
        : refsIn(inner),
  );
}

/** The stream schema as discover nests it: ajv must resolve every $ref from there (it throws otherwise). */
function nestedValidator(valueSchema: StreamJsonSchema) {
  return airbyteValidator({
    type: 'object',
    properties: { value: valueSchema, _kafka_offset: { type: 'integer' } },
  });
}

const order = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    lines: { type: 'array', items: { $ref: '#/definitions/Line' } },
    billing: { $ref: '#/definitions/Address', description: 'where the bill goes' },
    definitions: { type: 'string', description: 'a property that happens to be called definitions' },
    kind: { enum: [{ $ref: 'not a reference, a value' }, 'plain'] },
  },
  required: ['id'],
  definitions: {
    Line: {
      type: 'object',
      properties: { sku: { type: 'string' }, quantity: { $ref: '#/definitions/Quantity' } },
      required: ['sku'],
    },
    Quantity: { type: 'integer', minimum: 1 },
    Address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('JSON Schema $ref in discovered stream schemas', () => {
  it('inlines local definitions so the schema resolves wherever it is nested', () => {
    const schema = registeredJsonSchemaToStreamSchema(JSON.stringify(order));
    expect(refsIn(schema)).toEqual([]);
    // As registered, nesting breaks the reference: ajv cannot resolve #/definitions/Line from the stream root.
    expect(() => nestedValidator(order as unknown as StreamJsonSchema)).toThrow(/can't resolve reference/);
    const validate = nestedValidator(schema);
    const good = { id: 1, lines: [{ sku: 'a', quantity: 2 }], billing: { city: 'Oslo' }, definitions: 'x' };
    expect(validate({ value: good }), JSON.stringify(validate.errors)).toBe(true);
    // The inlined definitions still constrain: a zero quantity and a billing address without a city fail.
    expect(validate({ value: { ...good, lines: [{ sku: 'a', quantity: 0 }] } })).toBe(false);
    expect(validate({ value: { ...good, billing: {} } })).toBe(false);
    expect(schema).toMatchObject({
      properties: {
        billing: { description: 'where the bill goes', allOf: [{ required: ['city'] }] },
        definitions: { type: 'string' },
        kind: { enum: [{ $ref: 'not a reference, a value' }, 'plain'] },
      },
    });
    expect(schema).not.toHaveProperty('definitions');
    expect(schema).not.toHaveProperty('$schema');
  });

  it('inlines $defs of draft 2020-12 and anchors', () => {
    const schema = registeredJsonSchemaToStreamSchema(
      JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { a: { $ref: '#/$defs/A' }, b: { $ref: '#money' }, c: { $ref: '#/$defs/with%20space' } },
        $defs: {
          A: { type: 'string', maxLength: 3 },
          M: { $anchor: 'money', type: 'number' },
          'with space': { type: 'boolean' },
        },
      }),
    );
    expect(refsIn(schema)).toEqual([]);
    expect(schema).toEqual({
      type: 'object',
      properties: { a: { type: 'string', maxLength: 3 }, b: { type: 'number' }, c: { type: 'boolean' } },
    });
  });

  it('cuts a recursive definition after the recursion depth, like recursive records', () => {
    const tree = {
      $ref: '#/definitions/Node',
      definitions: {
        Node: {
          type: 'object',
          properties: {
            label: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/definitions/Node' } },
          },
        },
      },
    };
    const schema = registeredJsonSchemaToStreamSchema(JSON.stringify(tree), [], 2);
    expect(refsIn(schema)).toEqual([]);
    const level2 = (schema.properties as { children: { items: StreamJsonSchema } }).children.items;
    expect((level2.properties as { children: { items: StreamJsonSchema } }).children.items).toEqual({
      description: '#/definitions/Node nested more than 2 levels; deeper levels are not described',
    });
    const validate = nestedValidator(schema);
    const value = {
      label: 'root',
      children: [{ label: 'a', children: [{ label: 'deep', children: [{}] }] }],
    };
    expect(validate({ value })).toBe(true);
    expect(validate({ value: { label: 7 } })).toBe(false);
  });

  it('inlines references to other subjects, with fragments, resolving their own local references there', async () => {
    const money = {
      $id: 'https://example.com/schemas/money.json',
      definitions: {
        Money: {
          type: 'object',
          properties: { currency: { $ref: '#/definitions/Currency' }, units: { type: 'integer' } },
        },
        Currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      },
    };
    const address = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const invoice = {
      $id: 'https://example.com/schemas/invoice.json',
      type: 'object',
      properties: {
        total: { $ref: 'money.json#/definitions/Money' },
        to: { $ref: 'address.json' },
      },
    };
    const registry = registryOf([
      { id: 1, subject: 'money', schemaType: 'JSON', schema: JSON.stringify(money), references: [] },
      { id: 2, subject: 'address', schemaType: 'JSON', schema: JSON.stringify(address), references: [] },
      {
        id: 3,
        subject: 'invoices-value',
        schemaType: 'JSON',
        schema: JSON.stringify(invoice),
        references: [
          // One reference named by its full URI, one by the relative name the $ref uses.
          { name: 'https://example.com/schemas/money.json', subject: 'money', version: 1 },
          { name: 'address.json', subject: 'address', version: 1 },
        ],
      },
    ]);
    const format = {
      format: 'JSON_SCHEMA',
      subjectNameStrategy: 'TopicNameStrategy',
      validateJsonSchema: true,
    } as const;
    const schema = await streamSchemaFor({ topic: 'invoices', part: 'value', format, registry });
    expect(refsIn(schema)).toEqual([]);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        total: {
          type: 'object',
          properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' }, units: { type: 'integer' } },
        },
        to: address,
      },
    });
    const value = { total: { currency: 'EUR', units: 5 }, to: { city: 'Oslo' } };
    expect(nestedValidator(schema)({ value })).toBe(true);

    // validateJsonSchema resolves the same references when decoding.
    const deserialize = createDeserializer(format, { registry });
    const framed = (json: unknown) =>
      Buffer.concat([Buffer.from([0, 0, 0, 0, 3]), Buffer.from(JSON.stringify(json))]);
    expect(await deserialize(framed(value), context)).toEqual(value);
    // The schema is cached now, so the failure is thrown at once rather than through a promise.
    expect(() => deserialize(framed({ ...value, total: { currency: 'euro', units: 5 } }), context)).toThrow(
      /\/total\/currency must match pattern/,
    );
  });

  it('validateJsonSchema resolves local $defs of a 2020-12 schema', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { n: { $ref: '#/$defs/Small' } },
      $defs: { Small: { type: 'integer', maximum: 9 } },
    };
    const registry = registryOf([
      { id: 4, subject: 'small-value', schemaType: 'JSON', schema: JSON.stringify(schema), references: [] },
    ]);
    const format = {
      format: 'JSON_SCHEMA',
      subjectNameStrategy: 'TopicNameStrategy',
      validateJsonSchema: true,
    } as const;
    const deserialize = createDeserializer(format, { registry });
    const framed = (text: string) => Buffer.concat([Buffer.from([0, 0, 0, 0, 4]), Buffer.from(text)]);
    expect(await deserialize(framed('{"n":3}'), context)).toEqual({ n: 3 });
    expect(() => deserialize(framed('{"n":30}'), context)).toThrow(/\/n must be <= 9/);
  });

  it('says so when a $ref points at nothing, instead of leaving a reference that cannot resolve', () => {
    const schema = registeredJsonSchemaToStreamSchema(
      JSON.stringify({ type: 'object', properties: { x: { $ref: '#/definitions/Missing' } } }),
    );
    expect(schema).toEqual({
      type: 'object',
      properties: {
        x: {
          description:
            '$ref "#/definitions/Missing" points at nothing in the schema or its references; any JSON',
        },
      },
    });
  });
});
