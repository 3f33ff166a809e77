import type avro from 'avsc';
import protobuf from 'protobufjs';
import { jsonNameOf } from './protobuf.js';
import type { JsonValue, StreamJsonSchema } from './types.js';

// Writer schemas → the JSON Schema of an Airbyte stream, using Airbyte's well-known types by $ref.
// The mapping mirrors what the decoders emit, so a decoded record validates against its own writer's schema.

type Schema = { [key: string]: JsonValue };

/** How many times one named record/message may nest inside itself before the schema says "any JSON". */
export const DEFAULT_MAX_RECURSION_DEPTH = 3;

export function wellKnown(name: string): Schema {
  return { $ref: `WellKnownTypes.json#/definitions/${name}` };
}

/** long / int64: always a JSON number, written with every digit (beyond 2^53 too), so destinations see BIGINT. */
export const LONG_SCHEMA: Schema = { type: 'integer' };

/** float/double: JSON has no NaN or Infinity, so those decode to null. */
const FLOAT_SCHEMA: Schema = { type: ['number', 'null'] };

const ANY_JSON: Schema = { description: 'Any JSON value' };

function recursionCut(name: string, depth: number): Schema {
  return { description: `${name} nested more than ${depth} levels; deeper levels are not described` };
}

export function nullable(schema: Schema): Schema {
  const type = schema.type;
  if (typeof type === 'string') return { ...schema, type: type === 'null' ? 'null' : [type, 'null'] };
  if (Array.isArray(type)) return type.includes('null') ? schema : { ...schema, type: [...type, 'null'] };
  if (Object.keys(schema).length === 1 && 'description' in schema) return schema;
  return { anyOf: [{ type: 'null' }, schema] };
}

/** One schema for several alternatives; plain `type` schemas merge into a type list. */
export function anyOfSchemas(schemas: readonly Schema[]): Schema {
  if (schemas.length === 1) return schemas[0]!;
  if (schemas.every((s) => Object.keys(s).length === 1 && typeof s.type === 'string')) {
    return { type: [...new Set(schemas.map((s) => s.type as string))] };
  }
  const nonNull = schemas.filter((s) => !(Object.keys(s).length === 1 && s.type === 'null'));
  if (nonNull.length === 1 && nonNull.length < schemas.length) return nullable(nonNull[0]!);
  return { anyOf: [...schemas] };
}

// ---- Avro ----

const avroLogical: Record<string, () => Schema> = {
  'timestamp-millis': () => wellKnown('TimestampWithTimezone'),
  'timestamp-micros': () => wellKnown('TimestampWithTimezone'),
  'local-timestamp-millis': () => wellKnown('TimestampWithoutTimezone'),
  'local-timestamp-micros': () => wellKnown('TimestampWithoutTimezone'),
  date: () => wellKnown('Date'),
  'time-millis': () => wellKnown('TimeWithoutTimezone'),
  'time-micros': () => wellKnown('TimeWithoutTimezone'),
  decimal: () => wellKnown('Number'),
};

export function avroToJsonSchema(type: avro.Type, maxDepth = DEFAULT_MAX_RECURSION_DEPTH): StreamJsonSchema {
  return convertAvro(type, new Map(), maxDepth);
}

function convertAvro(type: avro.Type, path: Map<string, number>, maxDepth: number): Schema {
  const name = type.typeName;
  if (name.startsWith('logical:')) {
    const logical = avroLogical[name.slice('logical:'.length)];
    if (logical) return logical();
    return convertAvro((type as avro.types.LogicalType).underlyingType, path, maxDepth);
  }
  switch (name) {
    case 'null':
      return { type: 'null' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int':
      return { type: 'integer' };
    case 'long':
    case 'abstract:long':
      return { ...LONG_SCHEMA };
    case 'float':
    case 'double':
      return { ...FLOAT_SCHEMA };
    case 'string':
      return { type: 'string' };
    case 'bytes':
    case 'fixed':
      return wellKnown('BinaryData');
    case 'enum':
      return { type: 'string', enum: [...(type as avro.types.EnumType).symbols] };
    case 'array':
      return { type: 'array', items: convertAvro((type as avro.types.ArrayType).itemsType, path, maxDepth) };
    case 'map':
      return {
        type: 'object',
        additionalProperties: convertAvro(
          (type as avro.types.MapType).valuesType as avro.Type,
          path,
          maxDepth,
        ),
      };
    case 'record':
    case 'error': {
      const record = type as avro.types.RecordType;
      const fullName = record.name ?? 'record';
      const seen = path.get(fullName) ?? 0;
      if (seen >= maxDepth) return recursionCut(fullName, maxDepth);
      path.set(fullName, seen + 1);
      const properties: Schema = {};
      for (const field of record.fields) properties[field.name] = convertAvro(field.type, path, maxDepth);
      path.set(fullName, seen);
      // No `required`: records of older writer versions lack newer fields and must still fit the latest schema.
      return { type: 'object', properties };
    }
    case 'union:unwrapped':
    case 'union:wrapped':
      return anyOfSchemas(
        (type as avro.types.UnwrappedUnionType).types.map((t) => convertAvro(t, path, maxDepth)),
      );
    default:
      return { ...ANY_JSON };
  }
}

// ---- Protobuf ----

const INT32_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function protobufScalar(type: string): Schema {
  if (INT32_TYPES.has(type)) return { type: 'integer' };
  if (INT64_TYPES.has(type)) return { ...LONG_SCHEMA };
  if (type === 'double' || type === 'float') return { ...FLOAT_SCHEMA };
  if (type === 'bool') return { type: 'boolean' };
  if (type === 'bytes') return wellKnown('BinaryData');
  return { type: 'string' };
}

const protobufWellKnown: Record<string, () => Schema> = {
  '.google.protobuf.Timestamp': () => wellKnown('TimestampWithTimezone'),
  '.google.protobuf.Duration': () => ({ type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$' }),
  '.google.protobuf.DoubleValue': () => ({ ...FLOAT_SCHEMA }),
  '.google.protobuf.FloatValue': () => ({ ...FLOAT_SCHEMA }),
  '.google.protobuf.Int64Value': () => ({ ...LONG_SCHEMA }),
  '.google.protobuf.UInt64Value': () => ({ ...LONG_SCHEMA }),
  '.google.protobuf.Int32Value': () => ({ type: 'integer' }),
  '.google.protobuf.UInt32Value': () => ({ type: 'integer' }),
  '.google.protobuf.BoolValue': () => ({ type: 'boolean' }),
  '.google.protobuf.StringValue': () => ({ type: 'string' }),
  '.google.protobuf.BytesValue': () => wellKnown('BinaryData'),
  '.google.protobuf.Struct': () => ({ type: 'object' }),
  '.google.protobuf.Value': () => ({ ...ANY_JSON }),
  '.google.protobuf.ListValue': () => ({ type: 'array' }),
  '.google.protobuf.FieldMask': () => ({ type: 'string' }),
  '.google.protobuf.Any': () => ({
    type: 'object',
    properties: { '@type': { type: 'string' }, value: wellKnown('BinaryData') },
  }),
};

export function protobufToJsonSchema(
  type: protobuf.Type,
  maxDepth = DEFAULT_MAX_RECURSION_DEPTH,
): StreamJsonSchema {
  return convertMessage(type, new Map(), maxDepth);
}

function convertMessage(type: protobuf.Type, path: Map<string, number>, maxDepth: number): Schema {
  const wellKnownSchema = protobufWellKnown[type.fullName];
  if (wellKnownSchema) return wellKnownSchema();
  const seen = path.get(type.fullName) ?? 0;
  if (seen >= maxDepth) return recursionCut(type.fullName.slice(1), maxDepth);
  path.set(type.fullName, seen + 1);
  const properties: Schema = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const element = convertFieldElement(field, path, maxDepth);
    if (field.map) properties[jsonNameOf(field)] = { type: 'object', additionalProperties: element };
    else if (field.repeated) properties[jsonNameOf(field)] = { type: 'array', items: element };
    else if (field.resolvedType instanceof protobuf.Type) properties[jsonNameOf(field)] = nullable(element);
    else properties[jsonNameOf(field)] = element;
  }
  path.set(type.fullName, seen);
  return { type: 'object', properties };
}

function convertFieldElement(field: protobuf.Field, path: Map<string, number>, maxDepth: number): Schema {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return convertMessage(resolved, path, maxDepth);
  if (resolved instanceof protobuf.Enum) {
    if (resolved.fullName === '.google.protobuf.NullValue') return { type: 'null' };
    return {
      type: 'string',
      description: `enum ${resolved.fullName.slice(1)}; unknown numbers appear as their decimal text`,
    };
  }
  return protobufScalar(field.type);
}

// ---- JSON Schema ----

/**
 * A registered JSON Schema used as is, minus the keywords that would make Airbyte resolve remote documents.
 * Referenced schemas are inlined under `definitions`, and `$ref`s to them rewritten, so the result stands alone.
 */
export function registeredJsonSchemaToStreamSchema(
  schema: string,
  references: readonly { readonly name: string; readonly schema: string }[] = [],
): StreamJsonSchema {
  const parsed = JSON.parse(schema) as Schema;
  const { $schema: _dialect, $id: _id, ...rest } = parsed;
  if (references.length === 0) return rest;
  const pointer = (name: string): string =>
    `#/definitions/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  const rewrite = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Schema = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        const [target, fragment] = inner.split('#', 2) as [string, string | undefined];
        const known = references.find((r) => r.name === target);
        out[key] = known ? `${pointer(known.name)}${fragment ? fragment : ''}` : inner;
      } else if (key !== '$id' && key !== '$schema') {
        out[key] = rewrite(inner);
      }
    }
    return out;
  };
  const definitions: Schema = { ...((rest.definitions as Schema | undefined) ?? {}) };
  for (const reference of references)
    definitions[reference.name] = rewrite(JSON.parse(reference.schema) as JsonValue);
  return { ...(rewrite(rest) as Schema), definitions };
}
