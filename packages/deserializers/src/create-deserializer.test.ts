import { describe, expect, it } from 'vitest';
import { createDeserializer, MAX_CACHED_SCHEMAS } from './create-deserializer.js';
import { DeserializationError, SchemaRegistryError, schemaRegistryErrorCodes } from './errors.js';
import type { RegisteredSchema, SchemaRegistry } from './types.js';

/** A registry that knows no schema at all and counts how often each id is asked for. */
function emptyRegistry(): { registry: SchemaRegistry; lookups: Map<number, number> } {
  const lookups = new Map<number, number>();
  const notFound = (what: string): never => {
    throw new SchemaRegistryError(schemaRegistryErrorCodes.notFound, `no ${what}`);
  };
  const registry: SchemaRegistry = {
    getSchemaById: async (id: number): Promise<RegisteredSchema> => {
      lookups.set(id, (lookups.get(id) ?? 0) + 1);
      return notFound(`schema ${id}`);
    },
    getLatestSchema: async (subject) => notFound(subject),
    getSchemaBySubjectVersion: async (subject) => notFound(subject),
    listSubjects: async () => [],
  };
  return { registry, lookups };
}

function framed(schemaId: number): Uint8Array {
  const bytes = Buffer.alloc(6);
  bytes.writeUInt8(0, 0);
  bytes.writeUInt32BE(schemaId, 1);
  return bytes;
}

const context = { topic: 'orders', partition: 0, offset: '0', part: 'value' as const };

async function decodeFailure(
  decode: ReturnType<typeof createDeserializer>,
  schemaId: number,
): Promise<unknown> {
  try {
    await decode(framed(schemaId), context);
  } catch (error) {
    return error;
  }
  throw new Error(`schema id ${schemaId} decoded, but no schema exists`);
}

describe('registry deserializer cache', () => {
  it('asks the registry once per unknown id, and forgets the oldest ids past its bound', async () => {
    const { registry, lookups } = emptyRegistry();
    const decode = createDeserializer(
      { format: 'AVRO', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
      { registry },
    );
    expect(await decodeFailure(decode, 1)).toBeInstanceOf(DeserializationError);
    expect(await decodeFailure(decode, 1)).toBeInstanceOf(DeserializationError);
    expect(lookups.get(1)).toBe(1);

    for (let id = 2; id <= MAX_CACHED_SCHEMAS + 1; id++) await decodeFailure(decode, id);
    // Id 1 was the oldest entry: the cache dropped it, so the registry is asked again; the newest id is kept.
    await decodeFailure(decode, 1);
    expect(lookups.get(1)).toBe(2);
    await decodeFailure(decode, MAX_CACHED_SCHEMAS + 1);
    expect(lookups.get(MAX_CACHED_SCHEMAS + 1)).toBe(1);
  });
});
