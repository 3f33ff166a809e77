// Schema ids in record headers and schema GUIDs (magic byte 1), framed the way Confluent's serializers write
// them (SchemaId.idToBytes / guidToBytes in confluentinc/schema-registry, and @confluentinc/schemaregistry's
// HeaderSchemaIdSerializer): the header value is the same prefix a payload would carry, Protobuf message
// indexes included, and the payload is then bare. Payloads are encoded by the third-party client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, type Fixtures, SchemaType, startFixtures, withMessageIndexes } from '../test/helpers.js';
import { order, orderJson, registerOrders } from '../test/protobuf-fixtures.js';
import { createDeserializer } from './create-deserializer.js';
import { createSchemaRegistryClient } from './registry-client.js';
import type { DeserializeContext, SchemaRegistry } from './types.js';

const avroConfig = {
  format: 'AVRO',
  subjectNameStrategy: 'TopicNameStrategy',
  validateJsonSchema: false,
} as const;

// The first field is an int, so a record with n = 0 starts with byte 0x00: a payload that looks like magic
// byte 0. Only the header says it is not framed.
const countSchema = JSON.stringify({
  type: 'record',
  name: 'Count',
  fields: [
    { name: 'n', type: 'int' },
    { name: 'label', type: 'string' },
  ],
});

function guidBytes(guid: string): Buffer {
  return Buffer.from(guid.replaceAll('-', ''), 'hex');
}

function withHeaders(
  part: 'key' | 'value',
  headers: Array<{ key: string; value: Uint8Array | null }>,
): DeserializeContext {
  return { ...context, part, headers };
}

describe('schema ids in headers and schema GUIDs', () => {
  let fixtures: Fixtures;
  let registry: SchemaRegistry;
  let countId: number;
  let bare: Buffer;

  beforeAll(async () => {
    fixtures = await startFixtures();
    registry = createSchemaRegistryClient({ url: fixtures.registry.url });
    ({ id: countId } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: countSchema },
      { subject: 'counts-value' },
    ));
    bare = (await fixtures.client.encode(countId, { n: 0, label: 'zero' })).subarray(5);
    expect(bare[0]).toBe(0);
  });
  afterAll(() => fixtures.registry.close());

  it('decodes a bare payload whose schema GUID is in the __value_schema_id header', async () => {
    const guid = fixtures.registry.guidOf(countId);
    const deserialize = createDeserializer(avroConfig, { registry });
    const header = Buffer.concat([Buffer.from([1]), guidBytes(guid)]);
    const ctx = withHeaders('value', [{ key: '__value_schema_id', value: header }]);
    expect(await deserialize(bare, ctx)).toEqual({ n: 0, label: 'zero' });
    // Cached by GUID: the second record decodes synchronously, without another request.
    expect(deserialize(bare, ctx)).toEqual({ n: 0, label: 'zero' });
    expect(fixtures.registry.requestCount(`GET /schemas/guids/${guid}`)).toBe(1);
  });

  it('decodes a bare payload whose integer schema id is in the header', async () => {
    const deserialize = createDeserializer(avroConfig, { registry });
    const header = Buffer.from([0, 0, 0, 0, countId]);
    const ctx = withHeaders('value', [{ key: '__value_schema_id', value: header }]);
    expect(await deserialize(bare, ctx)).toEqual({ n: 0, label: 'zero' });
  });

  it('decodes a payload framed with magic byte 1 and a 16-byte GUID', async () => {
    const guid = fixtures.registry.guidOf(countId);
    const framed = Buffer.concat([Buffer.from([1]), guidBytes(guid), bare]);
    const deserialize = createDeserializer(avroConfig, { registry });
    expect(await deserialize(framed, context)).toEqual({ n: 0, label: 'zero' });
  });

  it('reads the key header for keys, the value header for values, and the last of repeated headers', async () => {
    const { id: otherId } = await fixtures.client.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({ type: 'record', name: 'K', fields: [{ name: 'k', type: 'string' }] }),
      },
      { subject: 'counts-key' },
    );
    const keyBare = (await fixtures.client.encode(otherId, { k: 'a' })).subarray(5);
    const headers = [
      { key: '__value_schema_id', value: Buffer.from([0, 0, 0, 0, otherId]) },
      { key: '__key_schema_id', value: Buffer.from([0, 0, 0, 0, otherId]) },
      { key: '__value_schema_id', value: Buffer.from([0, 0, 0, 0, countId]) },
    ];
    const deserialize = createDeserializer(avroConfig, { registry });
    expect(await deserialize(bare, withHeaders('value', headers))).toEqual({ n: 0, label: 'zero' });
    expect(await deserialize(keyBare, withHeaders('key', headers))).toEqual({ k: 'a' });
  });

  it('falls back to the payload prefix when the header has no value', async () => {
    const framed = await fixtures.client.encode(countId, { n: 3, label: 'three' });
    const deserialize = createDeserializer(avroConfig, { registry });
    const ctx = withHeaders('value', [{ key: '__value_schema_id', value: null }]);
    expect(await deserialize(framed, ctx)).toEqual({ n: 3, label: 'three' });
  });

  it('takes the Protobuf message indexes from the header when the id is there', async () => {
    const orderId = await registerOrders(fixtures, 'orders-guid-value');
    const { SchemaRegistry: Client } = await import('@kafkajs/confluent-schema-registry');
    const orderClient = new Client(
      { host: fixtures.registry.url },
      { [SchemaType.PROTOBUF]: { messageName: 'Order' } },
    );
    const framed = await orderClient.encode(orderId, order);
    const guid = fixtures.registry.guidOf(orderId);
    // Index list [1] (count 1 → zigzag 2, index 1 → zigzag 2) follows the GUID in the header.
    const header = Buffer.concat([Buffer.from([1]), guidBytes(guid), Buffer.from([2, 2])]);
    const deserialize = createDeserializer(
      { format: 'PROTOBUF', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
      { registry },
    );
    const ctx = withHeaders('value', [{ key: '__value_schema_id', value: header }]);
    expect(await deserialize(framed.subarray(5), ctx)).toEqual(orderJson);
    // And in the payload after a GUID prefix, as the payload form writes them.
    const inPayload = withMessageIndexes(framed, [1]).subarray(5);
    expect(await deserialize(Buffer.concat([Buffer.from([1]), guidBytes(guid), inPayload]), context)).toEqual(
      orderJson,
    );
  });

  it('names an unknown GUID, and a header that is not a schema id, as errors of that record', async () => {
    const deserialize = createDeserializer(avroConfig, { registry });
    const unknown = Buffer.concat([Buffer.from([1]), Buffer.alloc(16, 0xab)]);
    await expect(
      deserialize(bare, withHeaders('value', [{ key: '__value_schema_id', value: unknown }])),
    ).rejects.toMatchObject({
      name: 'DeserializationError',
      code: 'UNKNOWN_SCHEMA',
      reason: expect.stringContaining(
        'schema GUID abababab-abab-abab-abab-abababababab is not in the schema registry (the registry must serve GET /schemas/guids/{guid}',
      ),
    });
    expect(() =>
      deserialize(bare, withHeaders('value', [{ key: '__value_schema_id', value: Buffer.from('42') }])),
    ).toThrow(
      /offset 7 as AVRO: expected magic byte 0 or 1 of the Confluent wire format in header "__value_schema_id", found 0x34/,
    );
  });

  it('says so when the registry client cannot look up GUIDs', async () => {
    const { getSchemaById, getLatestSchema, getSchemaBySubjectVersion, listSubjects } = registry;
    const idsOnly: SchemaRegistry = {
      getSchemaById: getSchemaById.bind(registry),
      getLatestSchema: getLatestSchema.bind(registry),
      getSchemaBySubjectVersion: getSchemaBySubjectVersion.bind(registry),
      listSubjects: listSubjects.bind(registry),
    };
    const deserialize = createDeserializer(avroConfig, { registry: idsOnly });
    const framed = Buffer.concat([Buffer.from([1]), guidBytes(fixtures.registry.guidOf(countId)), bare]);
    await expect(deserialize(framed, context)).rejects.toMatchObject({
      code: 'UNKNOWN_SCHEMA',
      reason: expect.stringContaining('this registry client has no getSchemaByGuid'),
    });
  });
});
