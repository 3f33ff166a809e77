import { describe, expect, it } from 'vitest';
import { createAvroDecoder, parseAvroSchemas } from './avro.js';
import { compileAvroJsonWriter, numberText } from './avro-json.js';
import { parseExactJson } from './exact-json.js';

const schemas = {
  order: {
    type: 'record',
    name: 'Order',
    namespace: 'test',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'n', type: 'int' },
      { name: 'ok', type: 'boolean' },
      { name: 'f', type: 'float' },
      { name: 'd', type: 'double' },
      { name: 's', type: 'string' },
      { name: 'b', type: 'bytes' },
      { name: 'fx', type: { type: 'fixed', name: 'Four', size: 4 } },
      { name: 'e', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'm', type: { type: 'map', values: 'long' } },
      { name: 'opt', type: ['null', 'string'] },
      { name: 'multi', type: ['null', 'int', 'string', { type: 'array', items: 'double' }] },
      { name: 'nested', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'null' }] } },
    ],
  },
  recursive: {
    type: 'record',
    name: 'Node',
    fields: [
      { name: 'value', type: 'int' },
      { name: 'children', type: { type: 'array', items: 'Node' } },
    ],
  },
};

function both(schema: unknown) {
  const type = parseAvroSchemas([], JSON.stringify(schema));
  const writer = compileAvroJsonWriter(type);
  if (writer === undefined) throw new Error('no writer');
  const decoder = createAvroDecoder(type);
  return { type, writer, decoder };
}

const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');

describe('Avro binary to JSON text', () => {
  it('writes the same JSON as the decoder for random values of each schema', () => {
    const { type, writer, decoder } = both(schemas.order);
    for (let i = 0; i < 1000; i++) {
      const payload = Buffer.concat([Buffer.from([9, 9]), type.toBuffer(type.random())]);
      const json = text(writer(payload, 2));
      expect(json).toBeDefined();
      expect(parseExactJson(json!)).toEqual(decoder.decode(payload.subarray(2)));
      expect(() => JSON.parse(json!)).not.toThrow();
    }
    const tree = both(schemas.recursive);
    const value = {
      value: 1,
      children: [
        { value: 2, children: [] },
        { value: 3, children: [{ value: 4, children: [] }] },
      ],
    };
    const payload = tree.type.toBuffer(value);
    expect(JSON.parse(text(tree.writer(payload, 0))!)).toEqual(tree.decoder.decode(payload));
  });

  it('keeps longs beyond 2^53 exact, escapes strings, and writes unions as their branch value', () => {
    const { type, writer } = both(schemas.order);
    const payload = type.toBuffer({
      id: 1,
      n: -5,
      ok: true,
      f: 0.5,
      d: -1.25e-7,
      s: 'say "hé"\n\u2028',
      b: Buffer.from([0, 255]),
      fx: Buffer.from('abcd'),
      e: 'GREEN',
      tags: [],
      m: JSON.parse('{"__proto__":1,"a":0}'),
      opt: 'x',
      multi: [1.5],
      nested: { x: null },
    });
    const json = text(writer(payload, 0))!;
    expect(json.startsWith('{"id":1,"n":-5,"ok":true,"f":0.5,"d":-1.25e-7,')).toBe(true);
    // 2^63 - 1 and -2^63 as zigzag varints.
    const long = both({ type: 'array', items: 'long' });
    const big = Buffer.from([4, 0xfe, ...Array(8).fill(0xff), 0x01, 0xff, ...Array(8).fill(0xff), 0x01, 0]);
    expect(text(long.writer(big, 0))).toBe('[9223372036854775807,-9223372036854775808]');
    expect(json).toContain('"s":"say \\"hé\\"\\n\u2028"');
    expect(json).toContain('"b":"AP8="');
    expect(json).toContain('"m":{"__proto__":1,"a":0}');
    expect(json).toContain('"opt":"x","multi":[1.5]');
    expect(json).toContain('"nested":{"x":null}}');
  });

  it('gives up where the decoder must answer: bad bytes, NaN, invalid UTF-8', () => {
    const { type, writer } = both({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'd', type: 'double' },
        { name: 's', type: 'string' },
      ],
    });
    const good = type.toBuffer({ d: 1, s: 'ok' });
    expect(text(writer(good, 0))).toBe('{"d":1,"s":"ok"}');
    expect(writer(good.subarray(0, good.length - 1), 0)).toBeUndefined();
    expect(writer(Buffer.concat([good, Buffer.from([0])]), 0)).toBeUndefined();
    expect(writer(type.toBuffer({ d: Number.NaN, s: '' }), 0)).toBeUndefined();
    const badUtf8 = Buffer.concat([Buffer.alloc(8), Buffer.from([4, 0xc3, 0x28])]);
    expect(writer(badUtf8, 0)).toBeUndefined();
    const hugeBlock = both({ type: 'array', items: 'long' });
    expect(hugeBlock.writer(Buffer.from([0xfe, 0xff, 0xff, 0x0f, 0]), 0)).toBeUndefined();
  });

  it('has no writer for schemas with logical types', () => {
    const type = parseAvroSchemas(
      [],
      JSON.stringify({
        type: 'record',
        name: 'T',
        fields: [{ name: 't', type: { type: 'long', logicalType: 'timestamp-millis' } }],
      }),
    );
    expect(compileAvroJsonWriter(type)).toBeUndefined();
  });
});

describe('numbers in Avro JSON text', () => {
  it('spells every finite double as String() does', () => {
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const view = new DataView(new ArrayBuffer(8));
    const samples: number[] = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.2 + 0.1,
      1e-6,
      9.99e-7,
      1e-7,
      123456789012345,
      999999999999999,
      1e15,
      1e21,
      2 ** 53,
      2 ** 53 - 1,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      5e-324,
      0.000001234,
      1.5e-5,
      48.007,
      11.007,
      Math.fround(0.1),
      Math.fround(2.5e-3),
      0.30000000000000004,
      1 / 3,
    ];
    for (let i = 0; i < 100_000; i++) {
      // Short decimals (the common case), random doubles, floats, and raw bit patterns.
      const digits = Math.floor(random() * 16);
      const scale = 10 ** Math.floor(random() * 12);
      samples.push(Math.round(random() * 10 ** digits) / scale);
      samples.push((random() - 0.5) * 10 ** Math.floor(random() * 30 - 10));
      samples.push(Math.fround((random() - 0.5) * 1000));
      view.setUint32(0, (random() * 2 ** 32) >>> 0);
      view.setUint32(4, (random() * 2 ** 32) >>> 0);
      const raw = view.getFloat64(0);
      if (Number.isFinite(raw)) samples.push(raw);
    }
    const wrong = samples.filter((d) => numberText(d) !== String(d));
    expect(wrong.slice(0, 5).map((d) => [String(d), numberText(d)])).toEqual([]);
    expect(samples.length).toBeGreaterThan(350_000);
  });
});
