import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoOfMillis } from './avro.js';

describe('RFC 3339 formatting of Avro timestamps', () => {
  it('matches Date#toISOString for every instant in years 0000-9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        expect(isoOfMillis(ms, 't')).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses instants outside years 0000-9999 and non-numbers', () => {
    expect(() => isoOfMillis(253_402_300_800_000, 'timestamp-millis')).toThrow('outside years 0000-9999');
    expect(() => isoOfMillis(Number.NaN, 'timestamp-millis')).toThrow('outside years 0000-9999');
  });
});
