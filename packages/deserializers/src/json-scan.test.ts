import { describe, expect, it } from 'vitest';
import {
  lastRootMembers,
  SCAN_INVALID,
  SCAN_LINE_BREAKS,
  SCAN_ONE_LINE,
  scanJson,
  withoutLineBreaks,
} from './json-scan.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What the decoding path decides: a strict UTF-8 decode (the BOM kept, so it fails) and JSON.parse. */
function parses(bytes: Uint8Array): boolean {
  try {
    JSON.parse(strict.decode(bytes));
    return true;
  } catch {
    return false;
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text);

const valid = [
  '0',
  '-0',
  '1.5e-10',
  '-12E+3',
  '123456789012345678901234567890',
  'true',
  'false',
  'null',
  '""',
  '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00"',
  '"\\ud800"',
  '"é ü 日本 😀"',
  '[]',
  '{}',
  ' \t[ 1 , 2 , [ ] , { } ] \t',
  '{"a":{"b":[1,{"c":null}]},"d":"e"}',
  '{"a":1,"a":2}',
  '{"__proto__":1}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
];

const invalid = [
  '',
  ' ',
  '01',
  '-',
  '1.',
  '.5',
  '1e',
  '+1',
  'NaN',
  'Infinity',
  '-Infinity',
  'tru',
  'nul',
  'True',
  '"abc',
  '"\\x"',
  '"\\u12"',
  '"\\u12G4"',
  '"tab\there"',
  '[1,]',
  '[,1]',
  '{"a":1,}',
  '{"a" 1}',
  '{a:1}',
  "{'a':1}",
  '[1 2]',
  '{"a":1]',
  '[1}',
  '1 2',
  '{} x',
  '[',
  '{"a":',
  `${'['.repeat(5000)}${']'.repeat(4999)}`,
];

describe('scanJson', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of valid) {
      expect(parses(utf8(text)), text).toBe(true);
      expect(scanJson(utf8(text)), text).toBe(SCAN_ONE_LINE);
    }
  });

  it('refuses what JSON.parse refuses', () => {
    for (const text of invalid) {
      expect(parses(utf8(text)), text).toBe(false);
      expect(scanJson(utf8(text)), text).toBe(SCAN_INVALID);
    }
  });

  it('reports CR and LF between tokens, and a copy without them is the same JSON on one line', () => {
    const text = '{\r\n  "a": [1,\n 2],\r "b": "x y"\n}\n';
    const bytes = utf8(text);
    expect(scanJson(bytes)).toBe(SCAN_LINE_BREAKS);
    const flat = withoutLineBreaks(bytes);
    expect(flat.includes(0x0a) || flat.includes(0x0d)).toBe(false);
    expect(JSON.parse(strict.decode(flat))).toEqual(JSON.parse(text));
    expect(scanJson(flat)).toBe(SCAN_ONE_LINE);
    // The input is left alone.
    expect(strict.decode(bytes)).toBe(text);
  });

  it('refuses malformed UTF-8 the way the strict decoder does', () => {
    const cases = [
      [0x22, 0xc3, 0x22], // truncated 2-byte sequence
      [0x22, 0xc0, 0x80, 0x22], // overlong NUL
      [0x22, 0xe0, 0x80, 0x80, 0x22], // overlong 3-byte
      [0x22, 0xed, 0xa0, 0x80, 0x22], // UTF-16 surrogate
      [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], // beyond U+10FFFF
      [0x22, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x22], // 5-byte form
      [0x22, 0x80, 0x22], // lone continuation byte
      [0x22, 0xe2, 0x82, 0x22], // truncated 3-byte
      [0xef, 0xbb, 0xbf, 0x31], // BOM: left to the decoding path
    ];
    for (const bytes of cases.map((c) => Uint8Array.from(c))) {
      expect(parses(bytes), String(bytes)).toBe(false);
      expect(scanJson(bytes), String(bytes)).toBe(SCAN_INVALID);
    }
    for (const text of ['"\u07ff"', '"\uffff"', '"\u{10ffff}"', '"\u2028"']) {
      expect(scanJson(utf8(text)), text).toBe(SCAN_ONE_LINE);
    }
  });

  it('agrees with JSON.parse on random byte mutations of JSON texts', () => {
    // A fixed seed: the same cases every run.
    let seed = 0x2f6e2b1;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const alphabet = utf8('{}[]",:\\ntrufalse0123456789-+.eE \t\r\nué"\\u00');
    const bases = [
      '{"id":1,"user":{"name":"é","tags":["a","b"]},"n":-1.5e3,"ok":true,"none":null}',
      '[1,[2,[3,{"x":"y\\"z"}]],"\\u0041",false]',
      '"plain string with \\n escape"',
    ].map(utf8);
    let disagreements = 0;
    let validSeen = 0;
    for (let round = 0; round < 20000; round++) {
      const base = bases[round % bases.length]!;
      const bytes = Uint8Array.from(base);
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * bytes.length);
        bytes[at] =
          random() < 0.8 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
      }
      const expected = parses(bytes);
      const scanned = scanJson(bytes);
      if (expected) validSeen++;
      if (expected !== (scanned !== SCAN_INVALID)) disagreements++;
    }
    expect(validSeen).toBeGreaterThan(100);
    expect(disagreements).toBe(0);
  });

  // The scanner reads strings 16 bytes at a time and relies on zero padding after the input: every length and
  // every position of the byte that ends or breaks a string, near those steps, must decide as JSON.parse does.
  it('agrees with JSON.parse at every string length and stop position around its 16-byte steps', () => {
    const stops = [
      [0x22],
      [0x5c, 0x6e],
      [0x5c, 0x75, 0x30, 0x30, 0x34, 0x31],
      [0x5c],
      [0x09],
      [0x00],
      [0xc3, 0xa9],
      [0xc3],
      [0xe6, 0x97, 0xa5],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xf0, 0x9f],
    ];
    let checked = 0;
    for (let before = 0; before <= 40; before++) {
      for (const stop of stops) {
        for (const close of [true, false]) {
          const bytes = Uint8Array.from([
            0x22,
            ...Array(before).fill(0x61),
            ...stop,
            ...(close ? [0x61, 0x22] : []),
          ]);
          expect(scanJson(bytes) !== SCAN_INVALID, `${before} ${stop} ${close}`).toBe(parses(bytes));
          checked++;
        }
      }
    }
    expect(checked).toBe(41 * stops.length * 2);
  });

  it('grows its memory for a value larger than it holds, and then still scans small values', () => {
    const big = utf8(
      JSON.stringify({ text: 'x'.repeat(3_000_000), list: Array.from({ length: 50_000 }, (_, i) => [i]) }),
    );
    expect(scanJson(big)).toBe(SCAN_ONE_LINE);
    const broken = Uint8Array.from(big);
    broken[broken.length - 2] = 0x2c; // `[49999],]`: a trailing comma at the very end
    expect(scanJson(broken)).toBe(SCAN_INVALID);
    expect(scanJson(utf8('{"a":1}'))).toBe(SCAN_ONE_LINE);
    expect(scanJson(utf8('{"a":1'))).toBe(SCAN_INVALID);
  });

  it('finds the root members after a scan, unless a name starts with `_` or holds an escape', () => {
    const text = utf8(' { "a": 1, "b": {"_c": 2} } ');
    expect(scanJson(text)).toBe(SCAN_ONE_LINE);
    expect(new TextDecoder().decode(lastRootMembers(text))).toBe('"a": 1, "b": {"_c": 2} ');
    expect(scanJson(utf8('{}'))).toBe(SCAN_ONE_LINE);
    expect(lastRootMembers(utf8('{}'))?.length).toBe(0);
    for (const unplain of ['{"a":1,"_b":2}', '{"a\\u0062":1}', '[{"a":1}]', '"a"']) {
      expect(scanJson(utf8(unplain)), unplain).not.toBe(SCAN_INVALID);
      expect(lastRootMembers(utf8(unplain)), unplain).toBeUndefined();
    }
  });
});
