import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, type Fixtures, SchemaType, startFixtures, withMessageIndexes } from '../test/helpers.js';
import { createDeserializer } from './create-deserializer.js';
import { DeserializationError } from './errors.js';
import { createSchemaRegistryClient } from './registry-client.js';
import type { Deserializer } from './types.js';

// Random and mutated bytes must only ever raise DeserializationError: never another exception, never a hang
// (a hang fails the test through the timeout below).

const RUNS = 10_000;
// 10k cases take a few seconds alone, far more on a loaded shared machine: the default 5 s would be flaky.
const FUZZ_TIMEOUT = { timeout: 120_000 };

async function outcome(deserialize: Deserializer, bytes: Uint8Array): Promise<'ok' | 'rejected'> {
  try {
    const result = deserialize(bytes, context);
    if (result instanceof Promise) await result;
    return 'ok';
  } catch (error) {
    if (error instanceof DeserializationError) return 'rejected';
    throw error;
  }
}

const avroSchema = {
  type: 'record',
  name: 'Fuzz',
  fields: [
    { name: 'n', type: 'long' },
    { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 't', type: { type: 'int', logicalType: 'time-millis' } },
    { name: 'tags', type: { type: 'array', items: ['null', 'string', 'bytes'] } },
    { name: 'nulls', type: { type: 'array', items: 'null' } },
    { name: 'm', type: { type: 'map', values: 'double' } },
    { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } },
    { name: 'f', type: { type: 'fixed', name: 'F', size: 3 } },
    {
      name: 'tree',
      type: {
        type: 'record',
        name: 'Tree',
        fields: [
          { name: 'v', type: 'int' },
          { name: 'kids', type: { type: 'array', items: 'Tree' } },
        ],
      },
    },
  ],
};
const avroValue = {
  n: 12,
  d: Buffer.from([1, 2]),
  ts: 1_700_000_000_000_000,
  day: 3,
  t: 1000,
  tags: [null, 'x', Buffer.from([9])],
  nulls: [null, null],
  m: { a: 1.5 },
  e: 'B',
  f: Buffer.from('abc'),
  tree: { v: 1, kids: [{ v: 2, kids: [] }] },
};

const proto = `syntax = "proto3";
package fuzz;
message Item { string name = 1; sint64 n = 2; repeated Item children = 3; map<string, bytes> blobs = 4; double x = 5; enum K { A = 0; B = 1; } K k = 6; }
`;

describe('decoding random and mutated bytes', () => {
  let fixtures: Fixtures;
  const seeds: Record<'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA', Buffer> = {} as never;
  const deserializers: Partial<Record<string, Deserializer>> = {};

  beforeAll(async () => {
    fixtures = await startFixtures();
    const registry = createSchemaRegistryClient({ url: fixtures.registry.url });
    const avro = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(avroSchema) },
      { subject: 'fuzz-avro-value' },
    );
    const pb = await fixtures.client.register(
      { type: SchemaType.PROTOBUF, schema: proto },
      { subject: 'fuzz-pb-value' },
    );
    const js = await fixtures.client.register(
      {
        type: SchemaType.JSON,
        schema: JSON.stringify({ type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] }),
      },
      { subject: 'fuzz-json-value' },
    );
    seeds.AVRO = await fixtures.client.encode(avro.id, avroValue);
    seeds.PROTOBUF = withMessageIndexes(
      await fixtures.client.encode(pb.id, {
        name: 'r',
        n: -5,
        children: [{ name: 'c' }],
        blobs: { k: Buffer.from([1]) },
        x: 1.5,
        k: 1,
      }),
      [0],
    );
    seeds.JSON_SCHEMA = await fixtures.client.encode(js.id, { a: 1 });
    for (const format of ['AVRO', 'PROTOBUF', 'JSON_SCHEMA'] as const) {
      const deserialize = createDeserializer(
        { format, subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: true },
        { registry },
      );
      // Warm the schema cache, and check the seed itself decodes.
      expect(await outcome(deserialize, seeds[format])).toBe('ok');
      deserializers[format] = deserialize;
    }
    for (const format of ['JSON', 'STRING', 'BYTES'] as const) {
      deserializers[format] = createDeserializer({
        format,
        subjectNameStrategy: 'TopicNameStrategy',
        validateJsonSchema: false,
      });
    }
  });
  afterAll(() => fixtures.registry.close());

  /** Bytes derived from a valid seed: flipped bytes, truncation, splices of random bytes. */
  const mutated = (seed: Buffer) =>
    fc.oneof(
      fc
        .tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(seed.length), fc.boolean())
        .map(([at, byte, cut, truncate]) => {
          const copy = Buffer.from(seed);
          copy[at] = byte;
          return truncate ? copy.subarray(0, cut) : copy;
        }),
      fc
        .tuple(fc.integer({ min: 5, max: seed.length }), fc.uint8Array({ maxLength: 64 }))
        .map(([at, noise]) => Buffer.concat([seed.subarray(0, at), noise, seed.subarray(at)])),
      // Same schema id, random payload.
      fc.uint8Array({ maxLength: 96 }).map((noise) => Buffer.concat([seed.subarray(0, 5), noise])),
      fc.uint8Array({ maxLength: 96 }),
    );

  for (const format of ['AVRO', 'PROTOBUF', 'JSON_SCHEMA'] as const) {
    it(
      `${format}: raises only DeserializationError for ${RUNS} random and mutated inputs`,
      FUZZ_TIMEOUT,
      async () => {
        const outcomes = { ok: 0, rejected: 0 };
        await fc.assert(
          fc.asyncProperty(mutated(seeds[format]), async (bytes) => {
            outcomes[await outcome(deserializers[format]!, bytes)]++;
          }),
          { numRuns: RUNS },
        );
        // Both paths were exercised: the generator is not trivially all-valid or all-invalid.
        expect(outcomes.rejected).toBeGreaterThan(0);
        expect(outcomes.ok + outcomes.rejected).toBe(RUNS);
      },
    );
  }

  for (const format of ['JSON', 'STRING', 'BYTES'] as const) {
    it(`${format}: raises only DeserializationError for ${RUNS} random inputs`, FUZZ_TIMEOUT, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc.json().map((text) => Buffer.from(text)),
          ),
          async (bytes) => {
            await outcome(deserializers[format]!, bytes);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
