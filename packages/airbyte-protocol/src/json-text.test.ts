import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyJson, stringifyWithBigInts } from './json-text.js';
import { MessageWriter } from './writer.js';

/** Oracle: bigints through a marker string that the generated strings cannot contain. */
function expectedText(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `~big:${v}~` : v))?.replace(
    /"~big:(-?[0-9]+)~"/g,
    '$1',
  );
}

const noMarker = fc.string().filter((s) => !s.includes('~'));
const withBigInts = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.double(),
    noMarker,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value')),
    fc.dictionary(noMarker, tie('value')),
  ),
})).value;

describe('JSON text with bigints', () => {
  it('writes bigints as JSON numbers with every digit', () => {
    expect(stringifyJson({ n: 1152921504606846977n, m: [-9223372036854775808n, 1] })).toBe(
      '{"n":1152921504606846977,"m":[-9223372036854775808,1]}',
    );
    expect(stringifyWithBigInts({ n: 18446744073709551615n }, { native: false })).toBe(
      '{"n":18446744073709551615}',
    );
  });

  // On Node 24 (the test runner and the image) stringifyJson takes the JSON.rawJSON path; `native: false` runs the
  // hand-written one, which a Node without JSON.rawJSON would take.
  it('writes exactly what JSON.stringify writes, bigints aside, on both paths', () => {
    fc.assert(
      fc.property(withBigInts, (value) => {
        const expected = expectedText(value);
        expect(stringifyJson(value)).toBe(expected);
        expect(stringifyWithBigInts(value, { native: false })).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves values without bigints to JSON.stringify itself', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true }),
        (value) => {
          expect(stringifyJson(value)).toBe(JSON.stringify(value));
          expect(stringifyWithBigInts(value, { native: false })).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('still refuses what JSON.stringify refuses for other reasons', () => {
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    expect(() => stringifyJson(cyclic)).toThrow(TypeError);
  });

  it('MessageWriter writes record data and messages with big integers exactly', async () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(String(chunk));
        callback();
      },
    });
    const writer = new MessageWriter(out);
    writer.writeRecord('s', { id: 1152921504606846977n, small: 1 }, 5);
    await writer.flush();
    expect(chunks.join('')).toBe(
      '{"type":"RECORD","record":{"stream":"s","data":{"id":1152921504606846977,"small":1},"emitted_at":5}}\n',
    );
  });
});
