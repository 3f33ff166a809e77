// Schema inference for schemaless JSON: a summary ("shape") of sampled values that merges in any order, and
// the JSON Schema, in Airbyte's types, that every summarised value validates against. No library infers
// Airbyte's types (integer vs number, timestamp_with_timezone) with an order-independent merge, so this is
// written by hand.
import type { JsonValue, StreamJsonSchema } from './types.js';

type Schema = { [key: string]: JsonValue };

/** What a set of JSON values held at one place. Merging two shapes is commutative and associative. */
export interface JsonShape {
  /** Values summarised here (nulls included). */
  readonly count: number;
  readonly nulls: number;
  readonly booleans: number;
  /** Integral numbers, and bigints (integers beyond 2^53, decoded exactly). */
  readonly integers: number;
  /** Numbers with a fraction. */
  readonly fractions: number;
  readonly strings: number;
  /** Strings that are RFC 3339 date-times with an offset. */
  readonly dateTimes: number;
  readonly arrays: number;
  /** Every element of every array, merged; undefined when every array was empty. */
  readonly items: JsonShape | undefined;
  readonly objects: number;
  /** Each property's values over the objects that had it; `widened` once more than the cap were seen. */
  readonly properties: ReadonlyMap<string, JsonShape>;
  /** Objects held more distinct property names than `maxProperties`: typed as any object instead. */
  readonly widened: boolean;
  /** Deeper than `maxDepth`: typed as any JSON value. */
  readonly tooDeep: boolean;
}

export interface InferenceLimits {
  /** Distinct property names kept per object before it is typed as an open map. */
  readonly maxProperties?: number | undefined;
  /** Nesting depth kept; deeper values are typed as any JSON. */
  readonly maxDepth?: number | undefined;
}

export const DEFAULT_INFERENCE_MAX_PROPERTIES = 1000;
export const DEFAULT_INFERENCE_MAX_DEPTH = 32;

export const EMPTY_SHAPE: JsonShape = {
  count: 0,
  nulls: 0,
  booleans: 0,
  integers: 0,
  fractions: 0,
  strings: 0,
  dateTimes: 0,
  arrays: 0,
  items: undefined,
  objects: 0,
  properties: new Map(),
  widened: false,
  tooDeep: false,
};

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 `date-time` (offset required, no leap second): what Airbyte reads as timestamp_with_timezone.
 * Stricter than ajv-formats' check, so a string recognised here always validates as `format: date-time`.
 */
export function isRfc3339DateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return true;
}

/** The shape of one value. */
export function shapeOf(value: JsonValue, limits: InferenceLimits = {}): JsonShape {
  return shapeAt(value, 0, limits);
}

function shapeAt(value: JsonValue, depth: number, limits: InferenceLimits): JsonShape {
  const one = { ...EMPTY_SHAPE, count: 1 };
  if (value === null) return { ...one, nulls: 1 };
  if (depth > (limits.maxDepth ?? DEFAULT_INFERENCE_MAX_DEPTH)) return { ...one, tooDeep: true };
  switch (typeof value) {
    case 'boolean':
      return { ...one, booleans: 1 };
    case 'bigint':
      return { ...one, integers: 1 };
    case 'number':
      return Number.isInteger(value) ? { ...one, integers: 1 } : { ...one, fractions: 1 };
    case 'string':
      return { ...one, strings: 1, dateTimes: isRfc3339DateTime(value) ? 1 : 0 };
  }
  if (Array.isArray(value)) {
    let items: JsonShape | undefined;
    for (const item of value) {
      const shape = shapeAt(item, depth + 1, limits);
      items = items === undefined ? shape : mergeShapes(items, shape, limits);
    }
    return { ...one, arrays: 1, items };
  }
  const properties = new Map<string, JsonShape>();
  const max = limits.maxProperties ?? DEFAULT_INFERENCE_MAX_PROPERTIES;
  const names = Object.keys(value);
  if (names.length > max) return { ...one, objects: 1, widened: true };
  for (const name of names) properties.set(name, shapeAt(value[name]!, depth + 1, limits));
  return { ...one, objects: 1, properties };
}

/** Both shapes in one; the result does not depend on the order of the arguments. */
export function mergeShapes(a: JsonShape, b: JsonShape, limits: InferenceLimits = {}): JsonShape {
  let items = a.items;
  if (b.items !== undefined) items = items === undefined ? b.items : mergeShapes(items, b.items, limits);
  let widened = a.widened || b.widened;
  let properties: Map<string, JsonShape> = new Map();
  if (!widened) {
    properties = new Map(a.properties);
    for (const [name, shape] of b.properties) {
      const mine = properties.get(name);
      properties.set(name, mine === undefined ? shape : mergeShapes(mine, shape, limits));
    }
    if (properties.size > (limits.maxProperties ?? DEFAULT_INFERENCE_MAX_PROPERTIES)) {
      widened = true;
      properties = new Map();
    }
  }
  return {
    count: a.count + b.count,
    nulls: a.nulls + b.nulls,
    booleans: a.booleans + b.booleans,
    integers: a.integers + b.integers,
    fractions: a.fractions + b.fractions,
    strings: a.strings + b.strings,
    dateTimes: a.dateTimes + b.dateTimes,
    arrays: a.arrays + b.arrays,
    items,
    objects: a.objects + b.objects,
    properties,
    widened,
    tooDeep: a.tooDeep || b.tooDeep,
  };
}

/** The shape of many values. */
export function shapeOfValues(values: Iterable<JsonValue>, limits: InferenceLimits = {}): JsonShape {
  let shape = EMPTY_SHAPE;
  for (const value of values) shape = mergeShapes(shape, shapeOf(value, limits), limits);
  return shape;
}

const ANY_JSON: Schema = { type: ['object', 'array', 'string', 'number', 'boolean', 'null'] };

/**
 * The JSON Schema every value of the shape validates against, in Airbyte's types: `integer` unless a
 * fraction was seen, date-time strings as timestamp_with_timezone, nested objects and arrays, `null` allowed
 * where a value was null or a property was missing, and `anyOf` where the values disagree in kind. Properties
 * come sorted and no object is closed (`additionalProperties: false`), so a later value with new fields is
 * still valid. A shape of no values (or only nulls) is any JSON value: the sample says nothing of its type.
 */
export function schemaOfShape(shape: JsonShape): StreamJsonSchema {
  return schemaOf(shape, false);
}

function schemaOf(shape: JsonShape, missingSometimes: boolean): Schema {
  if (shape.tooDeep || shape.count === shape.nulls) return { ...ANY_JSON };
  const kinds: Schema[] = [];
  if (shape.objects > 0) kinds.push(objectSchema(shape));
  if (shape.arrays > 0) {
    const items = shape.items === undefined ? undefined : schemaOf(shape.items, false);
    kinds.push(items === undefined ? { type: 'array' } : { type: 'array', items });
  }
  if (shape.strings > 0) {
    kinds.push(
      shape.dateTimes === shape.strings
        ? { type: 'string', format: 'date-time', airbyte_type: 'timestamp_with_timezone' }
        : { type: 'string' },
    );
  }
  if (shape.fractions > 0) kinds.push({ type: 'number' });
  else if (shape.integers > 0) kinds.push({ type: 'integer' });
  if (shape.booleans > 0) kinds.push({ type: 'boolean' });
  const nullable = shape.nulls > 0 || missingSometimes;
  if (kinds.length === 1) {
    const only = kinds[0]!;
    return nullable ? { ...only, type: ['null', only.type as string] } : only;
  }
  return { anyOf: nullable ? [...kinds, { type: 'null' }] : kinds };
}

function objectSchema(shape: JsonShape): Schema {
  if (shape.widened) {
    return {
      type: 'object',
      description: 'Too many distinct property names in the sample to list them; any object',
    };
  }
  const properties: Schema = {};
  for (const name of [...shape.properties.keys()].sort()) {
    const child = shape.properties.get(name)!;
    properties[name] = schemaOf(child, child.count < shape.objects);
  }
  return { type: 'object', properties };
}

/** The inferred schema of sampled values; nulls make nothing nullable at the top (the caller decides). */
export function inferJsonSchema(values: Iterable<JsonValue>, limits: InferenceLimits = {}): StreamJsonSchema {
  return schemaOfShape(shapeOfValues(values, limits));
}
