import type avro from 'avsc';
import protobuf from 'protobufjs';
import { isMapEntryType, jsonNameOf } from './protobuf.js';
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
    const entryType = field.repeated ? field.resolvedType : null;
    if (isMapEntryType(entryType)) {
      const valueField = entryType.fields.value;
      valueField?.resolve();
      properties[jsonNameOf(field)] = {
        type: 'object',
        additionalProperties: valueField ? convertFieldElement(valueField, path, maxDepth) : { ...ANY_JSON },
      };
      continue;
    }
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

type Json = JsonValue;

interface JsonDocument {
  readonly index: number;
  /** The reference name it is registered under ('' for the main schema). */
  readonly name: string;
  readonly root: Json;
  /** Its `$id`, as an absolute URI, when it declares one. */
  readonly id: string | undefined;
}

/** A dummy base, so that relative names compare as URIs when no `$id` gives one. */
const NO_BASE = 'https://schema.invalid/';

function resolveUri(ref: string, base: string | undefined): string | undefined {
  try {
    return new URL(ref, base ?? NO_BASE).href;
  } catch {
    return undefined;
  }
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pointerTarget(root: Json, pointer: string): Json | undefined {
  let node: Json | undefined = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = Object.hasOwn(node, segment) ? node[segment] : undefined;
    else return undefined;
  }
  return node;
}

function anchorTarget(node: Json, anchor: string): Json | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = anchorTarget(item, anchor);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  if (node.$anchor === anchor || node.$id === `#${anchor}`) return node;
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYWORDS.has(key)) continue;
    const found = anchorTarget(value, anchor);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Keywords whose values are data, not schemas: copied as they are. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
/** Keywords that only hold, locate or name schemas for `$ref`s, which are all inlined. */
const DROPPED_KEYWORDS = new Set(['$schema', '$id', '$anchor', 'definitions', '$defs']);
/** Keywords whose values map names to schemas (a property may be called "definitions"). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', 'dependencies']);

/** How many `$ref`s one schema may expand into before it is refused as too large to inline. */
const MAX_INLINED_REFS = 20_000;

/**
 * A registered JSON Schema made to stand alone wherever it is placed (the stream schema nests it under
 * `value`): every `$ref` — to the schema's own `definitions`/`$defs` or any JSON pointer, to an anchor, or to
 * another subject through the schema's references, with or without a fragment — is replaced by the schema it
 * points at. Airbyte resolves no `$ref` but its own well-known types, so inlining is the form every
 * destination reads. A recursive reference is cut after `maxDepth` levels, like recursive Avro records.
 */
export function registeredJsonSchemaToStreamSchema(
  schema: string,
  references: readonly { readonly name: string; readonly schema: string }[] = [],
  maxDepth = DEFAULT_MAX_RECURSION_DEPTH,
): StreamJsonSchema {
  const documents: JsonDocument[] = [
    { name: '', text: schema },
    ...references.map((r) => ({ name: r.name, text: r.schema })),
  ].map(({ name, text }, index) => {
    const root = JSON.parse(text) as Json;
    const id = isObject(root) && typeof root.$id === 'string' ? resolveUri(root.$id, undefined) : undefined;
    return { index, name, root, id };
  });
  const main = documents[0]!;
  const onPath = new Map<string, number>();
  let inlined = 0;

  const findDocument = (target: string, base: string | undefined): JsonDocument | undefined => {
    const absolute = resolveUri(target, base);
    return (
      documents.find((d) => d.name === target) ??
      documents.find((d) => d.id !== undefined && d.id === absolute) ??
      documents.find((d) => d.name !== '' && resolveUri(d.name, base) === absolute)
    );
  };

  const expandRef = (ref: string, document: JsonDocument, base: string | undefined): Json => {
    const hash = ref.indexOf('#');
    const target = hash < 0 ? ref : ref.slice(0, hash);
    let fragment = hash < 0 ? '' : ref.slice(hash + 1);
    try {
      fragment = decodeURIComponent(fragment);
    } catch {
      // Not percent-encoded after all: used as written.
    }
    const targetDocument =
      target === '' || (base !== undefined && resolveUri(target, base) === base)
        ? document
        : findDocument(target, base);
    const node =
      targetDocument === undefined
        ? undefined
        : fragment === ''
          ? targetDocument.root
          : fragment.startsWith('/')
            ? pointerTarget(targetDocument.root, fragment)
            : anchorTarget(targetDocument.root, fragment);
    if (targetDocument === undefined || node === undefined) {
      return { description: `$ref "${ref}" points at nothing in the schema or its references; any JSON` };
    }
    const key = `${targetDocument.index}#${fragment}`;
    const seen = onPath.get(key) ?? 0;
    if (seen >= maxDepth) {
      return { description: `${ref} nested more than ${maxDepth} levels; deeper levels are not described` };
    }
    if (++inlined > MAX_INLINED_REFS) {
      throw new Error(`the schema expands to more than ${MAX_INLINED_REFS} references when inlined`);
    }
    onPath.set(key, seen + 1);
    const expanded = expand(node, targetDocument, targetDocument.id);
    onPath.set(key, seen);
    return expanded;
  };

  const expand = (node: Json, document: JsonDocument, inheritedBase: string | undefined): Json => {
    if (Array.isArray(node)) return node.map((item) => expand(item, document, inheritedBase));
    if (!isObject(node)) return node;
    const base =
      typeof node.$id === 'string' && !node.$id.startsWith('#')
        ? resolveUri(node.$id, inheritedBase)
        : inheritedBase;
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED_KEYWORDS.has(key) || key === '$ref') continue;
      if (DATA_KEYWORDS.has(key)) out[key] = value;
      else if (SCHEMA_MAPS.has(key) && isObject(value)) {
        const map: { [key: string]: Json } = {};
        for (const [name, inner] of Object.entries(value)) map[name] = expand(inner, document, base);
        out[key] = map;
      } else out[key] = expand(value, document, base);
    }
    if (typeof node.$ref !== 'string') return out;
    const target = expandRef(node.$ref, document, base);
    // Keywords beside a $ref (ignored by draft-07, applied by 2019-09+) are kept next to the target.
    if (Object.keys(out).length === 0) return target;
    const allOf = Array.isArray(out.allOf) ? out.allOf : [];
    return { ...out, allOf: [...allOf, target] };
  };

  const result = expand(main.root, main, main.id);
  return isObject(result) ? result : { description: 'Any JSON value' };
}
