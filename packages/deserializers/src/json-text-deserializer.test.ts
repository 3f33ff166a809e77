import type { FormatConfig } from '@source-kafka/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { context } from '../test/helpers.js';
import { createDeserializer, createJsonTextDeserializer, JsonObjectMembers } from './create-deserializer.js';

const config = (format: FormatConfig['format']): FormatConfig => ({
  format,
  subjectNameStrategy: 'TopicNameStrategy',
  validateJsonSchema: false,
});

const jsonText = createJsonTextDeserializer(config('JSON'))!;
const jsonValue = createDeserializer(config('JSON'));
const stringText = createJsonTextDeserializer(config('STRING'))!;
const stringValue = createDeserializer(config('STRING'));

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const text = (out: unknown) => Buffer.from(out as Uint8Array).toString('utf8');

describe('JSON text path', () => {
  it('hands valid one-line JSON back as the very bytes it got, big integers and all', () => {
    const bytes = Buffer.from('{"id":1152921504606846977,"x":1.50,"y":1e2,"s":"é\\u00e9","a":[ 1 , -0 ]}');
    const out = jsonText(bytes, context);
    expect(out).toBe(bytes);
  });

  it('turns CR and LF between tokens into spaces, so the record stays on one line', () => {
    const out = jsonText(Buffer.from('{\r\n "a": [1,\n2]\n}\n'), context);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(text(out)).toBe('{   "a": [1, 2] } ');
  });

  it('gives null for a tombstone', () => {
    expect(jsonText(null, context)).toBeNull();
  });

  it('fails bad bytes with the decoding path error, which quotes no payload', () => {
    for (const bad of ['{"ssn":"123-45-6789"', 'SSN 123-45-6789', 'NaN', '{"a":Infinity}', '[1,]']) {
      const viaText = thrown(() => jsonText(Buffer.from(bad), context));
      const viaValue = thrown(() => jsonValue(Buffer.from(bad), context));
      expect(viaText.name).toBe('DeserializationError');
      expect(viaText.message).toBe(viaValue.message);
      expect((viaText as { code?: string }).code).toBe((viaValue as { code?: string }).code);
      expect(viaText.message).not.toContain('123-45');
    }
    const invalidUtf8 = Buffer.from([0x22, 0xc3, 0x28, 0x22]);
    expect(thrown(() => jsonText(invalidUtf8, context)).message).toBe(
      thrown(() => jsonValue(invalidUtf8, context)).message,
    );
  });

  it('leaves a leading BOM to the decoding path, which drops it', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    expect(jsonText(bytes, context)).toEqual({ a: 1 });
  });

  // A generous limit (below): the 200 generated cases can take seconds on a shared machine.
  it('accepts what the decoding path accepts, for any JSON text and any string', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const out = jsonText(Buffer.from(json), context);
        expect(out).toBeInstanceOf(Uint8Array);
        expect(JSON.parse(text(out))).toEqual(JSON.parse(json));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        let expected: unknown;
        try {
          expected = jsonValue(Buffer.from(s), context);
        } catch (error) {
          expect(thrown(() => jsonText(Buffer.from(s), context)).message).toBe((error as Error).message);
          return;
        }
        const out = jsonText(Buffer.from(s), context);
        const got = out instanceof Uint8Array ? JSON.parse(text(out)) : out;
        expect(got).toEqual(expected);
      }),
    );
  }, 60_000);
});

describe('JSON text path for flattened records', () => {
  const members = createJsonTextDeserializer(config('JSON'), { objectMembers: true })!;

  it('gives an object as the text of its members when no name could clash with the added fields', () => {
    const out = members(Buffer.from(' {\n "a": 1, "b": {"_c": 2} } '), context);
    expect(out).toBeInstanceOf(JsonObjectMembers);
    expect(text((out as JsonObjectMembers).bytes)).toBe('"a": 1, "b": {"_c": 2} ');
    const empty = members(Buffer.from('{ }'), context);
    expect((empty as JsonObjectMembers).bytes.length).toBe(0);
  });

  it('decodes an object with a name that starts with _ or holds an escape, and passes other JSON through', () => {
    expect(members(Buffer.from('{"a":1,"_kafka_offset":2}'), context)).toEqual({ a: 1, _kafka_offset: 2 });
    expect(members(Buffer.from('{"\\u005fkafka_key":2}'), context)).toEqual({ _kafka_key: 2 });
    const array = Buffer.from('[1,2]');
    expect(members(array, context)).toBe(array);
    expect(thrown(() => members(Buffer.from('{"a":'), context)).name).toBe('DeserializationError');
  });
});

describe('STRING text path', () => {
  it('quotes printable ASCII without decoding it', () => {
    expect(text(stringText(Buffer.from('k-12 /x'), context))).toBe('"k-12 /x"');
  });

  it('gives the decoded string where JSON needs escapes or the bytes are not ASCII', () => {
    for (const s of ['say "hi"', 'back\\slash', 'tab\there', 'é', '']) {
      const out = stringText(Buffer.from(s), context);
      const expected = stringValue(Buffer.from(s), context);
      if (out instanceof Uint8Array) expect(JSON.parse(text(out))).toBe(expected);
      else expect(out).toBe(expected);
    }
    const invalidUtf8 = Buffer.from([0x61, 0xff]);
    expect(thrown(() => stringText(invalidUtf8, context)).message).toBe(
      thrown(() => stringValue(invalidUtf8, context)).message,
    );
  });

  it('has no text path for formats built as objects', () => {
    for (const format of ['BYTES', 'AVRO', 'PROTOBUF', 'JSON_SCHEMA'] as const) {
      expect(createJsonTextDeserializer(config(format))).toBeUndefined();
    }
  });
});
