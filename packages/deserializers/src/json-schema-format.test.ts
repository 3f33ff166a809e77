import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airbyteValidator, context, type Fixtures, SchemaType, startFixtures } from '../test/helpers.js';
import { createDeserializer, createJsonTextDeserializer } from './create-deserializer.js';
import { createSchemaRegistryClient } from './registry-client.js';
import { streamSchemaFor } from './stream-schema.js';
import type { SchemaRegistry } from './types.js';

const personSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
  required: ['name'],
};

describe('JSON Schema framed payloads', () => {
  let fixtures: Fixtures;
  let registry: SchemaRegistry;
  let id: number;
  const config = {
    format: 'JSON_SCHEMA',
    subjectNameStrategy: 'TopicNameStrategy',
    validateJsonSchema: true,
  } as const;

  beforeAll(async () => {
    fixtures = await startFixtures();
    registry = createSchemaRegistryClient({ url: fixtures.registry.url });
    ({ id } = await fixtures.client.register(
      { type: SchemaType.JSON, schema: JSON.stringify(personSchema) },
      { subject: 'people-value' },
    ));
  });
  afterAll(() => fixtures.registry.close());

  it('decodes and validates payloads written by the third-party client', async () => {
    const bytes = await fixtures.client.encode(id, { name: 'ada', age: 36 });
    const deserialize = createDeserializer(config, { registry });
    expect(await deserialize(bytes, context)).toEqual({ name: 'ada', age: 36 });
    expect(deserialize(bytes, context)).toEqual({ name: 'ada', age: 36 });
    const schema = await streamSchemaFor({ topic: 'people', part: 'value', format: config, registry });
    expect(airbyteValidator(schema)(deserialize(bytes, context))).toBe(true);
    expect(schema).not.toHaveProperty('$schema');
  });

  it('rejects a payload that breaks the registered schema only when validation is on', async () => {
    const framed = Buffer.concat([
      (await fixtures.client.encode(id, { name: 'x' })).subarray(0, 5),
      Buffer.from('{"age":-1}'),
    ]);
    const validating = createDeserializer(config, { registry });
    await expect(validating(framed, context)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      reason: expect.stringContaining(`schema id ${id}`),
    });
    const lenient = createDeserializer({ ...config, validateJsonSchema: false }, { registry });
    expect(await lenient(framed, context)).toEqual({ age: -1 });
  });

  it('keeps integers beyond 2^53 exact, validated or not', async () => {
    const header = (await fixtures.client.encode(id, { name: 'x' })).subarray(0, 5);
    const framed = Buffer.concat([header, Buffer.from('{"name":"n","age":1152921504606846977}')]);
    for (const validateJsonSchema of [true, false]) {
      const deserialize = createDeserializer({ ...config, validateJsonSchema }, { registry });
      expect(await deserialize(framed, context)).toEqual({ name: 'n', age: 1152921504606846977n });
    }
    const negative = Buffer.concat([header, Buffer.from('{"name":"n","age":-1152921504606846977}')]);
    await expect(createDeserializer(config, { registry })(negative, context)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      reason: expect.stringContaining('/age must be >= 0'),
    });
  });

  it('writes unvalidated payloads through as their own text, and decodes validated or bad ones', async () => {
    const header = (await fixtures.client.encode(id, { name: 'x' })).subarray(0, 5);
    const framed = (json: string) => Buffer.concat([header, Buffer.from(json)]);
    const text = createJsonTextDeserializer({ ...config, validateJsonSchema: false }, { registry });
    if (text === undefined) throw new Error('no text path');
    const asText = async (json: string) => {
      const part = await text(framed(json), context);
      return part instanceof Uint8Array ? Buffer.from(part).toString() : part;
    };
    // As sent: the spelling of numbers, every digit of a big one; line breaks between tokens become spaces.
    expect(await asText('{"name":"n","age":1152921504606846977,"x":1.50}')).toBe(
      '{"name":"n","age":1152921504606846977,"x":1.50}',
    );
    expect(await asText('{"name":\r\n"n"}')).toBe('{"name":  "n"}');
    // Not JSON: the decoder's error, which never quotes the payload.
    await expect(asText('{"ssn":"123-45-6789"')).rejects.toMatchObject({ code: 'INVALID_JSON' });
    await expect(asText('{"ssn":"123-45-6789"')).rejects.not.toThrow(/123-45/);
    // Validated payloads are checked on their parsed value, which is what comes back.
    const validating = createJsonTextDeserializer(config, { registry });
    expect(await validating?.(framed('{"name":"v"}'), context)).toEqual({ name: 'v' });
    // Flattened records need the value.
    expect(createJsonTextDeserializer(config, { registry, objectMembers: true })).toBeUndefined();
  });

  it('refuses a schema of another type than the configured format', async () => {
    const deserialize = createDeserializer({ ...config, format: 'AVRO' }, { registry });
    await expect(deserialize(await fixtures.client.encode(id, { name: 'x' }), context)).rejects.toMatchObject(
      {
        code: 'INVALID_SCHEMA',
        reason: expect.stringContaining('is a JSON schema, but the configured format is AVRO'),
      },
    );
  });

  it('validates against a schema whose $ref points at a registered reference', async () => {
    const address = {
      $id: 'address.json',
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    };
    await fixtures.client.register(
      { type: SchemaType.JSON, schema: JSON.stringify(address) },
      { subject: 'address' },
    );
    const customer = { type: 'object', properties: { home: { $ref: 'address.json' } }, required: ['home'] };
    const registered = await fixtures.client.register(
      {
        type: SchemaType.JSON,
        schema: JSON.stringify(customer),
        references: [{ name: 'address.json', subject: 'address', version: 1 }],
      },
      { subject: 'customers-value' },
    );
    const deserialize = createDeserializer(config, { registry });
    const good = await fixtures.client.encode(registered.id, { home: { city: 'Oslo' } });
    expect(await deserialize(good, context)).toEqual({ home: { city: 'Oslo' } });
    const bad = Buffer.concat([good.subarray(0, 5), Buffer.from('{"home":{"city":7}}')]);
    const streamSchema = await streamSchemaFor({
      topic: 'customers',
      part: 'value',
      format: config,
      registry,
    });
    expect(streamSchema).toMatchObject({
      properties: { home: { properties: { city: { type: 'string' } } } },
    });
    const validate = airbyteValidator(streamSchema);
    expect(validate({ home: { city: 'Oslo' } })).toBe(true);
    expect(validate({ home: { city: 7 } })).toBe(false);
    expect(() => deserialize(bad, context)).toThrow(
      /does not match schema id \d+: \/home\/city must be string/,
    );
  });
  it('names array indexes in a mismatch but never a payload key made of digits', async () => {
    const cards = {
      type: 'object',
      properties: { tags: { type: 'array', items: { type: 'string' } } },
      additionalProperties: { type: 'string' },
    };
    const registered = await fixtures.client.register(
      { type: SchemaType.JSON, schema: JSON.stringify(cards) },
      { subject: 'cards-value' },
    );
    const deserialize = createDeserializer(config, { registry });
    const frame = (await fixtures.client.encode(registered.id, {})).subarray(0, 5);
    // The first call fetches the schema; after it, a mismatch throws synchronously.
    expect(await deserialize(Buffer.concat([frame, Buffer.from('{}')]), context)).toEqual({});
    const badKey = Buffer.concat([frame, Buffer.from('{"4111111111111111": 7}')]);
    expect(() => deserialize(badKey, context)).toThrow(/does not match schema id \d+: \/\* must be string/);
    expect(() => deserialize(badKey, context)).not.toThrow(/4111/);
    const badItem = Buffer.concat([frame, Buffer.from('{"tags": ["a", 2]}')]);
    expect(() => deserialize(badItem, context)).toThrow(/\/tags\/1 must be string/);
  });
});
