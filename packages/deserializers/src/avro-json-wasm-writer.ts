// Avro binary to JSON text in WebAssembly (wasm/avro-json.c): a schema compiles into a program of int32 words
// that the C code interprets. It writes the same text as the JavaScript writer (avro-json.ts) in about 60% of
// its time, and gives up (undefined) wherever that writer would give up, so the JavaScript writer stays the one
// that decides those. Doubles that need String(d) come back as holes, filled in here. Memory: one program per
// schema compiled, kept for the life of the process, and input and output areas that double when a value
// needs more (the ones they replace are not reused, so at most as much again stays behind).
import type avro from 'avsc';
import { minWidthOf } from './avro.js';
import { AVRO_JSON_WASM_BASE64 } from './avro-json-wasm.js';
import { growTo, heapStart, instantiateWasm } from './wasm-module.js';

type AvroType = avro.Type;

interface AvroJsonExports {
  write_avro_json(
    program: number,
    root: number,
    input: number,
    length: number,
    output: number,
    capacity: number,
  ): number;
  patch_list(): number;
  patch_total(): number;
}

/** What write_avro_json answers besides a length: -1 (give up) is any other negative. */
const NO_ROOM = -2;

/** The operations of a program, numbered as wasm/avro-json.c's enum numbers them (a test compares the two). */
export const AVRO_JSON_OPS = {
  NUL: 0,
  BOOLEAN: 1,
  INT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  STRING: 6,
  BYTES: 7,
  FIXED: 8,
  ENUM: 9,
  ARRAY: 10,
  MAP: 11,
  RECORD: 12,
  UNION: 13,
} as const;
const Op = AVRO_JSON_OPS;

const SIMPLE: Readonly<Record<string, number>> = {
  null: Op.NUL,
  boolean: Op.BOOLEAN,
  int: Op.INT,
  long: Op.LONG,
  float: Op.FLOAT,
  double: Op.DOUBLE,
  string: Op.STRING,
  bytes: Op.BYTES,
};

const wasm = instantiateWasm<AvroJsonExports>(AVRO_JSON_WASM_BASE64, [
  'write_avro_json',
  'patch_list',
  'patch_total',
]);
let memory = new Uint8Array(wasm.memory.buffer);
/**
 * A bump allocator: programs stay for the life of the process (one per schema a read meets), and the input and
 * output areas are replaced by larger ones when a value needs it.
 */
let top = heapStart(wasm);
let input = { at: 0, capacity: 0 };
/** Set after a trap. */
let broken = false;
let output = { at: 0, capacity: 0 };

function allocate(bytes: number): number {
  const at = (top + 15) & ~15;
  top = at + bytes;
  if (growTo(wasm.memory, top)) memory = new Uint8Array(wasm.memory.buffer);
  return at;
}

interface Program {
  readonly words: number[];
  /** Texts the program points at, and the words that hold each one's address. */
  readonly texts: { readonly bytes: Buffer; readonly word: number }[];
  readonly nodes: Map<AvroType, number>;
}

/** Appends `type`'s node and returns its index, or undefined for a type the C code does not handle. */
function compileNode(type: AvroType, program: Program): number | undefined {
  const known = program.nodes.get(type);
  if (known !== undefined) return known;
  const { words, texts } = program;
  const at = words.length;
  const name = type.typeName;
  const simple = SIMPLE[name];
  if (simple !== undefined) {
    words.push(simple);
    return at;
  }
  const text = (bytes: Buffer): void => {
    texts.push({ bytes, word: words.length });
    words.push(0, bytes.length);
  };
  switch (name) {
    case 'fixed':
      words.push(Op.FIXED, (type as avro.types.FixedType).size);
      return at;
    case 'enum': {
      const symbols = (type as avro.types.EnumType).symbols;
      words.push(Op.ENUM, symbols.length);
      for (const symbol of symbols) text(Buffer.from(JSON.stringify(symbol)));
      return at;
    }
    case 'array':
    case 'map': {
      const inner =
        name === 'array'
          ? (type as avro.types.ArrayType).itemsType
          : ((type as avro.types.MapType).valuesType as AvroType);
      words.push(name === 'array' ? Op.ARRAY : Op.MAP, minWidthOf(inner), 0);
      program.nodes.set(type, at);
      const node = compileNode(inner, program);
      if (node === undefined) return undefined;
      words[at + 2] = node;
      return at;
    }
    case 'record':
    case 'error': {
      const fields = (type as avro.types.RecordType).fields;
      words.push(Op.RECORD, fields.length);
      fields.forEach((field, i) => {
        text(Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(field.name)}:`));
        words.push(0);
      });
      program.nodes.set(type, at);
      for (let i = 0; i < fields.length; i++) {
        const node = compileNode(fields[i]!.type, program);
        if (node === undefined) return undefined;
        words[at + 2 + 3 * i + 2] = node;
      }
      return at;
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = (type as avro.types.UnwrappedUnionType).types;
      words.push(Op.UNION, branches.length, ...branches.map(() => 0));
      program.nodes.set(type, at);
      for (let i = 0; i < branches.length; i++) {
        const node = compileNode(branches[i]!, program);
        if (node === undefined) return undefined;
        words[at + 2 + i] = node;
      }
      return at;
    }
    default:
      return undefined;
  }
}

export type AvroJsonWasmWriter = (payload: Buffer, start: number) => Uint8Array | undefined;

/** A writer for `type` in WebAssembly, or undefined when the schema holds a type the C code does not handle. */
export function compileAvroJsonWasmWriter(type: AvroType): AvroJsonWasmWriter | undefined {
  const program: Program = { words: [], texts: [], nodes: new Map() };
  if (compileNode(type, program) !== 0) return undefined;
  for (const { bytes, word } of program.texts) {
    const at = allocate(bytes.length);
    memory.set(bytes, at);
    program.words[word] = at;
  }
  const base = allocate(program.words.length * 4);
  new Int32Array(wasm.memory.buffer, base, program.words.length).set(program.words);
  return (payload, start) => {
    const length = payload.length - start;
    if (length > input.capacity) input = area(Math.max(length, input.capacity * 2, 64 * 1024));
    if (output.capacity === 0) output = area(256 * 1024);
    if (broken) return undefined;
    payload.copy(memory, input.at, start);
    for (;;) {
      let written: number;
      try {
        written = wasm.write_avro_json(base, 0, input.at, length, output.at, output.capacity);
      } catch {
        // A trap leaves the module in an unknown state: the JavaScript writer takes every value from here on.
        broken = true;
        return undefined;
      }
      if (written >= 0) return withPatches(output.at, written);
      if (written !== NO_ROOM) return undefined;
      output = area(output.capacity * 2);
    }
  };
}

const PATCH_BYTES = 16;

/** The output as text, with String(d) written into each hole the C code left. */
function withPatches(at: number, written: number): Buffer {
  const holes = wasm.patch_total();
  if (holes === 0) {
    const text = Buffer.allocUnsafe(written);
    text.set(memory.subarray(at, at + written));
    return text;
  }
  const list = wasm.patch_list();
  const words = new Uint32Array(wasm.memory.buffer, list, holes * (PATCH_BYTES / 4));
  const values = new Float64Array(wasm.memory.buffer, list, holes * (PATCH_BYTES / 8));
  const numbers: string[] = [];
  let extra = 0;
  for (let h = 0; h < holes; h++) {
    const number = String(values[2 * h + 1]);
    numbers.push(number);
    extra += number.length;
  }
  const text = Buffer.allocUnsafe(written + extra);
  let from = 0;
  let to = 0;
  for (let h = 0; h < holes; h++) {
    const hole = words[4 * h]!;
    text.set(memory.subarray(at + from, at + hole), to);
    to += hole - from;
    to += text.write(numbers[h]!, to, 'latin1');
    from = hole;
  }
  text.set(memory.subarray(at + from, at + written), to);
  return text;
}

function area(capacity: number): { at: number; capacity: number } {
  return { at: allocate(capacity), capacity };
}
