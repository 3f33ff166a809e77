// Test helpers: fixtures are registered and encoded by the third-party client, never by this package.
import { SchemaType, SchemaRegistry as ThirdPartyClient } from '@kafkajs/confluent-schema-registry';
import { readReference } from '@source-kafka/testkit/reference';
import { startTestRegistry, type TestRegistry } from '@source-kafka/testkit/registry';
import { Ajv, type ValidateFunction } from 'ajv';
import avro from 'avsc';
import { parse as parseYaml } from 'yaml';
import { parseExactJson } from '../src/exact-json.js';
import type { DeserializeContext, JsonValue } from '../src/index.js';

export { SchemaType };

export const context: DeserializeContext = { topic: 'fixtures', partition: 0, offset: '7', part: 'value' };

/** avsc long that encodes BigInt or decimal strings, so fixtures can carry longs beyond 2^53. */
export const bigLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number | string) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (value: unknown) => BigInt(value as string),
  toJSON: (value: bigint) => value.toString(),
  isValid: (value: unknown) =>
    typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** Longs (not logical types) decode and encode through bigLongType. */
function bigLongHook(schema: unknown) {
  return schema === 'long' ||
    ((schema as { type?: unknown; logicalType?: unknown })?.type === 'long' &&
      (schema as { logicalType?: unknown }).logicalType === undefined)
    ? bigLongType
    : undefined;
}

export interface Fixtures {
  readonly registry: TestRegistry;
  readonly client: ThirdPartyClient;
}

export async function startFixtures(): Promise<Fixtures> {
  const registry = await startTestRegistry();
  const client = new ThirdPartyClient(
    { host: registry.url },
    // A type hook rather than `registry: { long }`: the client reuses one options object, so a registry would
    // collect every named type and refuse the next schema that declares the same name.
    {
      [SchemaType.AVRO]: {
        typeHook: bigLongHook,
      },
    },
  );
  return { registry, client };
}

/**
 * The third-party client writes protobuf payloads without Confluent's message indexes (it predates them), so
 * after its 5-byte header we insert the indexes a Confluent serializer writes; the payload stays its own.
 */
export function withMessageIndexes(framed: Buffer, indexes: readonly number[]): Buffer {
  const zigzag = (n: number): number => (n << 1) ^ (n >> 31);
  const prefix =
    indexes.length === 1 && indexes[0] === 0 ? [0] : [zigzag(indexes.length), ...indexes.map(zigzag)];
  return Buffer.concat([framed.subarray(0, 5), Buffer.from(prefix), framed.subarray(5)]);
}

let ajv: Ajv | undefined;

/** ajv with Airbyte's WellKnownTypes.json loaded from the vendored protocol YAML, for "$ref" resolution. */
export function airbyteValidator(schema: { [key: string]: JsonValue }): ValidateFunction {
  if (ajv === undefined) {
    ajv = new Ajv({ strict: false, allErrors: true });
    const document = parseYaml(readReference('wellKnownTypes')) as Record<string, unknown>;
    ajv.addSchema({ $id: 'WellKnownTypes.json', ...document });
  }
  return ajv.compile(schema);
}

/** The third-party client pointed at a running registry (Apicurio's Confluent API in integration tests). */
export function fixturesAt(url: string): Pick<Fixtures, 'client'> & { readonly url: string } {
  return {
    url,
    client: new ThirdPartyClient({ host: url }, { [SchemaType.AVRO]: { typeHook: bigLongHook } }),
  };
}

/** JSON text of a decoded value with bigints as plain number text, as the connector's writer emits it. */
export function writtenText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `\u0000bigint:${v}` : v,
  ).replace(/"\\u0000bigint:(-?[0-9]+)"/g, '$1');
}

/** The value as written and read back exactly: class instances become plain objects, bigints stay bigints. */
export function readBackExact(value: unknown): JsonValue {
  return parseExactJson(writtenText(value));
}

/** The value as a JSON reader sees the written line (big integers as numbers), for ajv. */
export function readBack(value: unknown): JsonValue {
  return JSON.parse(writtenText(value)) as JsonValue;
}
