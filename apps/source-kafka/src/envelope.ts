import { decimalText, type JsonValue, type StreamJsonSchema } from '@source-kafka/deserializers';

// Value envelopes: Debezium change events and Kafka Connect JSON with embedded schemas. Pure functions of a
// decoded value; read.ts applies them per message and discover.ts types streams with them.

type JsonObject = { [key: string]: JsonValue };
type Schema = { [key: string]: JsonValue };

export type EnvelopeKind = 'none' | 'debezium' | 'connect_json';

/** A value that does not have the configured envelope's shape; read handles it as a bad message. */
export class EnvelopeError extends Error {
  readonly code = 'ENVELOPE_MISMATCH';
  override readonly name = 'EnvelopeError';
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface ConnectEnvelope {
  /** Connect's schema of the payload; null when the producer had none (a schemaless Connect value). */
  readonly schema: JsonObject | null;
  readonly payload: JsonValue;
}

/**
 * What Connect's JsonConverter writes with schemas.enable=true: an object of exactly `schema` and `payload`.
 * Anything else is not such an envelope (a value that merely has a `payload` field stays a value).
 */
export function asConnectEnvelope(value: JsonValue): ConnectEnvelope | undefined {
  if (!isJsonObject(value)) return undefined;
  const names = Object.keys(value);
  if (names.length !== 2 || !('schema' in value) || !('payload' in value)) return undefined;
  const schema = value.schema ?? null;
  if (schema !== null && !isJsonObject(schema)) return undefined;
  return { schema, payload: value.payload ?? null };
}

// ---- Connect schema → JSON Schema ----

function wellKnown(name: string): Schema {
  return { $ref: `WellKnownTypes.json#/definitions/${name}` };
}

const TIMESTAMP_TZ = 'TimestampWithTimezone';
const TIMESTAMP_LOCAL = 'TimestampWithoutTimezone';

/**
 * Logical types by schema name: Connect's own (org.apache.kafka.connect.data.*) and Debezium's temporal
 * types, which its JSON and Avro converters both write as plain numbers or strings with this name.
 */
const LOGICAL_SCHEMAS: Readonly<Record<string, string>> = {
  'org.apache.kafka.connect.data.Timestamp': TIMESTAMP_TZ,
  'org.apache.kafka.connect.data.Date': 'Date',
  'org.apache.kafka.connect.data.Time': 'TimeWithoutTimezone',
  'org.apache.kafka.connect.data.Decimal': 'Number',
  'io.debezium.time.Date': 'Date',
  'io.debezium.time.Timestamp': TIMESTAMP_LOCAL,
  'io.debezium.time.MicroTimestamp': TIMESTAMP_LOCAL,
  'io.debezium.time.NanoTimestamp': TIMESTAMP_LOCAL,
  'io.debezium.time.ZonedTimestamp': TIMESTAMP_TZ,
  'io.debezium.time.Time': 'TimeWithoutTimezone',
  'io.debezium.time.MicroTime': 'TimeWithoutTimezone',
  'io.debezium.time.NanoTime': 'TimeWithoutTimezone',
};

const INTEGER_TYPES = new Set(['int8', 'int16', 'int32', 'int64']);
const MAX_SCHEMA_DEPTH = 64;

function nullable(schema: Schema): Schema {
  const type = schema.type;
  if (typeof type === 'string') return { ...schema, type: [type, 'null'] };
  if (Array.isArray(type)) return type.includes('null') ? schema : { ...schema, type: [...type, 'null'] };
  if ('$ref' in schema || 'anyOf' in schema) return { anyOf: [{ type: 'null' }, schema] };
  return schema;
}

/**
 * The JSON Schema of values Connect describes with `schema`, as `connectPayload` writes them. A struct's
 * fields are not `required`: a later schema version may drop an optional one.
 */
export function connectSchemaToJsonSchema(schema: JsonValue | undefined, depth = 0): StreamJsonSchema {
  if (!isJsonObject(schema) || depth > MAX_SCHEMA_DEPTH) return { description: 'Any JSON value' };
  const name = typeof schema.name === 'string' ? schema.name : undefined;
  const logical = name === undefined ? undefined : LOGICAL_SCHEMAS[name];
  let out: Schema;
  if (logical !== undefined) out = wellKnown(logical);
  else {
    const type = schema.type;
    if (typeof type === 'string' && INTEGER_TYPES.has(type)) out = { type: 'integer' };
    else if (type === 'float32' || type === 'float64') out = { type: 'number' };
    else if (type === 'boolean') out = { type: 'boolean' };
    else if (type === 'string') out = { type: 'string' };
    else if (type === 'bytes') out = wellKnown('BinaryData');
    else if (type === 'array')
      out = { type: 'array', items: connectSchemaToJsonSchema(schema.items, depth + 1) };
    else if (type === 'map') {
      const values = connectSchemaToJsonSchema(schema.values, depth + 1);
      // JsonConverter writes a map with string keys as an object, any other map as [key, value] pairs.
      out = isStringSchema(schema.keys)
        ? { type: 'object', additionalProperties: values }
        : {
            type: 'array',
            items: { type: 'array', items: [connectSchemaToJsonSchema(schema.keys, depth + 1), values] },
          };
    } else if (type === 'struct') {
      const properties: Schema = {};
      for (const field of Array.isArray(schema.fields) ? schema.fields : []) {
        if (isJsonObject(field) && typeof field.field === 'string') {
          properties[field.field] = connectSchemaToJsonSchema(field, depth + 1);
        }
      }
      out = { type: 'object', properties };
    } else out = { description: 'Any JSON value' };
  }
  if (typeof schema.doc === 'string') out = { ...out, description: schema.doc };
  return schema.optional === true ? nullable(out) : out;
}

function isStringSchema(schema: JsonValue | undefined): boolean {
  return isJsonObject(schema) && schema.type === 'string' && schema.name === undefined;
}

/** The schema of one field of a Connect struct schema; undefined when there is no such field. */
export function connectFieldSchema(schema: JsonValue | undefined, name: string): JsonObject | undefined {
  if (!isJsonObject(schema) || !Array.isArray(schema.fields)) return undefined;
  for (const field of schema.fields) {
    if (isJsonObject(field) && field.field === name) return field;
  }
  return undefined;
}

// ---- Connect payload → the values the schema says ----

const DAY_MS = 86_400_000;

function toBigInt(value: JsonValue): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

/** An instant `units` per second since the epoch, in RFC 3339 with as many fraction digits as the unit has. */
function isoFromEpoch(value: JsonValue, unitsPerMs: bigint, zone: boolean): JsonValue {
  const units = toBigInt(value);
  if (units === undefined) return value;
  const floorMs = units >= 0n ? units / unitsPerMs : -((-units + unitsPerMs - 1n) / unitsPerMs);
  const date = new Date(Number(floorMs));
  if (Number.isNaN(date.getTime())) return value;
  let text = date.toISOString().slice(0, -1); // without the Z
  if (unitsPerMs > 1n) {
    const digits = unitsPerMs.toString().length - 1;
    const sub = (units - floorMs * unitsPerMs).toString().padStart(digits, '0');
    text += sub;
  }
  return zone ? `${text}Z` : text;
}

/** Time of day from `units` since midnight. */
function timeOfDay(value: JsonValue, unitsPerMs: bigint): JsonValue {
  const text = isoFromEpoch(value, unitsPerMs, false);
  return typeof text === 'string' ? text.slice(text.indexOf('T') + 1) : value;
}

function dateFromDays(value: JsonValue): JsonValue {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return value;
  const date = new Date(value * DAY_MS);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().slice(0, 10);
}

function decimal(value: JsonValue, schema: JsonObject): JsonValue {
  // decimal.format NUMERIC writes a JSON number; the default BASE64 writes the unscaled two's complement bytes.
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  if (typeof value !== 'string') return value;
  const parameters = isJsonObject(schema.parameters) ? schema.parameters : {};
  const scale = Number(parameters.scale ?? 0);
  if (!Number.isSafeInteger(scale) || scale < 0) return value;
  return decimalText(Buffer.from(value, 'base64'), scale);
}

const LOGICAL_VALUES: Readonly<Record<string, (value: JsonValue, schema: JsonObject) => JsonValue>> = {
  'org.apache.kafka.connect.data.Timestamp': (v) => isoFromEpoch(v, 1n, true),
  'org.apache.kafka.connect.data.Date': dateFromDays,
  'org.apache.kafka.connect.data.Time': (v) => timeOfDay(v, 1n),
  'org.apache.kafka.connect.data.Decimal': decimal,
  'io.debezium.time.Date': dateFromDays,
  'io.debezium.time.Timestamp': (v) => isoFromEpoch(v, 1n, false),
  'io.debezium.time.MicroTimestamp': (v) => isoFromEpoch(v, 1000n, false),
  'io.debezium.time.NanoTimestamp': (v) => isoFromEpoch(v, 1_000_000n, false),
  'io.debezium.time.Time': (v) => timeOfDay(v, 1n),
  'io.debezium.time.MicroTime': (v) => timeOfDay(v, 1000n),
  'io.debezium.time.NanoTime': (v) => timeOfDay(v, 1_000_000n),
};

/**
 * A Connect payload with its logical types written the way `connectSchemaToJsonSchema` declares them
 * (timestamps and dates as RFC 3339 text, decimals as exact decimal text). A value that does not fit its
 * schema is kept as it is: nothing is dropped.
 */
export function connectPayload(value: JsonValue, schema: JsonValue | undefined, depth = 0): JsonValue {
  if (value === null || !isJsonObject(schema) || depth > MAX_SCHEMA_DEPTH) return value;
  const logical = typeof schema.name === 'string' ? LOGICAL_VALUES[schema.name] : undefined;
  if (logical !== undefined) return logical(value, schema);
  switch (schema.type) {
    case 'struct': {
      if (!isJsonObject(value)) return value;
      const out: JsonObject = { ...value };
      for (const field of Array.isArray(schema.fields) ? schema.fields : []) {
        if (isJsonObject(field) && typeof field.field === 'string' && Object.hasOwn(value, field.field)) {
          out[field.field] = connectPayload(value[field.field] ?? null, field, depth + 1);
        }
      }
      return out;
    }
    case 'array':
      return Array.isArray(value)
        ? value.map((item) => connectPayload(item, schema.items, depth + 1))
        : value;
    case 'map': {
      if (isJsonObject(value)) {
        const out: JsonObject = {};
        for (const [k, v] of Object.entries(value)) out[k] = connectPayload(v, schema.values, depth + 1);
        return out;
      }
      if (!Array.isArray(value)) return value;
      return value.map((pair) =>
        Array.isArray(pair) && pair.length === 2
          ? [
              connectPayload(pair[0] ?? null, schema.keys, depth + 1),
              connectPayload(pair[1] ?? null, schema.values, depth + 1),
            ]
          : pair,
      );
    }
    default:
      return value;
  }
}

/** A key in Connect's `{schema, payload}` form becomes its payload; any other key stays as it is. */
export function unwrapConnectKey(key: JsonValue): JsonValue {
  const envelope = asConnectEnvelope(key);
  return envelope === undefined ? key : connectPayload(envelope.payload, envelope.schema);
}

// ---- Debezium ----

export type DebeziumOp = 'c' | 'u' | 'r' | 'd' | 't';
const DEBEZIUM_OPS: ReadonlySet<string> = new Set(['c', 'u', 'r', 'd', 't']);

export interface DebeziumChange {
  readonly op: DebeziumOp;
  /** `after`, or `before` for a delete; null for a truncate. */
  readonly row: JsonValue;
  /** source.ts_ms (when the database made the change), else the event's ts_ms; undefined without either. */
  readonly sourceTimeMs: number | undefined;
}

function epochMs(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The change a Debezium event carries, from the JSON converter (with or without schemas) or the Avro
 * converter (whose decoded envelope has the same fields). A value without a known `op` is not a change event:
 * this throws, and read treats it as a bad message. Messages name no field value (payloads stay private).
 */
export function debeziumChange(value: JsonValue): DebeziumChange {
  const envelope = asConnectEnvelope(value);
  const event = envelope === undefined ? value : envelope.payload;
  if (!isJsonObject(event)) {
    throw new EnvelopeError('the value is not a Debezium change event (not an object)');
  }
  const op = event.op;
  if (typeof op !== 'string' || !DEBEZIUM_OPS.has(op)) {
    throw new EnvelopeError('the value is not a Debezium change event (it has no op of c, u, r, d or t)');
  }
  const source = event.source;
  const sourceTimeMs = epochMs(isJsonObject(source) ? source.ts_ms : undefined) ?? epochMs(event.ts_ms);
  if (op === 't') return { op, row: null, sourceTimeMs };
  const side = op === 'd' ? 'before' : 'after';
  const raw = event[side] ?? null;
  if (!isJsonObject(raw)) {
    throw new EnvelopeError(`the Debezium change event (op ${op}) has no ${side} row`);
  }
  const schema = envelope?.schema ?? undefined;
  const row =
    schema === undefined || schema === null ? raw : connectPayload(raw, connectFieldSchema(schema, side));
  return { op: op as DebeziumOp, row, sourceTimeMs };
}

/** The row schema a Debezium Connect schema declares: its `after` field (or `before`), never null. */
export function debeziumRowSchemaFromConnect(
  envelopeSchema: JsonValue | undefined,
): StreamJsonSchema | undefined {
  const field = connectFieldSchema(envelopeSchema, 'after') ?? connectFieldSchema(envelopeSchema, 'before');
  if (field === undefined) return undefined;
  return connectSchemaToJsonSchema({ ...field, optional: false });
}

/**
 * The row schema inside the JSON Schema of a whole Debezium envelope (the Avro converter's
 * `<server>.<db>.<table>.Envelope`): the object branch of its nullable `after` field.
 */
export function debeziumRowSchemaFromEnvelope(schema: StreamJsonSchema): StreamJsonSchema | undefined {
  const properties = schema.properties;
  if (!isJsonObject(properties)) return undefined;
  const after = properties.after ?? properties.before;
  if (!isJsonObject(after)) return undefined;
  const branches = Array.isArray(after.anyOf)
    ? after.anyOf
    : Array.isArray(after.oneOf)
      ? after.oneOf
      : [after];
  for (const branch of branches) {
    if (!isJsonObject(branch)) continue;
    const type = branch.type;
    const isObject = type === 'object' || (Array.isArray(type) && type.includes('object'));
    if (!isObject) continue;
    if (Array.isArray(type)) return { ...branch, type: 'object' };
    return branch;
  }
  return undefined;
}

// ---- Both, as read applies them ----

export type EnvelopeResult =
  | {
      readonly kind: 'row';
      readonly row: JsonValue;
      /** Debezium only: the change's time and whether it deleted the row. */
      readonly change?: { readonly timeMs: number | undefined; readonly deleted: boolean };
    }
  | { readonly kind: 'truncate' };

/** The row of one non-null decoded value under an envelope. Throws EnvelopeError when it has another shape. */
export function unwrapValue(envelope: Exclude<EnvelopeKind, 'none'>, value: JsonValue): EnvelopeResult {
  if (envelope === 'connect_json') {
    const connect = asConnectEnvelope(value);
    if (connect === undefined) {
      throw new EnvelopeError(
        'the value is not Kafka Connect JSON with a schema (an object of exactly "schema" and "payload")',
      );
    }
    return { kind: 'row', row: connectPayload(connect.payload, connect.schema ?? undefined) };
  }
  const change = debeziumChange(value);
  if (change.op === 't') return { kind: 'truncate' };
  return {
    kind: 'row',
    row: change.row,
    change: { timeMs: change.sourceTimeMs, deleted: change.op === 'd' },
  };
}
