import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAvroSchemas } from './avro.js';
import { compileAvroJsonWriter } from './avro-json.js';
import { AVRO_JSON_OPS, compileAvroJsonWasmWriter } from './avro-json-wasm-writer.js';
import { JSON_SCAN_WASM_BASE64 } from './json-scan-wasm.js';
import { instantiateWasm } from './wasm-module.js';

const everyType = {
  type: 'record',
  name: 'Every',
  fields: [
    { name: 'l', type: 'long' },
    { name: 'i', type: 'int' },
    { name: 'b', type: 'boolean' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 's', type: 'string' },
    { name: 'by', type: 'bytes' },
    { name: 'fx', type: { type: 'fixed', name: 'Five', size: 5 } },
    { name: 'e', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'a', type: { type: 'array', items: 'string' } },
    { name: 'm', type: { type: 'map', values: 'long' } },
    { name: 'u', type: ['null', 'string', 'double', { type: 'array', items: 'int' }] },
    { name: 'n', type: 'null' },
    { name: 'empty', type: { type: 'record', name: 'Empty', fields: [] } },
    {
      name: 'inner',
      type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: ['null', 'Inner'] }] },
    },
  ],
};

function writers(schema: unknown) {
  const type = parseAvroSchemas([], JSON.stringify(schema));
  const wasm = compileAvroJsonWasmWriter(type);
  const javascript = compileAvroJsonWriter(type, { wasm: false });
  if (wasm === undefined || javascript === undefined) throw new Error('no writer');
  return { type, wasm, javascript };
}

const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString();

let seed = 0x1234567;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x80000000;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Strings with what JSON escapes, non-ASCII, U+FFFD, and runs long enough for the 16-byte steps. */
function randomString(): string {
  const pieces = [
    'a',
    'plain text ',
    '"',
    '\\',
    '\n',
    '\t',
    '\u0001',
    '\u001f',
    '\u007f',
    'é',
    '日本',
    '😀',
    '\u2028',
  ];
  if (random() < 0.02) pieces.push('\ufffd');
  let s = '';
  const n = Math.floor(random() * 12);
  for (let k = 0; k < n; k++) s += random() < 0.5 ? 'x'.repeat(Math.floor(random() * 40)) : pick(pieces);
  return s;
}

function randomValue(i: number) {
  const map: Record<string, number> = {};
  for (let k = 0; k < Math.floor(random() * 4); k++) map[randomString()] = Math.floor(random() * 1e6) - 5e5;
  return {
    l: i % 7 === 0 ? -(2 ** 52) + i : Math.floor((random() - 0.5) * 2 ** 40),
    i: Math.floor((random() - 0.5) * 2 ** 31),
    b: random() < 0.5,
    // Short decimals (the C code's range), and now and then a double only String(d) spells. Most floats
    // widen to a double of 17 digits, which only String(d) spells: here they are quarters, which widen exactly.
    f: random() < 0.95 ? Math.round(random() * 1e5) / 4 : Math.fround(random()),
    d: random() < 0.95 ? Math.round((random() - 0.5) * 1e9) / 10 ** Math.floor(random() * 8) : random(),
    s: randomString(),
    by: Buffer.from(Array.from({ length: Math.floor(random() * 9) }, () => Math.floor(random() * 256))),
    fx: Buffer.from([1, 2, 3, 4, Math.floor(random() * 256)]),
    e: pick(['RED', 'GREEN', 'BLUE']),
    a: Array.from({ length: Math.floor(random() * 4) }, randomString),
    m: map,
    u: pick([null, randomString(), 0.25, [1, -2, 3]]),
    n: null,
    empty: {},
    inner: { x: random() < 0.5 ? null : { x: { x: null } } },
  };
}

describe('Avro to JSON text in WebAssembly', () => {
  it('writes what the JavaScript writer writes, or leaves the value to it', () => {
    const { type, wasm, javascript } = writers(everyType);
    let written = 0;
    for (let i = 0; i < 3000; i++) {
      const payload = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), type.toBuffer(randomValue(i))]);
      const fast = wasm(payload, 5);
      const expected = javascript(payload, 5);
      if (fast !== undefined) {
        written++;
        expect(text(fast), String(i)).toBe(text(expected));
      }
    }
    // Most values are within its range; the rest hold a double only String(d) spells, or U+FFFD.
    expect(written).toBeGreaterThan(2000);
  });

  it('never writes text for bytes the JavaScript writer gives up on, nor different text', () => {
    const { type, wasm, javascript } = writers(everyType);
    let gaveUp = 0;
    for (let i = 0; i < 5000; i++) {
      const payload = Buffer.from(type.toBuffer(randomValue(i)));
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++)
        payload[Math.floor(random() * payload.length)] = Math.floor(random() * 256);
      const cut = random() < 0.2 ? payload.subarray(0, Math.floor(random() * payload.length)) : payload;
      const fast = wasm(cut, 0);
      const expected = javascript(cut, 0);
      if (expected === undefined) gaveUp++;
      if (fast !== undefined) expect(text(fast), String(i)).toBe(text(expected));
    }
    expect(gaveUp).toBeGreaterThan(500);
  });

  it('gives up where the decoder must answer: NaN, invalid UTF-8, a map key seen twice, trailing bytes', () => {
    const { type, wasm } = writers({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'd', type: 'double' },
        { name: 's', type: 'string' },
        { name: 'm', type: { type: 'map', values: 'int' } },
      ],
    });
    const ok = type.toBuffer({ d: 1.5, s: 'é', m: { a: 1 } });
    expect(text(wasm(ok, 0))).toBe('{"d":1.5,"s":"é","m":{"a":1}}');
    expect(wasm(type.toBuffer({ d: Number.NaN, s: '', m: {} }), 0)).toBeUndefined();
    const invalid = Buffer.from(type.toBuffer({ d: 1, s: 'é', m: {} }));
    invalid[9] = 0xff; // the second byte of é
    expect(wasm(invalid, 0)).toBeUndefined();
    // One block of two entries, both "a".
    const twice = Buffer.concat([
      Buffer.from(type.toBuffer({ d: 1, s: '', m: {} }).subarray(0, 9)),
      Buffer.from([4, 2, 0x61, 2, 2, 0x61, 4, 0]),
    ]);
    expect(wasm(twice, 0)).toBeUndefined();
    expect(wasm(Buffer.concat([ok, Buffer.from([0])]), 0)).toBeUndefined();
  });

  it('writes every digit of longs beyond 2^53, as the JavaScript writer does', () => {
    const { wasm, javascript } = writers({
      type: 'record',
      name: 'L',
      fields: [{ name: 'l', type: 'long' }],
    });
    const cases = [
      [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^63 - 1
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // -2^63
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02], // 2^56
    ].map((bytes) => Buffer.from(bytes));
    expect(cases.map((payload) => text(wasm(payload, 0)))).toEqual([
      '{"l":9223372036854775807}',
      '{"l":-9223372036854775808}',
      '{"l":72057594037927936}',
    ]);
    for (const payload of cases) expect(text(wasm(payload, 0))).toBe(text(javascript(payload, 0)));
  });

  it('leaves doubles that need String(d) as holes and fills them in, up to its patch list, then gives up', () => {
    const { type, wasm, javascript } = writers({ type: 'array', items: 'double' });
    const thirds = (n: number) => type.toBuffer(Array.from({ length: n }, (_, i) => (3 * i + 1) / 3));
    const some = thirds(10);
    expect(text(wasm(some, 0))).toBe(JSON.stringify(Array.from({ length: 10 }, (_, i) => (3 * i + 1) / 3)));
    expect(text(wasm(some, 0))).toBe(text(javascript(some, 0)));
    const tiny = type.toBuffer([1e-7, 5e-324, 1e21, -1.5e300, 0.1 + 0.2]);
    expect(text(wasm(tiny, 0))).toBe('[1e-7,5e-324,1e+21,-1.5e+300,0.30000000000000004]');
    // More holes than the list holds: the JavaScript writer takes the value.
    const many = thirds(300);
    expect(wasm(many, 0)).toBeUndefined();
    expect(text(javascript(many, 0))).toBe(
      JSON.stringify(Array.from({ length: 300 }, (_, i) => (3 * i + 1) / 3)),
    );
  });

  it('leaves values nested deeper than its stack allows to the JavaScript writer, and goes on writing', () => {
    const { type, wasm, javascript } = writers({
      type: 'record',
      name: 'Link',
      fields: [
        { name: 'v', type: 'int' },
        { name: 'next', type: ['null', 'Link'] },
      ],
    });
    const chain = (n: number): unknown => (n === 0 ? { v: 0, next: null } : { v: n, next: chain(n - 1) });
    const deep = type.toBuffer(chain(200));
    expect(wasm(deep, 0)).toBeUndefined();
    expect(JSON.parse(text(javascript(deep, 0))!)).toEqual(chain(200));
    const shallow = type.toBuffer(chain(20));
    expect(text(wasm(shallow, 0))).toBe(text(javascript(shallow, 0)));
  });

  it('sees a map key twice even when its length is spelled in more bytes than needed', () => {
    const { wasm, javascript } = writers({ type: 'map', values: 'int' });
    // One block of two entries: "a" with its length as 0x02, then "a" with its length as 0x82 0x00.
    const payload = Buffer.from([4, 2, 0x61, 2, 0x82, 0x00, 0x61, 4, 0]);
    expect(wasm(payload, 0)).toBeUndefined();
    expect(javascript(payload, 0)).toBeUndefined();
  });

  it('numbers its operations as the C code does', () => {
    const source = readFileSync(new URL('../wasm/avro-json.c', import.meta.url), 'utf8');
    const names = /enum \{ ([A-Z_, ]+) \};/.exec(source)?.[1]?.split(', ');
    expect(names).toEqual(Object.keys(AVRO_JSON_OPS));
    expect(Object.values(AVRO_JSON_OPS)).toEqual(names?.map((_, i) => i));
  });

  it('grows its output for a value whose text outgrows it', () => {
    const { type, wasm, javascript } = writers({
      type: 'record',
      name: 'Big',
      fields: [{ name: 's', type: 'string' }],
    });
    const payload = type.toBuffer({ s: '\u0001'.repeat(200_000) });
    const fast = wasm(payload, 0);
    expect(fast?.length).toBe(200_000 * 6 + 8);
    expect(text(fast)).toBe(text(javascript(payload, 0)));
  });
});

describe('the WebAssembly modules', () => {
  it('refuses a module without a function the package calls, naming it', () => {
    expect(() => instantiateWasm<{ scan(): number }>(JSON_SCAN_WASM_BASE64, ['scan'])).not.toThrow();
    expect(() => instantiateWasm<{ absent(): number }>(JSON_SCAN_WASM_BASE64, ['absent'])).toThrow(
      expect.objectContaining({ code: 'WASM_EXPORT_MISSING', exportName: 'absent' }),
    );
  });
});
