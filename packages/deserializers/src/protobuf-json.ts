import protobuf from 'protobufjs';
import { NUMBER_ROOM, PLAIN, writeNumber } from './json-bytes.js';
import { collectNulled } from './nulled.js';
import { durationText, isMapEntryType, jsonNameOf, messageToJson, timestampText } from './protobuf.js';

// Protobuf binary straight to JSON text: the same JSON that protobufjs's decoder and messageToJson give
// (protobuf.ts), written as UTF-8 bytes without building the message or its JSON value. Fields come out in
// declaration order whatever order they arrived in, a repeated singular field keeps its last value (as the
// decoder does), and absent fields take the text the reference mapping gives an empty message. It gives up
// (undefined) on anything it does not write the same way or that the decoder would refuse — truncated or
// overlong varints, a wire type that does not match the field, groups, field number 0, a NaN or infinite
// float (the decoder writes null and names the field), a string that is not valid UTF-8, a map key that is
// repeated, a number or `__proto__` (a JavaScript object reorders or drops those), a Timestamp out of range,
// nesting deeper than 64 — and the caller then decodes the message the usual way, which gives the value or
// the exact error. Schemas with required fields, groups, maps not keyed by strings (maps read from a
// descriptor may have any key), or Struct, Value, ListValue, Any and FieldMask get no writer.

enum Kind {
  Double,
  Float,
  Int32,
  Uint32,
  Sint32,
  Fixed32,
  Sfixed32,
  Int64,
  Uint64,
  Sint64,
  Fixed64,
  Sfixed64,
  Bool,
  String,
  Bytes,
  Enum,
  NullValue,
  Message,
}

const VARINT = 0;
const FIXED64 = 1;
const DELIMITED = 2;
const FIXED32 = 5;

const SCALARS: Record<string, { kind: Kind; wire: number }> = {
  double: { kind: Kind.Double, wire: FIXED64 },
  float: { kind: Kind.Float, wire: FIXED32 },
  int32: { kind: Kind.Int32, wire: VARINT },
  uint32: { kind: Kind.Uint32, wire: VARINT },
  sint32: { kind: Kind.Sint32, wire: VARINT },
  fixed32: { kind: Kind.Fixed32, wire: FIXED32 },
  sfixed32: { kind: Kind.Sfixed32, wire: FIXED32 },
  int64: { kind: Kind.Int64, wire: VARINT },
  uint64: { kind: Kind.Uint64, wire: VARINT },
  sint64: { kind: Kind.Sint64, wire: VARINT },
  fixed64: { kind: Kind.Fixed64, wire: FIXED64 },
  sfixed64: { kind: Kind.Sfixed64, wire: FIXED64 },
  bool: { kind: Kind.Bool, wire: VARINT },
  string: { kind: Kind.String, wire: DELIMITED },
  bytes: { kind: Kind.Bytes, wire: DELIMITED },
};

/** One value's type: a scalar, an enum (its names as JSON text) or a message. */
interface ValuePlan {
  readonly kind: Kind;
  readonly wire: number;
  readonly enumNames?: ReadonlyMap<number, Buffer>;
  /** Set after construction for messages, so recursive schemas can refer to themselves. */
  message?: TypePlan;
}

interface FieldPlan extends ValuePlan {
  readonly number: number;
  /** `"name":` */
  readonly name: Buffer;
  readonly repeated: boolean;
  /** Repeated scalars the decoder also takes packed (wire type 2). */
  readonly packable: boolean;
  /** A oneof member (proto3 `optional` too): left out when absent. */
  readonly omitWhenAbsent: boolean;
  /** The text of the field when absent; undefined when the reference writes null for it and names it. */
  readonly absent: Buffer | undefined;
  /**
   * For a map: its key and value types, and for an entry without them the key (as the decoder's object names
   * it) and the value's text.
   */
  readonly mapKey?: ValuePlan;
  readonly mapValue?: ValuePlan;
  readonly mapKeyAbsent?: string;
  readonly mapValueAbsent?: Buffer;
}

type WellKnown = 'timestamp' | 'duration' | 'wrapper';

interface TypePlan {
  readonly fields: FieldPlan[];
  /** Field number → index in `fields` + 1 (0: unknown), up to the largest number below MAX_DENSE. */
  readonly byNumber: Uint16Array;
  /** The rest. */
  readonly byLargeNumber: Map<number, number>;
  readonly wellKnown: WellKnown | undefined;
}

/** Each wrapper's one field, `value`, has this type in Google's file. */
const WRAPPERS = new Map(
  (
    [
      ['Double', 'double'],
      ['Float', 'float'],
      ['Int64', 'int64'],
      ['UInt64', 'uint64'],
      ['Int32', 'int32'],
      ['UInt32', 'uint32'],
      ['Bool', 'bool'],
      ['String', 'string'],
      ['Bytes', 'bytes'],
    ] as const
  ).map(([name, type]) => [`.google.protobuf.${name}Value`, type]),
);

/**
 * The reference maps these types by their full name and reads their fields by name, so a schema that declares
 * its own google.protobuf.Timestamp (or wrapper) with other fields is left to it.
 */
function isGooglesShape(
  type: protobuf.Type,
  fields: ReadonlyArray<readonly [string, string, number]>,
): boolean {
  return (
    type.fieldsArray.length === fields.length &&
    fields.every(([name, fieldType, id]) => {
      const field = type.fields[name];
      return (
        field !== undefined && field.type === fieldType && field.id === id && !field.repeated && !field.map
      );
    })
  );
}
const UNSUPPORTED_WELL_KNOWN = new Set(
  ['Struct', 'Value', 'ListValue', 'Any', 'FieldMask'].map((name) => `.google.protobuf.${name}`),
);

/** Keys a JavaScript object lists first, in numeric order, whatever order they were set in. */
const INDEX_LIKE = /^(?:0|[1-9]\d{0,9})$/;

const ascii = (text: string): Buffer => Buffer.from(text, 'utf8');

// ---- Output ----

let src: Buffer = Buffer.alloc(0);
let out = Buffer.allocUnsafe(64 * 1024);
let at = 0;
let depth = 0;
const MAX_DEPTH = 64;

function reserve(bytes: number): void {
  if (at + bytes <= out.length) return;
  const grown = Buffer.allocUnsafe(Math.max(at + bytes, out.length * 2));
  out.copy(grown, 0, 0, at);
  out = grown;
}

function putBytes(bytes: Buffer): void {
  const n = bytes.length;
  reserve(n);
  const o = out;
  const base = at;
  for (let k = 0; k < n; k++) o[base + k] = bytes[k]!;
  at = base + n;
}

function putByte(byte: number): void {
  reserve(1);
  out[at++] = byte;
}

function putNumber(d: number): void {
  reserve(NUMBER_ROOM);
  at = writeNumber(out, at, d);
}

function putAscii(text: string): void {
  const n = text.length;
  reserve(n);
  for (let k = 0; k < n; k++) out[at + k] = text.charCodeAt(k);
  at += n;
}

// ---- Reading the wire format ----
// Readers return the position after what they read and leave the value in `value` (or `big`); -1 gives up.

let value = 0;
let big = 0n;
/** True when the last readVarint64 needed a bigint (more than 7 bytes): the value is in `big`. */
let isBig = false;

/**
 * A varint as the decoder's uint32 reads it: its low 32 bits, unsigned. Only forms the decoder reads the same
 * way: up to 5 bytes, or exactly 10 (a negative int32), since it skips 5 bytes blindly after a fifth one
 * with its high bit set.
 */
function readVarint32(p: number, stop: number): number {
  const s = src;
  // Tags, lengths and small numbers: one byte.
  if (p < stop) {
    const b = s[p]!;
    if (b < 0x80) {
      value = b;
      return p + 1;
    }
  }
  let result = 0;
  for (let k = 0; k < 5; k++) {
    if (p >= stop) return -1;
    const b = s[p++]!;
    result += (k === 4 ? b & 15 : b & 0x7f) * 2 ** (7 * k);
    if (b < 0x80) {
      value = result;
      return p;
    }
  }
  if (p + 5 > stop) return -1;
  for (let k = 0; k < 4; k++) if (s[p++]! < 0x80) return -1;
  if (s[p++]! >= 0x80) return -1;
  value = result;
  return p;
}

/** A varint of up to 10 bytes as 64 bits; past 7 bytes it is a bigint in `big`. */
function readVarint64(p: number, stop: number): number {
  const s = src;
  let n = 0;
  let scale = 1;
  const start = p;
  for (let k = 0; k < 7; k++) {
    if (p >= stop) return -1;
    const b = s[p++]!;
    n += (b & 0x7f) * scale;
    if (b < 0x80) {
      value = n;
      isBig = false;
      return p;
    }
    scale *= 128;
  }
  let r = 0n;
  let shift = 0n;
  p = start;
  for (let k = 0; k < 10; k++) {
    if (p >= stop) return -1;
    const b = s[p++]!;
    // The tenth byte holds bit 63 only; the decoder drops anything above it, so such input is given up on.
    if (k === 9 && b > 1) return -1;
    r |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) {
      big = r;
      isBig = true;
      return p;
    }
    shift += 7n;
  }
  return -1;
}

/** The position after the value of wire type `wire` at `p`; -1 when it runs past `stop` or is a group. */
function skipValue(wire: number, p: number, stop: number): number {
  switch (wire) {
    case VARINT:
      return readVarint64(p, stop);
    case FIXED64:
      return p + 8 <= stop ? p + 8 : -1;
    case DELIMITED: {
      const q = readVarint32(p, stop);
      if (q < 0) return -1;
      return q + value <= stop ? q + value : -1;
    }
    case FIXED32:
      return p + 4 <= stop ? p + 4 : -1;
    default:
      return -1;
  }
}

/** The last field readField read: its number, its wire type and where its value starts. */
let fieldNumber = 0;
let fieldWire = 0;
let fieldAt = 0;

/** The field at `p` (its tag and value); the position after it, or -1 on a bad tag, field 0, a group or an overrun. */
function readField(p: number, stop: number): number {
  const q = readVarint32(p, stop);
  if (q < 0) return -1;
  fieldNumber = value >>> 3;
  fieldWire = value & 7;
  if (fieldNumber === 0) return -1;
  fieldAt = q;
  return skipValue(fieldWire, q, stop);
}

// ---- Writing values ----

function putLongText(kind: Kind): void {
  if (!isBig) {
    if (kind === Kind.Sint64) putNumber(value % 2 === 0 ? value / 2 : -(value + 1) / 2);
    else putNumber(value);
    return;
  }
  const u = BigInt.asUintN(64, big);
  const n = kind === Kind.Uint64 ? u : kind === Kind.Int64 ? BigInt.asIntN(64, u) : (u >> 1n) ^ -(u & 1n);
  putAscii(n.toString());
}

function putFixed64(signed: boolean, p: number): void {
  const lo = src.readUInt32LE(p);
  const hi = signed ? src.readInt32LE(p + 4) : src.readUInt32LE(p + 4);
  // Exact as a double below 2^53 in magnitude, as the reference's longJson gives a number there too.
  if (hi >= -0x200000 && hi < 0x200000) putNumber(hi * 2 ** 32 + lo);
  else putAscii((signed ? src.readBigInt64LE(p) : src.readBigUInt64LE(p)).toString());
}

/** A length-prefixed UTF-8 string at `p` as a JSON string; the position after it, or -1. */
function putString(p: number, stop: number): number {
  const q = readVarint32(p, stop);
  if (q < 0) return -1;
  const end = q + value;
  if (end > stop) return -1;
  const length = value;
  reserve(length + 2);
  const s = src;
  const o = out;
  let k = q;
  if (length <= 64) {
    // Short strings are checked and copied in one pass; `at` moves only when all of it was plain.
    let a = at;
    o[a++] = 0x22;
    for (; k < end; k++) {
      const c = s[k]!;
      if (PLAIN[c] !== 1) break;
      o[a++] = c;
    }
    if (k === end) {
      o[a] = 0x22;
      at = a + 1;
      return end;
    }
  } else {
    while (k < end && PLAIN[s[k]!] === 1) k++;
    if (k === end) {
      o[at++] = 0x22;
      at += s.copy(o, at, q, end);
      o[at++] = 0x22;
      return end;
    }
  }
  const text = s.toString('utf8', q, end);
  // U+FFFD stands in for invalid UTF-8 (or is in the text): the decoder's answer is the one to give.
  if (text.includes('\ufffd')) return -1;
  const json = JSON.stringify(text);
  reserve(json.length * 3);
  at += out.write(json, at, 'utf8');
  return end;
}

/** One value of `plan` at `p` (the start of its value, after the tag); the position after it, or -1. */
function putValue(plan: ValuePlan, p: number, stop: number): number {
  switch (plan.kind) {
    case Kind.Double: {
      // Packed values are bounded by their run, which the scan did not check against the element width.
      if (p + 8 > stop) return -1;
      const d = src.readDoubleLE(p);
      if (!Number.isFinite(d)) return -1;
      putNumber(d);
      return p + 8;
    }
    case Kind.Float: {
      if (p + 4 > stop) return -1;
      const f = src.readFloatLE(p);
      if (!Number.isFinite(f)) return -1;
      putNumber(f);
      return p + 4;
    }
    case Kind.Int32:
    case Kind.Uint32:
    case Kind.Sint32:
    case Kind.Bool:
    case Kind.Enum:
    case Kind.NullValue: {
      const q = readVarint32(p, stop);
      if (q < 0) return -1;
      const u = value;
      switch (plan.kind) {
        case Kind.Int32:
          putNumber(u | 0);
          break;
        case Kind.Uint32:
          putNumber(u);
          break;
        case Kind.Sint32:
          putNumber(((u >>> 1) ^ -(u & 1)) | 0);
          break;
        case Kind.Bool:
          putAscii(u === 0 ? 'false' : 'true');
          break;
        case Kind.Enum: {
          const name = plan.enumNames!.get(u | 0);
          if (name === undefined) putAscii(`"${u | 0}"`);
          else putBytes(name);
          break;
        }
        default:
          putAscii('null');
      }
      return q;
    }
    case Kind.Fixed32:
      if (p + 4 > stop) return -1;
      putNumber(src.readUInt32LE(p));
      return p + 4;
    case Kind.Sfixed32:
      if (p + 4 > stop) return -1;
      putNumber(src.readInt32LE(p));
      return p + 4;
    case Kind.Int64:
    case Kind.Uint64:
    case Kind.Sint64: {
      const q = readVarint64(p, stop);
      if (q < 0) return -1;
      putLongText(plan.kind);
      return q;
    }
    case Kind.Fixed64:
    case Kind.Sfixed64:
      if (p + 8 > stop) return -1;
      putFixed64(plan.kind === Kind.Sfixed64, p);
      return p + 8;
    case Kind.String:
      return putString(p, stop);
    case Kind.Bytes: {
      const q = readVarint32(p, stop);
      if (q < 0 || q + value > stop) return -1;
      putAscii(`"${src.toString('base64', q, q + value)}"`);
      return q + value;
    }
    case Kind.Message: {
      const q = readVarint32(p, stop);
      if (q < 0 || q + value > stop) return -1;
      const end = q + value;
      return putMessage(plan.message!, q, end) ? end : -1;
    }
  }
}

// ---- Messages ----
// The scan records where each field's values are: the last one for singular fields, a linked list of every
// occurrence for repeated and map fields. Frames of `heads`/`tails` are a stack, one per nested message.

let heads = new Int32Array(1024);
let tails = new Int32Array(1024);
let frameTop = 0;
let occurrenceAt = new Int32Array(4096);
let occurrenceWire = new Uint8Array(4096);
let occurrenceNext = new Int32Array(4096);
let occurrences = 0;

function growFrames(need: number): void {
  const size = Math.max(need, heads.length * 2);
  const h = new Int32Array(size);
  h.set(heads);
  heads = h;
  const t = new Int32Array(size);
  t.set(tails);
  tails = t;
}

function addOccurrence(frame: number, p: number, wire: number): void {
  if (occurrences === occurrenceAt.length) {
    const size = occurrences * 2;
    const a = new Int32Array(size);
    a.set(occurrenceAt);
    occurrenceAt = a;
    const w = new Uint8Array(size);
    w.set(occurrenceWire);
    occurrenceWire = w;
    const n = new Int32Array(size);
    n.set(occurrenceNext);
    occurrenceNext = n;
  }
  const o = occurrences++;
  occurrenceAt[o] = p;
  occurrenceWire[o] = wire;
  occurrenceNext[o] = -1;
  if (heads[frame] === -1) heads[frame] = o;
  else occurrenceNext[tails[frame]!] = o;
  tails[frame] = o;
}

// On giving up nothing is unwound: the writer's entry point resets the stack for the next message.
function putMessage(plan: TypePlan, start: number, stop: number): boolean {
  if (++depth > MAX_DEPTH) return false;
  if (plan.wellKnown !== undefined) {
    if (!putWellKnown(plan, start, stop)) return false;
    depth--;
    return true;
  }
  const fields = plan.fields;
  const n = fields.length;
  const base = frameTop;
  if (base + n > heads.length) growFrames(base + n);
  heads.fill(-1, base, base + n);
  frameTop = base + n;
  if (!scanFields(plan, base, start, stop) || !putFields(fields, base, stop)) return false;
  frameTop = base;
  depth--;
  return true;
}

/** Field numbers below this are looked up in an array. */
const MAX_DENSE = 4096;

function indexOf(plan: TypePlan, number: number): number {
  if (number < MAX_DENSE) return (plan.byNumber[number] ?? 0) - 1;
  return plan.byLargeNumber.get(number) ?? -1;
}

/**
 * Whether a value the output will not show (a singular field's earlier occurrence, which the decoder reads
 * and then replaces) is one the decoder reads without an error: written and taken back.
 */
function readable(plan: ValuePlan, p: number, stop: number): boolean {
  const mark = at;
  const ok = putValue(plan, p, stop) >= 0;
  at = mark;
  return ok;
}

function scanFields(plan: TypePlan, base: number, start: number, stop: number): boolean {
  const fields = plan.fields;
  let p = start;
  while (p < stop) {
    p = readField(p, stop);
    if (p < 0) return false;
    const wire = fieldWire;
    const valueAt = fieldAt;
    const index = indexOf(plan, fieldNumber);
    if (index < 0) continue;
    const field = fields[index]!;
    if (wire !== field.wire && !(field.packable && wire === DELIMITED)) return false;
    if (field.repeated || field.mapValue !== undefined) addOccurrence(base + index, valueAt, wire);
    else {
      const earlier = heads[base + index]!;
      if (earlier !== -1 && !readable(field, earlier, stop)) return false;
      heads[base + index] = valueAt;
    }
  }
  return true;
}

function putFields(fields: readonly FieldPlan[], base: number, stop: number): boolean {
  putByte(0x7b);
  let first = true;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const head = heads[base + i]!;
    if (head === -1) {
      if (field.omitWhenAbsent) continue;
      if (field.absent === undefined) return false;
      if (!first) putByte(0x2c);
      first = false;
      putBytes(field.name);
      putBytes(field.absent);
      continue;
    }
    if (!first) putByte(0x2c);
    first = false;
    putBytes(field.name);
    if (field.mapValue !== undefined) {
      if (!putMap(field, head, stop)) return false;
    } else if (field.repeated) {
      if (!putRepeated(field, head, stop)) return false;
    } else if (putValue(field, head, stop) < 0) return false;
  }
  putByte(0x7d);
  return true;
}

function putRepeated(field: FieldPlan, head: number, stop: number): boolean {
  putByte(0x5b);
  let first = true;
  for (let o = head; o !== -1; o = occurrenceNext[o]!) {
    const p = occurrenceAt[o]!;
    if (occurrenceWire[o] === DELIMITED && field.packable) {
      let q = readVarint32(p, stop);
      if (q < 0) return false;
      const end = q + value;
      while (q < end) {
        if (!first) putByte(0x2c);
        first = false;
        q = putValue(field, q, end);
        if (q < 0) return false;
      }
      if (q !== end) return false;
    } else {
      if (!first) putByte(0x2c);
      first = false;
      if (putValue(field, p, stop) < 0) return false;
    }
  }
  putByte(0x5d);
  return true;
}

/**
 * A map field: its entries in wire order, as the decoder's object lists them when no key repeats and none is a
 * number a JavaScript object would list first.
 */
function putMap(field: FieldPlan, head: number, stop: number): boolean {
  const keyPlan = field.mapKey!;
  const valuePlan = field.mapValue!;
  let keys: Set<string> | undefined;
  putByte(0x7b);
  let first = true;
  for (let o = head; o !== -1; o = occurrenceNext[o]!) {
    let p = readVarint32(occurrenceAt[o]!, stop);
    if (p < 0) return false;
    const end = p + value;
    let keyAt = -1;
    let valueAt = -1;
    while (p < end) {
      p = readField(p, end);
      if (p < 0) return false;
      const number = fieldNumber;
      const wire = fieldWire;
      const at0 = fieldAt;
      if (number === 1) {
        if (wire !== keyPlan.wire) return false;
        if (keyAt >= 0 && !readable(keyPlan, keyAt, end)) return false;
        keyAt = at0;
      } else if (number === 2) {
        if (wire !== valuePlan.wire) return false;
        if (valueAt >= 0 && !readable(valuePlan, valueAt, end)) return false;
        valueAt = at0;
      }
    }
    const stringKey = keyAt >= 0 && keyPlan.kind === Kind.String;
    let key = field.mapKeyAbsent!;
    if (stringKey) {
      const q = readVarint32(keyAt, end);
      key = src.toString('utf8', q, q + value);
      if (key.includes('\ufffd')) return false;
    } else if (keyAt >= 0) {
      // A number or a boolean, spelled as String() spells the decoder's key: its JSON text is that.
      const mark = at;
      if (putValue(keyPlan, keyAt, end) < 0) return false;
      key = out.toString('latin1', mark, at);
      at = mark;
    }
    if (INDEX_LIKE.test(key) || key === '__proto__') return false;
    keys ??= new Set();
    if (keys.has(key)) return false;
    keys.add(key);
    if (!first) putByte(0x2c);
    first = false;
    if (stringKey) {
      if (putString(keyAt, end) < 0) return false;
    } else putAscii(JSON.stringify(key));
    putByte(0x3a);
    if (valueAt < 0) putBytes(field.mapValueAbsent!);
    else if (putValue(valuePlan, valueAt, end) < 0) return false;
  }
  putByte(0x7d);
  return true;
}

/** Timestamp and Duration as their text, a wrapper as its value. */
function putWellKnown(plan: TypePlan, start: number, stop: number): boolean {
  let first = -1;
  let second = -1;
  let p = start;
  while (p < stop) {
    p = readField(p, stop);
    if (p < 0) return false;
    const wire = fieldWire;
    const valueAt = fieldAt;
    const index = indexOf(plan, fieldNumber);
    if (index < 0) continue;
    const field = plan.fields[index]!;
    if (wire !== field.wire) return false;
    const earlier = index === 0 ? first : second;
    if (earlier >= 0 && !readable(field, earlier, stop)) return false;
    if (index === 0) first = valueAt;
    else second = valueAt;
  }
  if (plan.wellKnown === 'wrapper') {
    const field = plan.fields[0]!;
    if (first < 0) putBytes(field.absent!);
    else if (putValue(field, first, stop) < 0) return false;
    return true;
  }
  let seconds: number | bigint = 0;
  if (first >= 0) {
    if (readVarint64(first, stop) < 0) return false;
    seconds = isBig ? BigInt.asIntN(64, big) : value;
  }
  let nanos = 0;
  if (second >= 0) {
    if (readVarint32(second, stop) < 0) return false;
    nanos = value | 0;
  }
  let text: string;
  try {
    text = plan.wellKnown === 'timestamp' ? timestampText(seconds, nanos) : durationText(seconds, nanos);
  } catch {
    return false;
  }
  putAscii(JSON.stringify(text));
  return true;
}

// ---- Compiling a schema ----

interface CompileState {
  readonly plans: Map<protobuf.Type, TypePlan>;
}

class Unsupported extends Error {}

function valuePlanOf(field: protobuf.Field, state: CompileState): ValuePlan {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    const plan: ValuePlan = { kind: Kind.Message, wire: DELIMITED };
    plan.message = typePlanOf(resolved, state);
    return plan;
  }
  if (resolved instanceof protobuf.Enum) {
    if (resolved.fullName === '.google.protobuf.NullValue') return { kind: Kind.NullValue, wire: VARINT };
    const enumNames = new Map<number, Buffer>();
    for (const id of Object.keys(resolved.valuesById)) {
      enumNames.set(Number(id), ascii(JSON.stringify(resolved.valuesById[Number(id)])));
    }
    return { kind: Kind.Enum, wire: VARINT, enumNames };
  }
  const scalar = SCALARS[field.type];
  if (scalar === undefined) throw new Unsupported(field.type);
  return scalar;
}

/** The text the reference writes for each field of an empty message (undefined where it writes null and names it). */
function absentTexts(type: protobuf.Type): Map<string, Buffer | undefined> {
  const nulled: string[] = [];
  const empty = collectNulled(nulled, () =>
    messageToJson(type, type.decode(Buffer.alloc(0)) as unknown as Record<string, unknown>),
  ) as Record<string, unknown>;
  const texts = new Map<string, Buffer | undefined>();
  for (const [name, json] of Object.entries(empty)) {
    const named = nulled.some((path) => path === name || path.startsWith(`${name}.`));
    let text: string;
    try {
      text = JSON.stringify(json);
    } catch {
      // A default beyond 2^53 (a bigint): rare enough to leave to the decoder.
      throw new Unsupported(name);
    }
    texts.set(name, named ? undefined : ascii(text));
  }
  return texts;
}

const MAP_VALUE_ABSENT: Partial<Record<Kind, string>> = {
  [Kind.Message]: 'null',
  [Kind.NullValue]: 'null',
  [Kind.Bool]: 'false',
  [Kind.String]: '""',
  [Kind.Bytes]: '""',
};

const MAP_KEY_KINDS = new Set([
  Kind.String,
  Kind.Bool,
  Kind.Int32,
  Kind.Uint32,
  Kind.Sint32,
  Kind.Fixed32,
  Kind.Sfixed32,
  Kind.Int64,
  Kind.Uint64,
  Kind.Sint64,
  Kind.Fixed64,
  Kind.Sfixed64,
]);

/**
 * A map field read from a descriptor: repeated entry messages, which the reference turns into an object keyed
 * by String() of each entry's key (protobuf.ts, mapEntriesJson). The key and value an empty entry gives are
 * the ones for an entry without them.
 */
function descriptorMapPlan(entry: protobuf.Type, state: CompileState, name: string) {
  const keyField = entry.fields.key;
  const valueField = entry.fields.value;
  if (keyField === undefined || valueField === undefined || entry.fieldsArray.length !== 2) {
    throw new Unsupported(name);
  }
  if (keyField.id !== 1 || valueField.id !== 2 || keyField.repeated || valueField.repeated) {
    throw new Unsupported(name);
  }
  keyField.resolve();
  valueField.resolve();
  const mapKey = valuePlanOf(keyField, state);
  if (!MAP_KEY_KINDS.has(mapKey.kind)) throw new Unsupported(name);
  const empty = entry.decode(Buffer.alloc(0)) as unknown as Record<string, unknown>;
  const mapValueAbsent = absentTexts(entry).get(jsonNameOf(valueField));
  if (mapValueAbsent === undefined) throw new Unsupported(name);
  return {
    kind: Kind.Message,
    wire: DELIMITED,
    repeated: false,
    packable: false,
    mapKey,
    mapValue: valuePlanOf(valueField, state),
    mapKeyAbsent: String(empty.key ?? keyField.defaultValue ?? ''),
    mapValueAbsent,
  };
}

function typePlanOf(type: protobuf.Type, state: CompileState): TypePlan {
  const known = state.plans.get(type);
  if (known !== undefined) return known;
  const fullName = type.fullName;
  if (UNSUPPORTED_WELL_KNOWN.has(fullName)) throw new Unsupported(fullName);
  const wellKnown: WellKnown | undefined =
    fullName === '.google.protobuf.Timestamp'
      ? 'timestamp'
      : fullName === '.google.protobuf.Duration'
        ? 'duration'
        : WRAPPERS.has(fullName)
          ? 'wrapper'
          : undefined;
  const numbers = type.fieldsArray.map((f) => f.id).filter((n) => n < MAX_DENSE);
  if (wellKnown === 'timestamp' || wellKnown === 'duration') {
    if (
      !isGooglesShape(type, [
        ['seconds', 'int64', 1],
        ['nanos', 'int32', 2],
      ])
    )
      throw new Unsupported(fullName);
  }
  if (wellKnown === 'wrapper' && !isGooglesShape(type, [['value', WRAPPERS.get(fullName)!, 1]])) {
    throw new Unsupported(fullName);
  }
  const plan: TypePlan = {
    fields: [],
    byNumber: new Uint16Array(Math.max(0, ...numbers) + 1),
    byLargeNumber: new Map(),
    wellKnown,
  };
  state.plans.set(type, plan);
  const absent = wellKnown === undefined ? absentTexts(type) : undefined;
  const names = new Set<string>();
  for (const field of type.fieldsArray) {
    field.resolve();
    if (field.required || field.delimited) throw new Unsupported(field.name);
    const name = jsonNameOf(field);
    if (names.has(name) || INDEX_LIKE.test(name) || name === '__proto__') throw new Unsupported(name);
    names.add(name);
    const omitWhenAbsent = field.partOf !== null && field.partOf !== undefined;
    let fieldPlan: FieldPlan;
    const common = {
      number: field.id,
      name: ascii(`${JSON.stringify(name)}:`),
      omitWhenAbsent,
      absent: wellKnown === 'wrapper' ? undefined : absent?.get(name),
    };
    if (field.map) {
      // Keys other than strings are numbers or booleans, which the decoder keys by other text (64-bit ones by
      // a binary hash): left to it.
      if (!(field instanceof protobuf.MapField) || field.keyType !== 'string') throw new Unsupported(name);
      const mapValue = valuePlanOf(field, state);
      let mapValueAbsent = MAP_VALUE_ABSENT[mapValue.kind] ?? '0';
      if (mapValue.kind === Kind.Enum) mapValueAbsent = mapValue.enumNames!.get(0)?.toString() ?? '"0"';
      fieldPlan = {
        ...common,
        kind: Kind.Message,
        wire: DELIMITED,
        repeated: false,
        packable: false,
        mapKey: SCALARS.string,
        mapValue,
        mapKeyAbsent: '',
        mapValueAbsent: ascii(mapValueAbsent),
      };
    } else if (field.repeated && isMapEntryType(field.resolvedType)) {
      fieldPlan = { ...common, ...descriptorMapPlan(field.resolvedType, state, name) };
    } else {
      const value = valuePlanOf(field, state);
      const packable = field.repeated && value.wire !== DELIMITED;
      fieldPlan = { ...value, ...common, repeated: field.repeated, packable };
    }
    if (!omitWhenAbsent && wellKnown === undefined && !absent?.has(name)) throw new Unsupported(name);
    if (field.id < MAX_DENSE) plan.byNumber[field.id] = plan.fields.length + 1;
    else plan.byLargeNumber.set(field.id, plan.fields.length);
    plan.fields.push(fieldPlan);
  }
  if (wellKnown === 'wrapper') {
    const field = plan.fields[0];
    if (field === undefined || plan.fields.length !== 1) throw new Unsupported(fullName);
    const zero = field.kind === Kind.Bool ? 'false' : field.wire === DELIMITED ? '""' : '0';
    plan.fields[0] = { ...field, absent: ascii(zero) };
  }
  return plan;
}

export type ProtobufJsonWriter = (payload: Buffer, start: number) => Uint8Array | undefined;

/**
 * A writer of the JSON text of `type` messages (from `start` to the end of `payload`), or undefined when the
 * schema has something it does not write (see the top of this module). The text is a fresh copy; undefined
 * means "decode this one instead". After GIVE_UP_RUN messages in a row it could not write, it answers
 * undefined at once for the next RESTING_MESSAGES; `rest: false` leaves that out (tests compare every one).
 */
export function compileProtobufJsonWriter(
  type: protobuf.Type,
  options: { readonly rest?: boolean } = {},
): ProtobufJsonWriter | undefined {
  let plan: TypePlan;
  try {
    plan = typePlanOf(type, { plans: new Map() });
  } catch {
    // Unsupported, or a schema protobufjs cannot even decode an empty message of: the decoder has the answer.
    return undefined;
  }
  if (options.rest === false) return (payload, start) => writeMessage(plan, payload, start);
  // Data the writer keeps giving up on (say a map whose keys are numbers in every message) would be read
  // twice: after a run of such messages it leaves the next ones to the decoder.
  let givenUp = 0;
  let resting = 0;
  return (payload, start) => {
    if (resting > 0) {
      resting--;
      return undefined;
    }
    const text = writeMessage(plan, payload, start);
    if (text !== undefined) givenUp = 0;
    else if (++givenUp === GIVE_UP_RUN) {
      givenUp = 0;
      resting = RESTING_MESSAGES;
    }
    return text;
  };
}

/** Messages in a row the writer gave up on before it leaves the next RESTING_MESSAGES to the decoder. */
export const GIVE_UP_RUN = 4;
export const RESTING_MESSAGES = 1000;

function writeMessage(plan: TypePlan, payload: Buffer, start: number): Uint8Array | undefined {
  src = payload;
  at = 0;
  depth = 0;
  frameTop = 0;
  occurrences = 0;
  try {
    if (!putMessage(plan, start, payload.length)) return undefined;
    const text = Buffer.allocUnsafe(at);
    out.copy(text, 0, 0, at);
    return text;
  } catch {
    // A defect here must not fail a record the decoder can read: the decoder decides.
    return undefined;
  } finally {
    src = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);
