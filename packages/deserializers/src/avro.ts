import avro from 'avsc';
import { noteNulled, nulledCount, prefixNulled } from './nulled.js';
import type { JsonValue } from './types.js';

// Avro decoding with avsc, plus the JSON mapping documented in the README:
// long → number when |n| ≤ 2^53−1, else an exact bigint (written as a JSON number with every digit); bytes/fixed → base64; decimal → exact string;
// timestamp-* → RFC 3339; date → YYYY-MM-DD; time-* → HH:MM:SS.fff(fff); enum/uuid → string;
// float/double NaN and ±Infinity → null (JSON has no such numbers); unions → the branch value, unwrapped.

type AvroType = avro.Type;
type Mapper = (value: unknown) => JsonValue;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** Zigzag varint bytes (as avsc hands them over with noUnpack) → number when safe, else an exact bigint. */
function longFromVarint(buf: Buffer): number | bigint {
  const length = buf.length;
  if (length <= 7) {
    // Up to 49 bits: plain float arithmetic is exact.
    let n = 0;
    let scale = 1;
    for (let i = 0; i < length; i++) {
      n += (buf[i]! & 0x7f) * scale;
      scale *= 128;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  let n = 0n;
  let shift = 0n;
  for (let i = 0; i < length; i++) {
    n |= BigInt(buf[i]! & 0x7f) << shift;
    shift += 7n;
  }
  n = BigInt.asUintN(64, n);
  const value = BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n));
  return value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value;
}

/**
 * avsc's long, reading exactly: varints of up to 7 bytes (49 bits) are exact as doubles, so the common case
 * stays on avsc's fast path; longer ones are re-read with BigInt and stay bigints when beyond 2^53.
 */
class ExactLongType extends avro.types.LongType {
  _read(tap: AvroTap): number | bigint {
    const start = tap.pos;
    const n = tap.readLong();
    if (tap.pos - start <= 7) return n;
    return longFromVarint(tap.buf.subarray(start, Math.min(tap.pos, tap.buf.length)));
  }
  _check(value: unknown): boolean {
    return isLongValue(value);
  }
}

function isLongValue(value: unknown): value is number | bigint | string {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (typeof value === 'bigint') return value >= -(2n ** 63n) && value < 2n ** 63n;
  if (typeof value !== 'string' || !/^-?\d{1,19}$/.test(value)) return false;
  const n = BigInt(value);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

const exactLongType = new ExactLongType();

/** Array and map block counts larger than the bytes left cannot be real; avsc would loop on them for ages. */
const MAX_ZERO_WIDTH_ITEMS = 1_000_000;
const minimumWidth = new WeakMap<AvroType, number>();

/** The fewest bytes one value of `type` takes: bounds the item counts a block may claim. */
export function minWidthOf(type: AvroType, seen: Set<AvroType> = new Set()): number {
  const known = minimumWidth.get(type);
  if (known !== undefined) return known;
  if (seen.has(type)) return 1;
  seen.add(type);
  let width: number;
  const t = type as AvroType & {
    fields?: { type: AvroType }[];
    size?: number;
    underlyingType?: AvroType;
  };
  switch (type.typeName) {
    case 'null':
      width = 0;
      break;
    case 'float':
      width = 4;
      break;
    case 'double':
      width = 8;
      break;
    case 'record':
    case 'error':
      width = (t.fields ?? []).reduce((sum, f) => sum + minWidthOf(f.type, seen), 0);
      break;
    case 'fixed':
      width = t.size ?? 0;
      break;
    default:
      width = t.underlyingType !== undefined ? minWidthOf(t.underlyingType, seen) : 1;
  }
  minimumWidth.set(type, width);
  return width;
}

interface AvroTap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
  isValid(): boolean;
}

function checkBlockCount(count: number, itemWidth: number, tap: AvroTap): void {
  const remaining = tap.buf.length - tap.pos;
  if (itemWidth > 0 ? count * itemWidth > remaining : count > MAX_ZERO_WIDTH_ITEMS) {
    throw new Error(`a block claims ${count} items but only ${Math.max(remaining, 0)} bytes remain`);
  }
}

function readBlockCount(tap: AvroTap): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong();
  }
  return n;
}

class BoundedArrayType extends avro.types.ArrayType {
  _read(tap: AvroTap): unknown[] {
    const items = this.itemsType as AvroType & { _read(tap: AvroTap): unknown };
    const width = minWidthOf(items);
    const result: unknown[] = [];
    let n = readBlockCount(tap);
    while (n !== 0) {
      checkBlockCount(n, width, tap);
      while (n-- > 0) result.push(items._read(tap));
      n = readBlockCount(tap);
    }
    return result;
  }
}

class BoundedMapType extends avro.types.MapType {
  _read(tap: AvroTap): Record<string, unknown> {
    const values = this.valuesType as AvroType & { _read(tap: AvroTap): unknown };
    const width = 1 + minWidthOf(values);
    const result: Record<string, unknown> = {};
    let n = readBlockCount(tap);
    while (n !== 0) {
      checkBlockCount(n, width, tap);
      while (n-- > 0) {
        const key = tap.readString();
        const value = values._read(tap);
        // Plain assignment to "__proto__" would swap the prototype and drop the entry without a word.
        if (key === '__proto__')
          Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
        else result[key] = value;
      }
      n = readBlockCount(tap);
    }
    return result;
  }
}

// ---- Logical types: each turns its underlying value straight into the JSON form. ----

const MS_PER_DAY = 86_400_000;
const MAX_DATE_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const MIN_DATE_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z

function toEpochNumber(value: unknown, what: string): number {
  const n = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : (value as number);
  if (!Number.isFinite(n) || !Number.isSafeInteger(n)) throw new RangeError(`${what} is out of range`);
  return n;
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDayText = '';

/** `YYYY-MM-DDT` of a day number since the epoch (Howard Hinnant's civil-from-days). */
function dayText(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${PAD2[month]}-${PAD2[day]}T`;
}

/**
 * ISO text of an instant, as Date#toISOString gives it. Written by hand because toISOString dominated the
 * Avro benchmark; consecutive records usually share a day, so the date part is cached.
 * Years outside 0000–9999 have no RFC 3339 form and are refused.
 */
export function isoOfMillis(ms: number, what: string): string {
  if (!(ms <= MAX_DATE_MS && ms >= MIN_DATE_MS)) {
    throw new RangeError(`${what} is outside years 0000-9999, which RFC 3339 cannot express`);
  }
  const days = Math.floor(ms / MS_PER_DAY);
  if (days !== cachedDay) {
    cachedDayText = dayText(days);
    cachedDay = days;
  }
  let rest = ms - days * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${cachedDayText}${PAD2[hours]}:${PAD2[minutes]}:${PAD2[seconds]}.${PAD3[rest - seconds * 1000]}Z`;
}

function splitMicros(micros: number): { ms: number; extra: string } {
  const ms = Math.floor(micros / 1000);
  return { ms, extra: String(micros - ms * 1000).padStart(3, '0') };
}

// Inverse conversions: avsc runs field defaults through `_fromValue` and back through `_toValue`, so each
// logical type must accept its own JSON form as well as the raw value.
function microsOfIso(text: string, _zone: 'Z' | ''): number {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z?$/.exec(text);
  if (match === null) throw new RangeError(`not a timestamp: ${text}`);
  const fraction = (match[2] ?? '').padEnd(6, '0');
  return Date.parse(`${match[1]}Z`) * 1000 + Number(fraction);
}

function millisOfTime(text: string): number {
  const match = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null) throw new RangeError(`not a time of day: ${text}`);
  const fraction = (match[4] ?? '').padEnd(6, '0');
  return (
    (Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) * 1000 + Number(fraction) / 1000
  );
}

function decimalBytes(text: string, scale: number): Buffer {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (match === null) throw new RangeError(`not a decimal: ${text}`);
  const fraction = (match[3] ?? '').padEnd(scale, '0').slice(0, scale);
  let n = BigInt(`${match[2] || '0'}${fraction}`);
  if (match[1] === '-') n = -n;
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(BigInt.asUintN(8, n)));
    n >>= 8n;
  } while (!(n === 0n && (bytes[0]! & 0x80) === 0) && !(n === -1n && (bytes[0]! & 0x80) !== 0));
  return Buffer.from(bytes);
}

class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): string {
    return isoOfMillis(toEpochNumber(value, 'timestamp-millis'), 'timestamp-millis');
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? Date.parse(value) : value;
  }
}

class TimestampMicrosType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): string {
    const { ms, extra } = splitMicros(toEpochNumber(value, 'timestamp-micros'));
    return `${isoOfMillis(ms, 'timestamp-micros').slice(0, -1)}${extra}Z`;
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? microsOfIso(value, 'Z') : value;
  }
}

class LocalTimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): string {
    return isoOfMillis(toEpochNumber(value, 'local-timestamp-millis'), 'local-timestamp-millis').slice(0, -1);
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? Date.parse(`${value}Z`) : value;
  }
}

class LocalTimestampMicrosType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): string {
    const { ms, extra } = splitMicros(toEpochNumber(value, 'local-timestamp-micros'));
    return `${isoOfMillis(ms, 'local-timestamp-micros').slice(0, -1)}${extra}`;
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? microsOfIso(value, '') : value;
  }
}

class DateType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): string {
    return isoOfMillis((value as number) * MS_PER_DAY, 'date').slice(0, 10);
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? Date.parse(`${value}T00:00:00Z`) / MS_PER_DAY : value;
  }
}

function timeOfDay(ms: number, what: string): string {
  if (ms < 0 || ms >= MS_PER_DAY) throw new RangeError(`${what} is not within one day`);
  return new Date(ms).toISOString().slice(11, 23);
}

class TimeMillisType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): string {
    return timeOfDay(value as number, 'time-millis');
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? Math.floor(millisOfTime(value)) : value;
  }
}

class TimeMicrosType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): string {
    const { ms, extra } = splitMicros(toEpochNumber(value, 'time-micros'));
    return `${timeOfDay(ms, 'time-micros')}${extra}`;
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? Math.round(millisOfTime(value) * 1000) : value;
  }
}

/** Big-endian two's complement bytes → exact decimal text with `scale` fraction digits. */
export function decimalText(bytes: Uint8Array, scale: number): string {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) n -= 1n << BigInt(bytes.length * 8);
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

class DecimalType extends avro.types.LogicalType {
  readonly #scale: number;
  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts);
    const scale = (schema as { scale?: unknown }).scale;
    this.#scale = typeof scale === 'number' && Number.isInteger(scale) && scale >= 0 ? scale : 0;
  }
  protected override _fromValue(value: unknown): string {
    return decimalText(value as Buffer, this.#scale);
  }
  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' ? decimalBytes(value, this.#scale) : value;
  }
}

const logicalTypes = {
  'timestamp-millis': TimestampMillisType,
  'timestamp-micros': TimestampMicrosType,
  'local-timestamp-millis': LocalTimestampMillisType,
  'local-timestamp-micros': LocalTimestampMicrosType,
  date: DateType,
  'time-millis': TimeMillisType,
  'time-micros': TimeMicrosType,
  decimal: DecimalType,
};

function typeHook(schema: avro.Schema, opts: unknown): AvroType | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const s = schema as { type?: unknown; logicalType?: unknown };
  if (s.logicalType !== undefined) return undefined;
  // `{"type": "long"}` bypasses the registry entry for "long", so it is replaced here too.
  if (s.type === 'long') return exactLongType;
  if (s.type === 'array') return new BoundedArrayType(schema, opts);
  if (s.type === 'map') return new BoundedMapType(schema, opts);
  return undefined;
}

/** Options every Avro type of this package is built with. `registry` holds named types shared with references. */
export function avroTypeOptions(registry: Record<string, AvroType>): Partial<avro.ForSchemaOptions> {
  return {
    registry: Object.assign(registry, { long: exactLongType }) as Record<string, AvroType>,
    logicalTypes: logicalTypes as unknown as avro.ForSchemaOptions['logicalTypes'],
    typeHook: typeHook as avro.ForSchemaOptions['typeHook'],
    wrapUnions: 'auto',
  };
}

/** Parses writer schemas: references first (in dependency order), then the main schema, in one namespace. */
export function parseAvroSchemas(referencedSchemas: readonly string[], schema: string): AvroType {
  const registry: Record<string, AvroType> = {};
  const options = avroTypeOptions(registry);
  for (const text of referencedSchemas) avro.Type.forSchema(JSON.parse(text) as avro.Schema, options);
  return avro.Type.forSchema(JSON.parse(schema) as avro.Schema, options);
}

// ---- JSON mapper: only the parts of a value that need it are touched; null means "already JSON". ----

function nonFinite(value: unknown): JsonValue {
  if (Number.isFinite(value as number)) return value as number;
  noteNulled();
  return null;
}

function base64(value: unknown): JsonValue {
  return (value as Buffer).toString('base64');
}

function buildMapper(type: AvroType, cache: Map<AvroType, Mapper | null | 'pending'>): Mapper | null {
  const cached = cache.get(type);
  if (cached === 'pending') return (value) => (cache.get(type) as Mapper)(value);
  if (cached !== undefined) return cached;
  cache.set(type, 'pending');
  const mapper = buildMapperUncached(type, cache);
  cache.set(type, mapper);
  return mapper;
}

function buildMapperUncached(type: AvroType, cache: Map<AvroType, Mapper | null | 'pending'>): Mapper | null {
  const name = type.typeName;
  if (name.startsWith('logical:')) return null;
  switch (name) {
    case 'bytes':
    case 'fixed':
      return base64;
    case 'float':
    case 'double':
      return nonFinite;
    case 'array': {
      const item = buildMapper((type as avro.types.ArrayType).itemsType, cache);
      if (item === null) return null;
      return (value) => {
        const array = value as unknown[];
        for (let i = 0; i < array.length; i++) {
          const at = nulledCount();
          array[i] = item(array[i]);
          if (nulledCount() > at) prefixNulled(at, String(i));
        }
        return array as JsonValue;
      };
    }
    case 'map': {
      const item = buildMapper((type as avro.types.MapType).valuesType as AvroType, cache);
      if (item === null) return null;
      return (value) => {
        const map = value as Record<string, unknown>;
        for (const key of Object.keys(map)) {
          const at = nulledCount();
          map[key] = item(map[key]);
          if (nulledCount() > at) prefixNulled(at, key);
        }
        return map as JsonValue;
      };
    }
    case 'record':
    case 'error': {
      const fields = (type as avro.types.RecordType).fields
        .map((field) => ({ name: field.name, mapper: buildMapper(field.type, cache) }))
        .filter((f): f is { name: string; mapper: Mapper } => f.mapper !== null);
      if (fields.length === 0) return null;
      return (value) => {
        const record = value as Record<string, unknown>;
        for (const field of fields) {
          const at = nulledCount();
          record[field.name] = field.mapper(record[field.name]);
          if (nulledCount() > at) prefixNulled(at, field.name);
        }
        return record as JsonValue;
      };
    }
    case 'union:unwrapped': {
      const branches = (type as avro.types.UnwrappedUnionType).types;
      const mappers = branches.map((branch) => buildMapper(branch, cache));
      if (mappers.every((m) => m === null)) return null;
      // An unwrapped union is unambiguous by JS type, so the value says which branch it came from.
      return (value) => {
        for (let i = 0; i < branches.length; i++) {
          const mapper = mappers[i];
          if (branches[i]!.isValid(value)) return mapper ? mapper(value) : (value as JsonValue);
        }
        return value as JsonValue;
      };
    }
    case 'union:wrapped': {
      const byBranch = new Map<string, Mapper | null>();
      for (const branch of (type as avro.types.WrappedUnionType).types) {
        byBranch.set(branch.branchName ?? branch.typeName, buildMapper(branch, cache));
      }
      return (value) => {
        if (value === null) return null;
        for (const key in value as Record<string, unknown>) {
          const inner = (value as Record<string, unknown>)[key];
          const mapper = byBranch.get(key);
          return mapper ? mapper(inner) : (inner as JsonValue);
        }
        return null;
      };
    }
    default:
      return null;
  }
}

export interface AvroDecoder {
  readonly type: AvroType;
  decode(payload: Buffer): JsonValue;
}

export function createAvroDecoder(type: AvroType): AvroDecoder {
  const mapper = buildMapper(type, new Map());
  return {
    type,
    decode: mapper
      ? (payload) => mapper(type.fromBuffer(payload))
      : (payload) => type.fromBuffer(payload) as JsonValue,
  };
}
