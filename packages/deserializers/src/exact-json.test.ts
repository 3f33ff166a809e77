import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { context } from '../test/helpers.js';
import { createDeserializer } from './create-deserializer.js';
import { parseExactJson } from './exact-json.js';
import { decodeJsonText, holdsUnsafeNumber } from './plain.js';
import type { JsonValue } from './types.js';

const json = createDeserializer({
  format: 'JSON',
  subjectNameStrategy: 'TopicNameStrategy',
  validateJsonSchema: false,
});

describe('exact JSON integers', () => {
  it('keeps every digit of integers beyond 2^53 in JSON values', () => {
    expect(json(Buffer.from('{"n": 1152921504606846977}'), context)).toEqual({ n: 1152921504606846977n });
    expect(json(Buffer.from('[-9223372036854775808, 18446744073709551615, 1]'), context)).toEqual([
      -9223372036854775808n,
      18446744073709551615n,
      1,
    ]);
    expect(json(Buffer.from('123456789012345678901234567890'), context)).toBe(
      123456789012345678901234567890n,
    );
  });

  it('leaves safe integers, fractions, exponents and digits inside strings as JSON.parse gives them', () => {
    const text =
      '{"safe": 9007199254740991, "micros": 1700000000000000, "pi": 3.14159265358979323846, "big": 12345678901234567.5, "e": 12345678901234567e3, "id": "12345678901234567890"}';
    expect(holdsUnsafeNumber(JSON.parse('{"pi": 3.14159265358979323846, "micros": 1700000000000000}'))).toBe(
      false,
    );
    expect(decodeJsonText(text)).toEqual(JSON.parse(text));
    expect(parseExactJson(text)).toEqual(JSON.parse(text));
  });

  it('parses like JSON.parse, except that integer text beyond 2^53 becomes a bigint of the same digits', () => {
    const asNumbers = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
        const exact = parseExactJson(text);
        expect(asNumbers(exact)).toStrictEqual(JSON.parse(text));
        if (!holdsUnsafeNumber(JSON.parse(text))) expect(exact).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('parses every integer exactly, wherever it sits', () => {
    const big = fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n });
    const ordinary = fc.jsonValue().filter((v) => !holdsUnsafeNumber(v as JsonValue));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), big, ordinary), { maxLength: 5 }), (entries) => {
        const text = `{${entries.map(([key, n, other]) => `${JSON.stringify(key)}: [${n}, ${JSON.stringify(other)}]`).join(', ')}}`;
        const expected = JSON.parse(text) as Record<string, unknown>;
        for (const [key, n] of entries) {
          (expected[key] as unknown[])[0] = Number.isSafeInteger(Number(n)) ? Number(n) : n;
        }
        // Duplicate keys: the last one wins, as in JSON.parse.
        const seen = new Map(entries.map(([key, n, other]) => [key, [n, other] as const]));
        for (const [key, [n]] of seen)
          (expected[key] as unknown[])[0] = Number.isSafeInteger(Number(n)) ? Number(n) : n;
        expect(decodeJsonText(text)).toStrictEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds big numbers however deep they are nested', () => {
    const deep = `${'['.repeat(20_000)}99999999999999999999${']'.repeat(20_000)}`;
    expect(holdsUnsafeNumber(JSON.parse(deep))).toBe(true);
    expect(holdsUnsafeNumber(JSON.parse(deep.replace('99999999999999999999', '1')))).toBe(false);
  });

  it('keeps "__proto__" as an own key and rejects invalid text with a big integer as invalid JSON', () => {
    const value = decodeJsonText('{"__proto__": {"n": 99999999999999999999}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(() => json(Buffer.from('{"n": 99999999999999999999,'), context)).toThrow(/invalid JSON/);
  });
});
