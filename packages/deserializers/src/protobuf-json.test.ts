import Long from 'long';
import protobuf from 'protobufjs';
import descriptorExtension from 'protobufjs/ext/descriptor/index.js';
import { describe, expect, it } from 'vitest';
import { collectNulled } from './nulled.js';
import { messageToJson, parseProtobufSchema } from './protobuf.js';
import { compileProtobufJsonWriter, GIVE_UP_RUN, RESTING_MESSAGES } from './protobuf-json.js';

const everyType = `syntax = "proto3";
package t;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";

enum Color { RED = 0; GREEN = 1; BLUE = 5; }
message Inner { string s = 1; int64 n = 2; repeated Inner children = 3; Color c = 4; }
message All {
  double d = 1; float f = 2; int32 i32 = 3; uint32 u32 = 4; sint32 s32 = 5; fixed32 fx32 = 6;
  sfixed32 sfx32 = 7; int64 i64 = 8; uint64 u64 = 9; sint64 s64 = 10; fixed64 fx64 = 11;
  sfixed64 sfx64 = 12; bool b = 13; string s = 14; bytes by = 15; Color color = 16; Inner inner = 17;
  repeated int32 ri32 = 18; repeated double rd = 19; repeated string rs = 20; repeated Inner rinner = 21;
  repeated Color rcolor = 22; repeated sint64 rs64 = 23; repeated bool rb = 24; repeated bytes rby = 25;
  map<string, int64> counts = 26; map<string, Inner> inners = 27; map<string, Color> colors = 28;
  optional string maybe = 29;
  oneof choice { string text = 30; Inner node = 31; int32 number = 32; }
  google.protobuf.Timestamp at = 33; google.protobuf.Duration took = 34;
  google.protobuf.Int64Value big = 35; google.protobuf.StringValue label = 36;
  google.protobuf.DoubleValue ratio = 37; google.protobuf.BoolValue flag = 38;
  google.protobuf.BytesValue blob = 39; google.protobuf.UInt32Value small = 40;
  string snake_case_name = 41;
  int32 declared_last_numbered_first = 0x7ffff;
}
`;

const { root } = parseProtobufSchema(everyType, []);
const All = root.lookupType('t.All');

/** The reference: protobufjs's decoder and messageToJson, in JSON text with bigints as numbers. */
function reference(type: protobuf.Type, bytes: Buffer): string | undefined {
  const nulled: string[] = [];
  let json: unknown;
  try {
    json = collectNulled(nulled, () => messageToJson(type, type.decode(bytes) as never));
  } catch {
    return undefined;
  }
  if (nulled.length > 0) return undefined;
  return JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(
    /"@@(-?\d+)@@"/g,
    '$1',
  );
}

function writerFor(type: protobuf.Type) {
  const writer = compileProtobufJsonWriter(type, { rest: false });
  if (writer === undefined) throw new Error(`no writer for ${type.fullName}`);
  return (bytes: Buffer): string | undefined => {
    // Behind a frame, as in a Kafka message: the writer starts where the message does.
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 7, 0]), bytes]);
    const text = writer(framed, 6);
    return text === undefined ? undefined : Buffer.from(text).toString('utf8');
  };
}

/** A seeded generator, so a failure names a case that can be run again. */
function generator(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const strings = [
    '',
    'plain',
    'qu"ote',
    'back\\slash',
    'tab\t',
    'ünï©ødé',
    '😀',
    'new\nline',
    '1',
    '__proto__',
    'x'.repeat(80),
  ];
  const scalar = (type: string): unknown => {
    switch (type) {
      case 'double':
        return pick([
          0,
          -0,
          1.5,
          -2.25,
          0.1,
          1e-7,
          1e21,
          123456789.123,
          Number.MAX_VALUE,
          next() * 1e6 - 5e5,
        ]);
      case 'float':
        return pick([0, 1.5, 0.1, -3.4e38, next() * 100]);
      case 'int32':
      case 'sint32':
      case 'sfixed32':
        return pick([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), int(1000) - 500]);
      case 'uint32':
      case 'fixed32':
        return pick([0, 1, 2 ** 32 - 1, int(100000)]);
      case 'int64':
      case 'sint64':
      case 'sfixed64':
        return pick([
          Long.ZERO,
          Long.fromNumber(-1),
          Long.MAX_VALUE,
          Long.MIN_VALUE,
          Long.fromNumber(2 ** 53),
          Long.fromNumber(-(2 ** 53)),
          Long.fromNumber(2 ** 49),
          Long.fromNumber(int(1e9) - 5e8),
        ]);
      case 'uint64':
      case 'fixed64':
        return pick([
          Long.UZERO,
          Long.MAX_UNSIGNED_VALUE,
          Long.fromNumber(2 ** 53, true),
          Long.fromNumber(int(1e9), true),
        ]);
      case 'bool':
        return next() < 0.5;
      case 'string':
        return pick(strings);
      case 'bytes':
        return Buffer.from(Array.from({ length: int(6) }, () => int(256)));
      default:
        throw new Error(type);
    }
  };
  const timestamp = () => ({
    seconds: Long.fromNumber(pick([0, 1_700_000_000, -62_135_596_800, 253_402_300_799, 1e12])),
    nanos: pick([0, 1, 500_000_000, 999_999_999, 1_000_000_000]),
  });
  const randomValue = (field: protobuf.Field, depth: number): unknown => {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) return pick([0, 1, 5, 7]);
    if (resolved instanceof protobuf.Type) {
      const name = resolved.fullName;
      if (name === '.google.protobuf.Timestamp' || name === '.google.protobuf.Duration') return timestamp();
      return message(resolved, depth + 1);
    }
    return scalar(field.type);
  };
  const message = (type: protobuf.Type, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const field of type.fieldsArray) {
      if (next() < 0.3 || (depth > 3 && field.resolvedType instanceof protobuf.Type)) continue;
      if (field.map) {
        const entries: Record<string, unknown> = {};
        for (let k = int(4); k > 0; k--) entries[pick(strings.slice(0, 8))] = randomValue(field, depth);
        out[field.name] = entries;
      } else if (field.repeated) {
        out[field.name] = Array.from({ length: int(4) }, () => randomValue(field, depth));
      } else {
        out[field.name] = randomValue(field, depth);
      }
    }
    return out;
  };
  return { next, int, message };
}

function encode(type: protobuf.Type, object: Record<string, unknown>): Buffer {
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

/** Hand-built wire bytes: tags and values in any order and form. */
function wire(build: (w: protobuf.Writer) => void): Buffer {
  const w = protobuf.Writer.create();
  build(w);
  return Buffer.from(w.finish());
}

describe('Protobuf binary to JSON text', () => {
  const write = writerFor(All);

  it('writes what the decoder and its JSON mapping give, for random messages of every field type', () => {
    let written = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const bytes = encode(All, generator(seed).message(All, 0));
      const expected = reference(All, bytes);
      const text = write(bytes);
      if (text !== undefined) written++;
      // A message the writer gives up on is decoded instead: never a different answer.
      if (text !== undefined) expect(text, `seed ${seed}`).toBe(expected);
    }
    // Map keys repeat, are numbers or "__proto__", NaN and out-of-range timestamps occur: most still qualify.
    expect(written).toBeGreaterThan(1000);
  });

  it('never answers differently from the decoder on damaged bytes', () => {
    let checked = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const g = generator(seed);
      const bytes = encode(All, g.message(All, 0));
      if (bytes.length === 0) continue;
      const damaged = Buffer.from(bytes);
      const how = g.int(4);
      if (how === 0) damaged[g.int(damaged.length)] = g.int(256);
      const cut = how === 1 ? damaged.subarray(0, g.int(damaged.length)) : damaged;
      const from = g.int(cut.length);
      // A copy of some of the message after it: fields again, perhaps cut through a value.
      const tail =
        how === 2
          ? Buffer.from([g.int(256), g.int(256), g.int(256)])
          : how === 3
            ? cut.subarray(from, from + g.int(cut.length - from + 1))
            : Buffer.alloc(0);
      const input = Buffer.concat([cut, tail]);
      const text = write(input);
      if (text !== undefined) {
        expect(text, `seed ${seed}`).toBe(reference(All, input));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('writes maps read from a descriptor (entry messages, any key type) as the decoder does', () => {
    // protobufjs writes the descriptor; the form is the one confluent-kafka-python registers.
    const parsed = protobuf.parse(
      `syntax = "proto3"; package d; enum Kind { NONE = 0; SOME = 1; }
      message Val { string s = 1; sint64 n = 2; }
      message M { map<string, sint64> by_name = 1; map<int32, Val> by_int = 2; map<bool, Kind> by_flag = 3;
        map<sint64, string> by_zig = 4; map<uint64, double> by_big = 5; map<fixed32, bytes> by_fixed = 6;
        string tail = 7; }`,
      { keepCase: true },
    ).root;
    parsed.resolveAll();
    const file = (parsed as unknown as { toDescriptor(s: string): { file: unknown[] } }).toDescriptor(
      'proto3',
    ).file[0];
    const files = descriptorExtension as unknown as { FileDescriptorProto: protobuf.Type };
    const base64 = Buffer.from(files.FileDescriptorProto.encode(file as protobuf.Message).finish()).toString(
      'base64',
    );
    const M = parseProtobufSchema(base64, []).root.lookupType('d.M');
    const writeM = writerFor(M);
    let written = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const bytes = encode(M, generator(seed).message(M, 0));
      const text = writeM(bytes);
      if (text === undefined) continue;
      written++;
      expect(text, `seed ${seed}`).toBe(reference(M, bytes));
    }
    expect(written).toBeGreaterThan(100);
    const negativeKeys = wire((w) => {
      w.uint32((2 << 3) | 2)
        .fork()
        .uint32(8)
        .int32(-3)
        .uint32(18)
        .fork()
        .uint32(10)
        .string('v')
        .ldelim()
        .ldelim();
      w.uint32((4 << 3) | 2)
        .fork()
        .uint32(8)
        .sint64(-7)
        .ldelim(); // no value: the entry's empty string
      w.uint32((3 << 3) | 2)
        .fork()
        .ldelim(); // an empty entry: key false, value NONE
    });
    expect(writeM(negativeKeys)).toBe(reference(M, negativeKeys));
    expect(JSON.parse(writeM(negativeKeys)!)).toMatchObject({
      byInt: { '-3': { s: 'v', n: 0 } },
      byZig: { '-7': '' },
      byFlag: { false: 'NONE' },
    });
  });

  it('puts fields in declaration order whatever order they arrive in, the last of a repeated singular field winning', () => {
    const bytes = wire((w) => {
      w.uint32((14 << 3) | 2).string('second');
      w.uint32((3 << 3) | 0).int32(-7); // a negative int32: ten bytes on the wire
      w.uint32((18 << 3) | 0).int32(1); // repeated, unpacked ...
      w.uint32((14 << 3) | 2).string('last wins');
      w.uint32((18 << 3) | 2)
        .fork()
        .int32(2)
        .int32(3)
        .ldelim(); // ... then packed, both in one list
      w.uint32((999 << 3) | 2).string('an unknown field'); // skipped, as the decoder does
      w.uint32((17 << 3) | 2)
        .fork()
        .uint32((1 << 3) | 2)
        .string('first')
        .ldelim();
      w.uint32((17 << 3) | 2)
        .fork()
        .uint32((2 << 3) | 0)
        .int64(5)
        .ldelim(); // replaces, not merges
    });
    const text = write(bytes);
    expect(text).toBe(reference(All, bytes));
    const json = JSON.parse(text!);
    expect(json.i32).toBe(-7);
    expect(json.s).toBe('last wins');
    expect(json.ri32).toEqual([1, 2, 3]);
    expect(json.inner).toEqual({ s: '', n: 5, children: [], c: 'RED' });
    expect(Object.keys(json).slice(0, 3)).toEqual(['d', 'f', 'i32']);
    expect(json).not.toHaveProperty('maybe');
    expect(json).not.toHaveProperty('text');
  });

  it('gives up on what the decoder reads differently or refuses', () => {
    const cases: Record<string, Buffer> = {
      'wrong wire type': wire((w) => w.uint32((14 << 3) | 0).int32(1)),
      'field number 0': wire((w) => w.uint32(0).int32(1)),
      group: wire((w) => w.uint32((99 << 3) | 3).uint32((99 << 3) | 4)),
      'truncated string': wire((w) => w.uint32((14 << 3) | 2).string('abcdef')).subarray(0, 4),
      'a six-byte varint for an int32': Buffer.from([3 << 3, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]),
      // The decoder reads every occurrence of a singular field, even those a later one replaces.
      'an earlier occurrence the decoder cannot read': Buffer.concat([
        Buffer.from([3 << 3, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]),
        wire((w) => w.uint32(3 << 3).int32(1)),
      ]),
      'an earlier wrapper the decoder cannot read': Buffer.concat([
        wire((w) =>
          w
            .uint32((38 << 3) | 2)
            .fork()
            .uint32(8)
            .uint64(2 ** 49)
            .ldelim(),
        ),
        wire((w) =>
          w
            .uint32((38 << 3) | 2)
            .fork()
            .uint32(8)
            .bool(true)
            .ldelim(),
        ),
      ]),
      'an earlier map value the decoder cannot read': wire((w) =>
        w
          .uint32((28 << 3) | 2)
          .fork()
          .uint32(10)
          .string('k')
          .uint32(16)
          .uint64(2 ** 49)
          .uint32(16)
          .int32(1)
          .ldelim(),
      ),
      'NaN double': wire((w) => w.uint32((1 << 3) | 1).double(Number.NaN)),
      'invalid UTF-8': Buffer.from([(14 << 3) | 2, 2, 0xc3, 0x28]),
      'repeated map key': wire((w) => {
        for (const n of [1, 2])
          w.uint32((26 << 3) | 2)
            .fork()
            .uint32(10)
            .string('k')
            .uint32(16)
            .int64(n)
            .ldelim();
      }),
      'numeric map key': wire((w) =>
        w
          .uint32((26 << 3) | 2)
          .fork()
          .uint32(10)
          .string('7')
          .ldelim(),
      ),
      'timestamp past 9999': wire((w) =>
        w
          .uint32((33 << 3) | 2)
          .fork()
          .uint32(8)
          .int64(1e12)
          .ldelim(),
      ),
      'packed doubles cut mid-value': wire((w) =>
        w
          .uint32((19 << 3) | 2)
          .fork()
          .fixed32(1)
          .fixed32(2)
          .fixed32(3)
          .ldelim(),
      ),
    };
    for (const [name, bytes] of Object.entries(cases)) expect(write(bytes), name).toBeUndefined();
  });

  it('leaves schemas it does not write to the decoder', () => {
    const schema = (body: string, imports = '') =>
      parseProtobufSchema(`syntax = "proto2";\npackage u;\n${imports}${body}`, []).root.lookupType('u.M');
    expect(compileProtobufJsonWriter(schema('message M { required int32 a = 1; }'))).toBeUndefined();
    expect(compileProtobufJsonWriter(schema('message M { map<int32, string> m = 1; }'))).toBeUndefined();
    expect(
      compileProtobufJsonWriter(
        schema(
          'message M { optional google.protobuf.Struct s = 1; }',
          'import "google/protobuf/struct.proto";\n',
        ),
      ),
    ).toBeUndefined();
    expect(compileProtobufJsonWriter(schema('message M { optional int32 a = 1; }'))).toBeDefined();
    // A schema's own google.protobuf types with other fields than Google's: the mapping goes by name.
    const own = (body: string) =>
      parseProtobufSchema(`syntax = "proto3";\npackage google.protobuf;\n${body}`, []).root.lookupType(
        'google.protobuf.X',
      );
    for (const body of [
      'message Timestamp { sint64 seconds = 1; int32 nanos = 2; } message X { Timestamp t = 1; }',
      'message Duration { int64 seconds = 1; sint32 nanos = 2; } message X { Duration d = 1; }',
      'message Int32Value { int32 v = 1; } message X { Int32Value w = 1; }',
      'message StringValue { bytes value = 1; } message X { StringValue w = 1; }',
    ]) {
      expect(compileProtobufJsonWriter(own(body)), body).toBeUndefined();
    }
    expect(
      compileProtobufJsonWriter(
        own('message Int32Value { int32 value = 1; } message X { Int32Value w = 1; }'),
      ),
    ).toBeDefined();
  });

  it('writes proto2 defaults as the decoder gives them', () => {
    const type = parseProtobufSchema(
      'syntax = "proto2";\npackage v;\nmessage M { optional int32 a = 1 [default = 42]; optional string s = 2 [default = "hi"]; optional double nan = 3 [default = nan]; }',
      [],
    ).root.lookupType('v.M');
    const writeM = writerFor(type);
    const withNan = wire((w) => w.uint32((3 << 3) | 1).double(1.5));
    expect(writeM(withNan)).toBe('{"a":42,"s":"hi","nan":1.5}');
    expect(writeM(withNan)).toBe(reference(type, withNan));
    // Absent, the NaN default is written null and named by the decoder: that one is the decoder's.
    expect(writeM(Buffer.alloc(0))).toBeUndefined();
  });

  it('leaves messages to the decoder for a while after a run it could not write, then writes again', () => {
    const writer = compileProtobufJsonWriter(All);
    if (writer === undefined) throw new Error('no writer');
    const good = encode(All, { s: 'ok' });
    const bad = wire((w) =>
      w
        .uint32((26 << 3) | 2)
        .fork()
        .uint32(10)
        .string('7')
        .ldelim(),
    );
    expect(writer(good, 0)).toBeDefined();
    for (let i = 0; i < GIVE_UP_RUN; i++) expect(writer(bad, 0)).toBeUndefined();
    for (let i = 0; i < RESTING_MESSAGES; i++) expect(writer(good, 0)).toBeUndefined();
    expect(Buffer.from(writer(good, 0)!).toString()).toBe(reference(All, good));
  });
});
