// Avro binary to JSON text in WebAssembly (wasm/avro-json.c): a schema compiles into a program of int32 words
// that the C code interprets. It writes the same text as the JavaScript writer (avro-json.ts), about twice as
// fast, and gives up (undefined) wherever that writer would give up, so the JavaScript writer stays the one that
// decides those. Doubles that need String(d) come back as holes, filled in here.
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

const GIVE_UP = -1;
const NO_ROOM = -2;

enum Op {
  Null = 0,
  Boolean = 1,
  Int = 2,
  Long = 3,
  Float = 4,
  Double = 5,
  String = 6,
  Bytes = 7,
  Fixed = 8,
  Enum = 9,
  Array = 10,
  Map = 11,
  Record = 12,
  Union = 13,
}

const SIMPLE: Readonly<Record<string, Op>> = {
  null: Op.Null,
  boolean: Op.Boolean,
  int: Op.Int,
  long: Op.Long,
  float: Op.Float,
  double: Op.Double,
  string: Op.String,
  bytes: Op.Bytes,
};

const wasm = instantiateWasm<AvroJsonExports>(AVRO_JSON_WASM_BASE64);
let memory = new Uint8Array(wasm.memory.buffer);
/**
 * A bump allocator: programs stay for the life of the process (one per schema a read meets), and the input and
 * output areas are replaced by larger ones when a value needs it.
 */
let top = heapStart(wasm);
let input = { at: 0, capacity: 0 };
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
      words.push(Op.Fixed, (type as avro.types.FixedType).size);
      return at;
    case 'enum': {
      const symbols = (type as avro.types.EnumType).symbols;
      words.push(Op.Enum, symbols.length);
      for (const symbol of symbols) text(Buffer.from(JSON.stringify(symbol)));
      return at;
    }
    case 'array':
    case 'map': {
      const inner =
        name === 'array'
          ? (type as avro.types.ArrayType).itemsType
          : ((type as avro.types.MapType).valuesType as AvroType);
      words.push(name === 'array' ? Op.Array : Op.Map, minWidthOf(inner), 0);
      program.nodes.set(type, at);
      const node = compileNode(inner, program);
      if (node === undefined) return undefined;
      words[at + 2] = node;
      return at;
    }
    case 'record':
    case 'error': {
      const fields = (type as avro.types.RecordType).fields;
      words.push(Op.Record, fields.length);
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
      words.push(Op.Union, branches.length, ...branches.map(() => 0));
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
    payload.copy(memory, input.at, start);
    for (;;) {
      const written = wasm.write_avro_json(base, 0, input.at, length, output.at, output.capacity);
      if (written >= 0) return withPatches(output.at, written);
      if (written === GIVE_UP) return undefined;
      if (written !== NO_ROOM) throw new Error(`the Avro JSON module answered ${written}`);
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
