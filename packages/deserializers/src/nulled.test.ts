import avro from 'avsc';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { createDeserializer } from './create-deserializer.js';
import type { RegisteredSchema, SchemaRegistry } from './types.js';

function registryOf(schema: RegisteredSchema): SchemaRegistry {
  return {
    getSchemaById: async () => schema,
    getLatestSchema: async () => schema,
    getSchemaBySubjectVersion: async () => schema,
    listSubjects: async () => [],
  };
}

function confluentFrame(id: number, payload: Uint8Array, messageIndexes?: Uint8Array): Uint8Array {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(id, 1);
  return Buffer.concat([head, messageIndexes ?? Buffer.alloc(0), payload]);
}

const context = { topic: 't', partition: 0, offset: '7', part: 'value' as const };

const avroSchema = {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'ok', type: 'double' },
    { name: 'top', type: 'double' },
    { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'f', type: 'float' }] } },
    { name: 'series', type: { type: 'array', items: 'double' } },
    { name: 'byName', type: { type: 'map', values: 'double' } },
    { name: 'maybe', type: ['null', 'double'] },
  ],
};

describe('values written as null (nulledFields)', () => {
  it('reports the path of every NaN or infinite Avro float, and none for finite ones', async () => {
    const type = avro.Type.forSchema(avroSchema as avro.Schema);
    const decode = createDeserializer(
      { format: 'AVRO', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
      {
        registry: registryOf({
          id: 3,
          schemaType: 'AVRO',
          schema: JSON.stringify(avroSchema),
          references: [],
        }),
      },
    );
    const payload = type.toBuffer({
      ok: 1.5,
      top: Number.NaN,
      inner: { f: Number.POSITIVE_INFINITY },
      series: [1, Number.NEGATIVE_INFINITY, 2],
      byName: { a: Number.NaN, b: 3 },
      maybe: Number.NaN,
    });
    const nulledFields: string[] = [];
    const value = await decode(confluentFrame(3, payload), { ...context, nulledFields });
    expect(value).toEqual({
      ok: 1.5,
      top: null,
      inner: { f: null },
      series: [1, null, 2],
      byName: { a: null, b: 3 },
      maybe: null,
    });
    expect(nulledFields).toEqual(['top', 'inner.f', 'series.1', 'byName.a', 'maybe']);

    const clean: string[] = [];
    await decode(
      confluentFrame(
        3,
        type.toBuffer({ ok: 1, top: 2, inner: { f: 3 }, series: [], byName: {}, maybe: null }),
      ),
      { ...context, nulledFields: clean },
    );
    expect(clean).toEqual([]);
    // Without a collector the same message decodes the same, and nothing is collected anywhere.
    expect(await decode(confluentFrame(3, payload), context)).toEqual(value);
  });

  it('reports the path of every NaN or infinite Protobuf float, by JSON field name', async () => {
    const proto = `syntax = "proto3";
package p;
import "google/protobuf/struct.proto";
message Point { double x_value = 1; float y = 2; }
message Shape {
  double area = 1;
  Point corner = 2;
  repeated double sides = 3;
  map<string, double> tags = 4;
  google.protobuf.Struct extra = 5;
}`;
    const wellKnown = protobuf.common.get('google/protobuf/struct.proto');
    if (wellKnown === null) throw new Error('protobufjs has no google/protobuf/struct.proto');
    const root = protobuf.parse(proto, protobuf.Root.fromJSON(wellKnown), { keepCase: true }).root;
    root.resolveAll();
    const shape = root.lookupType('p.Shape');
    const payload = shape
      .encode(
        shape.fromObject({
          area: Number.NaN,
          corner: { x_value: 1, y: Number.POSITIVE_INFINITY },
          sides: [1, Number.NaN],
          tags: { k: Number.NEGATIVE_INFINITY },
          extra: { fields: { n: { numberValue: Number.NaN } } },
        }),
      )
      .finish();
    const decode = createDeserializer(
      { format: 'PROTOBUF', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
      { registry: registryOf({ id: 4, schemaType: 'PROTOBUF', schema: proto, references: [] }) },
    );
    const nulledFields: string[] = [];
    // Message index of Shape (the second message of the file): one index, 1.
    const value = await decode(confluentFrame(4, payload, Uint8Array.of(2, 2)), { ...context, nulledFields });
    expect(value).toMatchObject({
      area: null,
      corner: { xValue: 1, y: null },
      sides: [1, null],
      tags: { k: null },
      extra: { n: null },
    });
    expect(nulledFields).toEqual(['area', 'corner.y', 'sides.1', 'tags.k', 'extra.n']);
  });
});
