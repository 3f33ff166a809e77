import { describe, expect, it } from 'vitest';
import { exactInteger, parseExact } from './registry-cases.js';

describe('parseExact', () => {
  it('keeps integers beyond 2^53 as exact markers and leaves the rest to JSON.parse', () => {
    const line =
      '{"a":1152921504606846977,"b":-9007199254740993,"c":9007199254740991,"d":"12345678901234567890","e":[1.5e300,2],"f":"x\\"9007199254740993"}';
    expect(parseExact(line)).toEqual({
      a: exactInteger('1152921504606846977'),
      b: exactInteger('-9007199254740993'),
      c: 9007199254740991,
      d: '12345678901234567890',
      e: [1.5e300, 2],
      f: 'x"9007199254740993',
    });
  });

  it('tells a rounded number from an exact one', () => {
    expect(parseExact('{"n":1152921504606847000}')).not.toEqual({ n: exactInteger('1152921504606846977') });
  });
});
