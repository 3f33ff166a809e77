import type { JsonValue } from './types.js';

// Written by hand: the lossless JSON libraries differ from JSON.parse on duplicate keys (they refuse them)
// or on "__proto__", and records must come out the same whichever path parsed them.

/**
 * Parses JSON text that JSON.parse has already accepted, keeping integers beyond ±(2^53−1) exact as bigints.
 * Everything else (numbers with a fraction or exponent, duplicate keys: last wins in the first key's place,
 * "__proto__" as an own key) comes out as JSON.parse gives it. Invalid text is not diagnosed here.
 */
export function parseExactJson(text: string): JsonValue {
  src = text;
  pos = 0;
  try {
    return readValue();
  } finally {
    src = '';
  }
}

// Module state instead of closures: the parser is re-entered per record, and closures per call cost a third.
let src = '';
let pos = 0;

function skipSpace(): void {
  for (;;) {
    const c = src.charCodeAt(pos);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
    else return;
  }
}

function readString(): string {
  const start = pos;
  pos++;
  let escaped = false;
  for (;;) {
    const c = src.charCodeAt(pos++);
    if (c === 0x5c) {
      escaped = true;
      pos++;
    } else if (c === 0x22 || Number.isNaN(c)) {
      break;
    }
  }
  return escaped ? (JSON.parse(src.slice(start, pos)) as string) : src.slice(start + 1, pos - 1);
}

function readNumber(): number | bigint {
  const start = pos;
  let integer = true;
  for (;;) {
    const c = src.charCodeAt(pos);
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d) pos++;
    else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b) {
      integer = false;
      pos++;
    } else break;
  }
  const token = src.slice(start, pos);
  const n = Number(token);
  return integer && !Number.isSafeInteger(n) ? BigInt(token) : n;
}

function readObject(): { [key: string]: JsonValue } {
  pos++;
  const out: { [key: string]: JsonValue } = {};
  skipSpace();
  if (src.charCodeAt(pos) === 0x7d) {
    pos++;
    return out;
  }
  for (;;) {
    skipSpace();
    const key = readString();
    skipSpace();
    pos++; // ':'
    const value = readValue();
    // Plain assignment to "__proto__" would swap the prototype; JSON.parse makes it an own field.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
    skipSpace();
    if (src.charCodeAt(pos++) !== 0x2c) return out; // '}'
  }
}

function readArray(): JsonValue[] {
  pos++;
  const out: JsonValue[] = [];
  skipSpace();
  if (src.charCodeAt(pos) === 0x5d) {
    pos++;
    return out;
  }
  for (;;) {
    out.push(readValue());
    skipSpace();
    if (src.charCodeAt(pos++) !== 0x2c) return out; // ']'
  }
}

function readValue(): JsonValue {
  skipSpace();
  switch (src.charCodeAt(pos)) {
    case 0x7b:
      return readObject();
    case 0x5b:
      return readArray();
    case 0x22:
      return readString();
    case 0x74:
      pos += 4;
      return true;
    case 0x66:
      pos += 5;
      return false;
    case 0x6e:
      pos += 4;
      return null;
    default:
      return readNumber();
  }
}
