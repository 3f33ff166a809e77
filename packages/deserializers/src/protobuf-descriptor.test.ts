import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { airbyteValidator, context, readBack } from '../test/helpers.js';
import { createDeserializer, createJsonTextDeserializer } from './create-deserializer.js';
import { isDescriptorForm } from './protobuf.js';
import { streamSchemaFor, streamSchemaOfRegistered } from './stream-schema.js';
import type { RegisteredSchema, SchemaReference, SchemaRegistry } from './types.js';

// Schemas and payloads made by protoc and Python's protobuf runtime (test/fixtures/protobuf/make-fixtures.py):
// each descriptor-form schema is exactly what confluent-kafka-python's ProtobufSerializer registers.
const dir = new URL('../test/fixtures/protobuf/', import.meta.url);
const fixtures = JSON.parse(readFileSync(new URL('fixtures.json', dir), 'utf8')) as {
  schemas: Record<
    | 'shop/common.proto'
    | 'shop/order.proto'
    | 'google/protobuf/timestamp.proto'
    | 'google/protobuf/wrappers.proto',
    string
  >;
  payloads: Record<'shop.orders.Order' | 'shop.orders.Envelope', string>;
};
const text = {
  common: readFileSync(new URL('shop/common.proto', dir), 'utf8'),
  order: readFileSync(new URL('shop/order.proto', dir), 'utf8'),
};
const descriptor = {
  common: fixtures.schemas['shop/common.proto'],
  order: fixtures.schemas['shop/order.proto'],
};

/** Pure lookup logic of a registry: the schemas by id and subject. */
function registryOf(schemas: readonly (RegisteredSchema & { subject: string })[]): SchemaRegistry {
  const byId = (id: number) => {
    const found = schemas.find((s) => s.id === id);
    if (found === undefined) throw new Error(`no schema ${id}`);
    return found;
  };
  const bySubject = (subject: string) => {
    const found = schemas.find((s) => s.subject === subject);
    if (found === undefined) throw new Error(`no subject ${subject}`);
    return found;
  };
  return {
    getSchemaById: async (id) => byId(id),
    getLatestSchema: async (subject) => bySubject(subject),
    getSchemaBySubjectVersion: async (subject) => bySubject(subject),
    listSubjects: async () => schemas.map((s) => s.subject),
  };
}

const commonRef: SchemaReference = { name: 'shop/common.proto', subject: 'shop-common', version: 1 };

/** The order file registered under `orders-value` (id 2), its common.proto reference under id 1. */
function registry(forms: { order: 'text' | 'descriptor'; common: 'text' | 'descriptor' }): SchemaRegistry {
  return registryOf([
    {
      id: 1,
      subject: 'shop-common',
      schemaType: 'PROTOBUF',
      schema: forms.common === 'text' ? text.common : descriptor.common,
      references: [],
    },
    {
      id: 2,
      subject: 'orders-value',
      schemaType: 'PROTOBUF',
      schema: forms.order === 'text' ? text.order : descriptor.order,
      references: [commonRef],
    },
  ]);
}

function frame(indexes: readonly number[], payload: string): Buffer {
  const zigzag = (n: number) => (n << 1) ^ (n >> 31);
  const prefix =
    indexes.length === 1 && indexes[0] === 0 ? [0] : [zigzag(indexes.length), ...indexes.map(zigzag)];
  return Buffer.concat([Buffer.from([0, 0, 0, 0, 2]), Buffer.from(prefix), Buffer.from(payload, 'base64')]);
}

const config = {
  format: 'PROTOBUF',
  subjectNameStrategy: 'TopicNameStrategy',
  validateJsonSchema: false,
} as const;
const allForms = [
  { order: 'text', common: 'text' },
  { order: 'descriptor', common: 'descriptor' },
  { order: 'descriptor', common: 'text' },
  { order: 'text', common: 'descriptor' },
] as const;

const orderJson = {
  orderId: 'o-1',
  total: { currencyCode: 'EUR', units: 9007199254740993n, nanos: -5 },
  createdAt: '2023-11-14T22:13:20.123Z',
  note: 'leave at door',
  status: 'SHIPPED',
  lines: [{ sku: 'a', quantity: 2, price: { currencyCode: 'EUR', units: 3, nanos: 0 } }],
  counters: { views: 5 },
  linesById: { '18446744073709551615': { sku: 'max', quantity: 0, price: null } },
  payload: 'AQID',
  weight: 2.5,
  signedBig: -9223372036854775808n,
  unsignedBig: 18446744073709551615n,
  zigzagBig: -1152921504606846977n,
  fixedBig: 1152921504606846977n,
  sfixedBig: -2,
  parent: expect.objectContaining({ orderId: 'o-0', total: null, counters: {}, linesById: {}, ids: [] }),
  phone: '+1',
  coupon: '',
  customName: 'r',
  ids: [1, 9223372036854775807n],
};

describe('Protobuf schemas registered as a base64 FileDescriptorProto', () => {
  it('tells the two forms apart', () => {
    expect(isDescriptorForm(descriptor.order)).toBe(true);
    expect(isDescriptorForm(text.order)).toBe(false);
    expect(isDescriptorForm('message A {}')).toBe(false);
  });

  it('decodes the same bytes to the same JSON in every mix of text and descriptor files', async () => {
    for (const forms of allForms) {
      const deserialize = createDeserializer(config, { registry: registry(forms) });
      const order = await deserialize(frame([1], fixtures.payloads['shop.orders.Order']), context);
      expect(order, JSON.stringify(forms)).toEqual(orderJson);
      // Field order follows the declaration, whatever the form.
      expect(Object.keys(order as object)).toEqual(Object.keys(orderJson));
      expect(await deserialize(frame([0], fixtures.payloads['shop.orders.Envelope']), context)).toEqual({
        source: 'web',
        body: 'AP8=',
      });
    }
  });

  it('writes the same JSON text from the binary as the decoder gives, in every mix of forms', async () => {
    const bigintsAsNumbers = (value: unknown) =>
      JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(
        /"@@(-?\d+)@@"/g,
        '$1',
      );
    const framed = frame([1], fixtures.payloads['shop.orders.Order']);
    for (const forms of allForms) {
      const reg = registry(forms);
      const text = createJsonTextDeserializer(config, { registry: reg });
      const part = await text?.(framed, context);
      const expected = bigintsAsNumbers(await createDeserializer(config, { registry: reg })(framed, context));
      if (forms.order === 'descriptor') {
        // Its maps are entry messages, whatever their key type: written from the binary.
        expect(part, JSON.stringify(forms)).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(part as Uint8Array).toString(), JSON.stringify(forms)).toBe(expected);
      } else {
        // The text form's map<uint64, Line> is keyed by a binary hash in protobufjs: decoded instead.
        expect(part, JSON.stringify(forms)).not.toBeInstanceOf(Uint8Array);
        expect(bigintsAsNumbers(part)).toBe(expected);
      }
    }
  });

  it("uses Google's well-known files when they come as descriptor-form references too", async () => {
    const wellKnown = ['google/protobuf/timestamp.proto', 'google/protobuf/wrappers.proto'] as const;
    const reg = registryOf([
      { id: 1, subject: 'shop-common', schemaType: 'PROTOBUF', schema: descriptor.common, references: [] },
      ...wellKnown.map((name, i) => ({
        id: 10 + i,
        subject: name,
        schemaType: 'PROTOBUF' as const,
        schema: fixtures.schemas[name],
        references: [],
      })),
      {
        id: 2,
        subject: 'orders-value',
        schemaType: 'PROTOBUF',
        schema: descriptor.order,
        references: [commonRef, ...wellKnown.map((name) => ({ name, subject: name, version: 1 }))],
      },
    ]);
    const deserialize = createDeserializer(config, { registry: reg });
    expect(await deserialize(frame([1], fixtures.payloads['shop.orders.Order']), context)).toEqual(orderJson);
  });

  it('discovers the same stream schema from both forms, and decoded records validate against it', async () => {
    const schemas = [];
    for (const forms of allForms) {
      const reg = registry(forms);
      const registered = await reg.getLatestSchema('orders-value');
      schemas.push(await streamSchemaOfRegistered(reg, registered, { messageName: 'shop.orders.Order' }));
    }
    for (const schema of schemas.slice(1)) expect(schema).toEqual(schemas[0]);
    expect(schemas[0]).toMatchObject({
      properties: {
        counters: { type: 'object', additionalProperties: { type: 'integer' } },
        linesById: { type: 'object', additionalProperties: { type: 'object' } },
        signedBig: { type: 'integer' },
        customName: { type: 'string' },
      },
    });
    const deserialize = createDeserializer(config, { registry: registry(allForms[1]) });
    const validate = airbyteValidator(schemas[0]!);
    const decoded = await deserialize(frame([1], fixtures.payloads['shop.orders.Order']), context);
    expect(validate(readBack(decoded)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('discovers a descriptor-form topic without failing on the base64 text', async () => {
    const schema = await streamSchemaFor({
      topic: 'orders',
      part: 'value',
      format: config,
      registry: registry(allForms[1]),
    });
    expect(schema).toHaveProperty('type', 'object');
  });

  it("types a TopicNameStrategy topic by the message its records carry, not the file's first", async () => {
    const order = frame([1], fixtures.payloads['shop.orders.Order']);
    const envelope = frame([0], fixtures.payloads['shop.orders.Envelope']);
    for (const forms of [allForms[0], allForms[1]]) {
      const reg = registry(forms);
      const discover = (samples: (Uint8Array | null)[]) =>
        streamSchemaFor({ topic: 'orders', part: 'value', format: config, registry: reg, samples });

      const orders = await discover([order, null, order]);
      expect(orders.description).toBe("Protobuf message shop.orders.Order, as the topic's records carry it");
      expect(Object.keys(orders.properties as object)).toContain('linesById');
      const decoded = await createDeserializer(config, { registry: reg })(order, context);
      expect(airbyteValidator(orders)(readBack(decoded))).toBe(true);

      // No record to read an index from (or only unreadable ones): the file's first message, index [0].
      for (const samples of [[], [null], [Buffer.from('not framed')]]) {
        expect(Object.keys((await discover(samples)).properties as object)).toEqual(['source', 'body']);
      }

      // A topic carrying both: either shape.
      const both = await discover([envelope, order]);
      expect((both.anyOf as { description: string }[]).map((s) => s.description)).toEqual([
        "Protobuf message shop.orders.Order, as the topic's records carry it",
        "Protobuf message shop.orders.Envelope, as the topic's records carry it",
      ]);
    }
  });

  it('reports base64 that is not a FileDescriptorProto as an unusable schema', async () => {
    const reg = registryOf([
      { id: 2, subject: 'orders-value', schemaType: 'PROTOBUF', schema: '////', references: [] },
    ]);
    const deserialize = createDeserializer(config, { registry: reg });
    await expect(deserialize(frame([0], ''), context)).rejects.toMatchObject({
      code: 'INVALID_SCHEMA',
      reason: expect.stringMatching(/the schema is base64 but not a FileDescriptorProto/),
    });
  });
});
