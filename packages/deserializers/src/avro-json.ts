import type avro from 'avsc';
import { minWidthOf } from './avro.js';
import { compileAvroJsonWasmWriter } from './avro-json-wasm-writer.js';
import { NUMBER_ROOM, PLAIN, writeNumber } from './json-bytes.js';

// Avro binary straight to JSON text, for schemas without logical types: the same JSON the decoder and its
// mapper give (avro.ts), written as UTF-8 bytes without building the value. It gives up (undefined) on
// anything it does not write the same way — bad or trailing bytes, a NaN or infinite float (the decoder
// writes null and names the field), a string that is not valid UTF-8, a map key seen twice — and the caller
// then decodes the message the usual way, which gives the value or the exact error.

type AvroType = avro.Type;
/** Writes one value at `pos` into `out`; false to give up. */
type Node = () => boolean;

let src: Buffer = Buffer.alloc(0);
let pos = 0;
let end = 0;
let out = Buffer.allocUnsafe(64 * 1024);
let at = 0;

function reserve(bytes: number): void {
  if (at + bytes <= out.length) return;
  const grown = Buffer.allocUnsafe(Math.max(at + bytes, out.length * 2));
  out.copy(grown, 0, 0, at);
  out = grown;
}

// Values are short: a loop beats Buffer#write and Buffer#copy, whose native calls cost more than the copy.
// The loops work on locals: module variables would be loaded from the context and stored back at every byte.
function putAscii(text: string): void {
  const n = text.length;
  reserve(n);
  const o = out;
  const base = at;
  for (let k = 0; k < n; k++) o[base + k] = text.charCodeAt(k);
  at = base + n;
}

function putRange(from: Buffer, start: number, stop: number): void {
  const n = stop - start;
  reserve(n);
  if (n > 64) {
    at += from.copy(out, at, start, stop);
    return;
  }
  const o = out;
  const base = at - start;
  for (let k = start; k < stop; k++) o[base + k] = from[k]!;
  at += n;
}

function putByte(byte: number): void {
  reserve(1);
  out[at++] = byte;
}

function putNumber(d: number): void {
  reserve(NUMBER_ROOM);
  at = writeNumber(out, at, d);
}

/** For tests: the text putNumber writes. */
export function numberText(d: number): string {
  at = 0;
  putNumber(d);
  return out.toString('latin1', 0, at);
}

/** A zigzag varint of at most 7 bytes (exact as a double); NaN when truncated or longer. */
function readSmallLong(): number {
  const s = src;
  const stop = end;
  let p = pos;
  let n = 0;
  let scale = 1;
  for (let k = 0; k < 7; k++) {
    if (p >= stop) break;
    const b = s[p++]!;
    n += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      pos = p;
      return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    scale *= 128;
  }
  pos = p;
  return Number.NaN;
}

/** Any long, as its decimal digits; undefined when truncated or longer than 10 bytes. */
function readLongText(): string | undefined {
  const start = pos;
  const small = readSmallLong();
  if (!Number.isNaN(small)) return String(small);
  pos = start;
  let n = 0n;
  let shift = 0n;
  for (let k = 0; k < 10; k++) {
    if (pos >= end) return undefined;
    const b = src[pos++]!;
    n |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      n = BigInt.asUintN(64, n);
      return BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n)).toString();
    }
    shift += 7n;
  }
  return undefined;
}

const writeNull: Node = () => {
  putAscii('null');
  return true;
};

const writeBoolean: Node = () => {
  if (pos >= end) return false;
  putAscii(src[pos++] === 0 ? 'false' : 'true');
  return true;
};

const writeInt: Node = () => {
  const n = readSmallLong();
  if (Number.isNaN(n)) return false;
  putAscii(String(n));
  return true;
};

const writeLong: Node = () => {
  const text = readLongText();
  if (text === undefined) return false;
  putAscii(text);
  return true;
};

const writeFloat: Node = () => {
  if (pos + 4 > end) return false;
  const f = src.readFloatLE(pos);
  pos += 4;
  if (!Number.isFinite(f)) return false;
  putNumber(f);
  return true;
};

const writeDouble: Node = () => {
  if (pos + 8 > end) return false;
  const d = src.readDoubleLE(pos);
  pos += 8;
  if (!Number.isFinite(d)) return false;
  putNumber(d);
  return true;
};

/** Where the last string's bytes began, after its length prefix. */
let lastStringStart = 0;

/** A length-prefixed string as a JSON string. */
const writeString: Node = () => {
  const length = readSmallLong();
  if (!(length >= 0) || pos + length > end) return false;
  lastStringStart = pos;
  const stop = pos + length;
  const s = src;
  let k = pos;
  if (length <= 64) {
    // Short strings are checked and copied in one pass; `at` moves only when all of it was plain.
    reserve(length + 2);
    const o = out;
    let a = at;
    o[a++] = 0x22;
    for (; k < stop; k++) {
      const c = s[k]!;
      if (PLAIN[c] !== 1) break;
      o[a++] = c;
    }
    if (k === stop) {
      o[a] = 0x22;
      at = a + 1;
      pos = stop;
      return true;
    }
  } else {
    while (k < stop && PLAIN[s[k]!] === 1) k++;
  }
  if (k === stop) {
    putByte(0x22);
    putRange(src, pos, stop);
    putByte(0x22);
  } else {
    const text = src.toString('utf8', pos, stop);
    // U+FFFD stands in for invalid UTF-8 (or is in the text): the decoder's answer is the one to give.
    if (text.includes('\ufffd')) return false;
    const json = JSON.stringify(text);
    reserve(json.length * 3);
    at += out.write(json, at, 'utf8');
  }
  pos = stop;
  return true;
};

function writeBase64(length: number): boolean {
  if (!(length >= 0) || pos + length > end) return false;
  putAscii(`"${src.toString('base64', pos, pos + length)}"`);
  pos += length;
  return true;
}

const writeBytes: Node = () => writeBase64(readSmallLong());

/** Items in the next block (a negative count is followed by the block's byte size); NaN when bad. */
function blockCount(itemWidth: number): number {
  let n = readSmallLong();
  if (n < 0) {
    n = -n;
    if (Number.isNaN(readSmallLong())) return Number.NaN;
  }
  // Counts larger than the bytes left cannot be real (the decoder refuses them too).
  if (itemWidth > 0 ? n * itemWidth > end - pos : n > 1_000_000) return Number.NaN;
  return n;
}

interface CompileState {
  readonly nodes: Map<AvroType, Node>;
}

/** A writer for `type`, or undefined when the schema holds a type this writer does not handle. */
function compile(type: AvroType, state: CompileState): Node | undefined {
  const known = state.nodes.get(type);
  if (known !== undefined) return known;
  const name = type.typeName;
  switch (name) {
    case 'null':
      return writeNull;
    case 'boolean':
      return writeBoolean;
    case 'int':
      return writeInt;
    case 'long':
      return writeLong;
    case 'float':
      return writeFloat;
    case 'double':
      return writeDouble;
    case 'string':
      return writeString;
    case 'bytes':
      return writeBytes;
    case 'fixed': {
      const size = (type as avro.types.FixedType).size;
      return () => writeBase64(size);
    }
    case 'enum': {
      const symbols = (type as avro.types.EnumType).symbols.map((s) => JSON.stringify(s));
      return () => {
        const index = readSmallLong();
        const symbol = symbols[index];
        if (symbol === undefined) return false;
        putAscii(symbol);
        return true;
      };
    }
    case 'array': {
      const itemType = (type as avro.types.ArrayType).itemsType;
      // A recursive schema reaches this type again while compiling its items: the late binding handles it.
      let item: Node | undefined;
      const node: Node = () => {
        putByte(0x5b);
        let first = true;
        for (;;) {
          let n = blockCount(itemWidth);
          if (Number.isNaN(n)) return false;
          if (n === 0) break;
          while (n-- > 0) {
            if (!first) putByte(0x2c);
            first = false;
            if (!item!()) return false;
          }
        }
        putByte(0x5d);
        return true;
      };
      state.nodes.set(type, node);
      const itemWidth = minWidthOf(itemType);
      item = compile(itemType, state);
      return item === undefined ? undefined : node;
    }
    case 'map': {
      const valueType = (type as avro.types.MapType).valuesType as AvroType;
      let value: Node | undefined;
      const node: Node = () => {
        putByte(0x7b);
        let first = true;
        let keys: Set<string> | undefined;
        for (;;) {
          let n = blockCount(1 + valueWidth);
          if (Number.isNaN(n)) return false;
          if (n === 0) break;
          while (n-- > 0) {
            if (!first) putByte(0x2c);
            if (!writeString()) return false;
            // A key seen twice: the decoder keeps the last value in the first place. Keys are compared by
            // their bytes, not their length prefix, which a writer may spell in more bytes than needed.
            const key = src.toString('latin1', lastStringStart, pos);
            keys ??= new Set();
            if (keys.has(key)) return false;
            keys.add(key);
            first = false;
            putByte(0x3a);
            if (!value!()) return false;
          }
        }
        putByte(0x7d);
        return true;
      };
      state.nodes.set(type, node);
      const valueWidth = minWidthOf(valueType);
      value = compile(valueType, state);
      return value === undefined ? undefined : node;
    }
    case 'record':
    case 'error': {
      const fields = (type as avro.types.RecordType).fields;
      const names = fields.map((f, i) => Buffer.from(`${i === 0 ? '' : ','}${JSON.stringify(f.name)}:`));
      const writers: Node[] = [];
      const node: Node = () => {
        putByte(0x7b);
        for (let i = 0; i < writers.length; i++) {
          const prefix = names[i]!;
          putRange(prefix, 0, prefix.length);
          if (!writers[i]!()) return false;
        }
        putByte(0x7d);
        return true;
      };
      state.nodes.set(type, node);
      for (const field of fields) {
        const writer = compile(field.type, state);
        if (writer === undefined) return undefined;
        writers.push(writer);
      }
      return node;
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      // The mapper writes a union as its branch's value, wrapped or not.
      const branches: Node[] = [];
      const node: Node = () => {
        const branch = branches[readSmallLong()];
        return branch === undefined ? false : branch();
      };
      state.nodes.set(type, node);
      for (const branch of (type as avro.types.UnwrappedUnionType).types) {
        const writer = compile(branch, state);
        if (writer === undefined) return undefined;
        branches.push(writer);
      }
      return node;
    }
    default:
      // Logical types (their JSON forms are the decoder's) and anything new.
      return undefined;
  }
}

/** Values in a row the WebAssembly writer gave up on before the JavaScript writer takes over for a while. */
const WASM_GIVE_UP_RUN = 4;
const JAVASCRIPT_ONLY_VALUES = 1000;

export type AvroJsonWriter = (payload: Buffer, start: number) => Uint8Array | undefined;

/**
 * A writer of the JSON text of messages in `type` (from `start` to the end of `payload`), or undefined when
 * the schema has logical types. The text is a fresh copy; undefined means "decode this one instead". The
 * WebAssembly writer (avro-json-wasm-writer.ts) goes first and hands anything it gives up on to this
 * module's JavaScript; `wasm: false` leaves it out (tests compare the two).
 */
export function compileAvroJsonWriter(
  type: AvroType,
  options: { readonly wasm?: boolean } = {},
): AvroJsonWriter | undefined {
  const root = compile(type, { nodes: new Map() });
  if (root === undefined) return undefined;
  const node: Node = root;
  const javascript: AvroJsonWriter = (payload, start) => {
    src = payload;
    pos = start;
    end = payload.length;
    at = 0;
    try {
      if (!node() || pos !== end) return undefined;
      const text = Buffer.allocUnsafe(at);
      out.copy(text, 0, 0, at);
      return text;
    } finally {
      src = EMPTY;
    }
  };
  const fast = options.wasm === false ? undefined : compileAvroJsonWasmWriter(type);
  if (fast === undefined) return javascript;
  // Data the C code keeps giving up on (say arrays of more than 256 doubles that need String(d), or values
  // nested deeper than 64) would be written twice: after a run of such values the JavaScript writer takes the
  // next ones on its own.
  let givenUp = 0;
  let javascriptOnly = 0;
  return (payload, start) => {
    if (javascriptOnly > 0) {
      javascriptOnly--;
      return javascript(payload, start);
    }
    const text = fast(payload, start);
    if (text !== undefined) {
      givenUp = 0;
      return text;
    }
    if (++givenUp === WASM_GIVE_UP_RUN) {
      givenUp = 0;
      javascriptOnly = JAVASCRIPT_ONLY_VALUES;
    }
    return javascript(payload, start);
  };
}

const EMPTY = Buffer.alloc(0);
