// Pieces shared by the writers that put values straight into JSON text as bytes (Avro, Protobuf): finite
// doubles spelled as String(d) spells them, without going through a string for the common ones, and the bytes
// a JSON string holds as they are.

/** 1 for bytes a JSON string holds as they are: printable ASCII but the quote and the backslash. */
export const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);
const digits = new Uint8Array(24);

/** The room writeNumber may need: String(d) of a double is at most 24 characters. */
export const NUMBER_ROOM = 32;

/**
 * Writes a finite number at `at` in `out` (which has NUMBER_ROOM bytes free there) as `String(d)` spells it
 * and returns the position after it. Converting a double to its shortest text was the largest cost of an
 * Avro read, so decimals of up to 15 significant digits (prices, coordinates, ratios) are found by scaling:
 * the smallest k with round(|d| * 10^k) / 10^k === |d| gives the shortest digits, and below 10^15 they are
 * the only ones at that length, so they are what V8 prints. Anything else goes to String(d).
 */
export function writeNumber(out: Uint8Array, at: number, d: number): number {
  const a = Math.abs(d);
  // String(d) writes below 1e-6 with an exponent; 2^53 bounds exact integer arithmetic on the digits.
  if (a >= 1e-6 && a < 1e15) {
    for (let k = 0; k < 16; k++) {
      const n = Math.round(a * POWERS_OF_TEN[k]!);
      if (n >= 1e15) break;
      if (n / POWERS_OF_TEN[k]! === a) return writeDecimal(out, at, d < 0, n, k);
    }
  } else if (a === 0) {
    out[at] = 0x30; // -0 as well, as String(-0) does
    return at + 1;
  }
  const text = String(d);
  for (let k = 0; k < text.length; k++) out[at + k] = text.charCodeAt(k);
  return at + text.length;
}

/** n * 10^-k, with n < 10^15: its digits with a point k from the right and at least one before it. */
function writeDecimal(out: Uint8Array, start: number, negative: boolean, n: number, k: number): number {
  let length = 0;
  let rest = n;
  do {
    const q = Math.floor(rest / 10);
    digits[length++] = 0x30 + rest - q * 10;
    rest = q;
  } while (rest > 0);
  while (length <= k) digits[length++] = 0x30;
  let at = start;
  if (negative) out[at++] = 0x2d;
  for (let j = length - 1; j >= 0; j--) {
    if (j === k - 1) out[at++] = 0x2e;
    out[at++] = digits[j]!;
  }
  return at;
}
