// A validating JSON scanner over UTF-8 bytes: it answers "would TextDecoder(fatal) + JSON.parse accept these
// bytes?" without building a string or an object, so valid JSON text can be written through as it arrived.
// It accepts exactly RFC 8259 JSON in well-formed UTF-8, which is what JSON.parse accepts after a strict
// decode; a leading BOM, which the strict decode drops, is left to the caller.

/** The bytes are not JSON (or not UTF-8); the decoding path gives the exact reason. */
export const SCAN_INVALID = -1;
/** Valid JSON on one line. */
export const SCAN_ONE_LINE = 0;
/** Valid JSON with CR or LF between tokens (the only place JSON allows them raw). */
export const SCAN_LINE_BREAKS = 1;

const OBJECT = 1;
const ARRAY = 2;

// Helpers take the bytes and a position and return the position after what they read, or -1: locals keep
// the hot loops in registers, where module variables would be loaded from the context at every byte.
let stack = new Uint8Array(64);
/** Set when whitespace between tokens held a CR or LF. */
let breaks = false;
/** Where the root object's braces are, or -1 when the root is no object. */
let rootOpen = -1;
let rootClose = -1;
/** False once a member of the root object has a name starting with `_` or holding an escape. */
let plainRootNames = true;

/** One of SCAN_INVALID, SCAN_ONE_LINE, SCAN_LINE_BREAKS. */
export function scanJson(bytes: Uint8Array): number {
  breaks = false;
  rootOpen = -1;
  rootClose = -1;
  plainRootNames = true;
  return scan(bytes) ? (breaks ? SCAN_LINE_BREAKS : SCAN_ONE_LINE) : SCAN_INVALID;
}

/**
 * After scanJson accepted an object: the text between its braces (its members, possibly none), when no member
 * name starts with `_` or holds an escape, so none can be one of the names a record adds; else undefined.
 */
export function lastRootMembers(bytes: Uint8Array): Uint8Array | undefined {
  if (rootOpen < 0 || !plainRootNames) return undefined;
  return bytes.subarray(skipSpace(bytes, rootOpen + 1), rootClose);
}

/** The key at i (its opening quote) starts with `_` or has an escape before its closing quote. */
function unplainName(b: Uint8Array, i: number): boolean {
  if (b[i + 1] === 0x5f) return true;
  for (let k = i + 1; k < b.length; k++) {
    const c = b[k];
    if (c === 0x22) return false;
    if (c === 0x5c) return true;
  }
  return true;
}

function skipSpace(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === 0x20 || c === 0x09) i++;
    else if (c === 0x0a || c === 0x0d) {
      breaks = true;
      i++;
    } else return i;
  }
}

function scan(b: Uint8Array): boolean {
  const n = b.length;
  let depth = 0;
  let i = skipSpace(b, 0);
  for (;;) {
    // A value starts at i.
    const c = b[i];
    if (c === 0x22) {
      i = scanString(b, i);
    } else if (c === 0x7b) {
      if (depth === 0) rootOpen = i;
      i = skipSpace(b, i + 1);
      if (b[i] === 0x7d) {
        if (depth === 0) rootClose = i;
        i++;
      } else {
        pushContainer(depth++, OBJECT);
        if (depth === 1 && unplainName(b, i)) plainRootNames = false;
        i = memberKey(b, i);
        if (i < 0) return false;
        continue;
      }
    } else if (c === 0x5b) {
      i = skipSpace(b, i + 1);
      if (b[i] === 0x5d) {
        i++;
      } else {
        pushContainer(depth++, ARRAY);
        continue;
      }
    } else if (c === 0x74) {
      if (b[i + 1] !== 0x72 || b[i + 2] !== 0x75 || b[i + 3] !== 0x65) return false;
      i += 4;
    } else if (c === 0x66) {
      if (b[i + 1] !== 0x61 || b[i + 2] !== 0x6c || b[i + 3] !== 0x73 || b[i + 4] !== 0x65) return false;
      i += 5;
    } else if (c === 0x6e) {
      if (b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c) return false;
      i += 4;
    } else {
      i = scanNumber(b, i);
    }
    if (i < 0) return false;
    // After a value: close containers, or go on to the next member or element.
    for (;;) {
      i = skipSpace(b, i);
      if (depth === 0) return i === n;
      const kind = stack[depth - 1];
      const d = b[i];
      if (d === 0x2c) {
        i = skipSpace(b, i + 1);
        if (kind === OBJECT) {
          if (depth === 1 && unplainName(b, i)) plainRootNames = false;
          i = memberKey(b, i);
          if (i < 0) return false;
        }
        break;
      }
      if ((d === 0x7d && kind === OBJECT) || (d === 0x5d && kind === ARRAY)) {
        if (depth === 1) rootClose = i;
        i++;
        depth--;
        continue;
      }
      return false;
    }
  }
}

function pushContainer(depth: number, kind: number): void {
  if (depth === stack.length) {
    const grown = new Uint8Array(stack.length * 2);
    grown.set(stack);
    stack = grown;
  }
  stack[depth] = kind;
}

/** `"key" :` and the space after it; i is at the opening quote. */
function memberKey(b: Uint8Array, i: number): number {
  if (b[i] !== 0x22) return -1;
  i = scanString(b, i);
  if (i < 0) return -1;
  i = skipSpace(b, i);
  if (b[i] !== 0x3a) return -1;
  return skipSpace(b, i + 1);
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46))
  );
}

function isContinuation(c: number | undefined): boolean {
  return c !== undefined && (c & 0xc0) === 0x80;
}

/** 1 for the bytes a string holds as they are: printable ASCII but the quote and the backslash. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

/** i is at the opening quote; returns the position after the closing one. */
function scanString(b: Uint8Array, i: number): number {
  i++;
  const n = b.length;
  for (;;) {
    while (i < n && PLAIN[b[i]!] === 1) i++;
    if (i >= n) return -1;
    const c = b[i]!;
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const e = b[i + 1];
      if (
        e === 0x22 ||
        e === 0x5c ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else if (e === 0x75) {
        if (!isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]) || !isHex(b[i + 5])) return -1;
        i += 6;
      } else {
        return -1;
      }
      continue;
    }
    if (c < 0x20) return -1;
    // Non-ASCII: well-formed UTF-8 as TextDecoder(fatal) demands (no overlongs, surrogates or > U+10FFFF).
    const c1 = b[i + 1];
    if (c >= 0xc2 && c <= 0xdf) {
      if (!isContinuation(c1)) return -1;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (c1 === undefined) return -1;
      if (c === 0xe0 ? c1 < 0xa0 || c1 > 0xbf : c === 0xed ? c1 < 0x80 || c1 > 0x9f : !isContinuation(c1))
        return -1;
      if (!isContinuation(b[i + 2])) return -1;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (c1 === undefined) return -1;
      if (c === 0xf0 ? c1 < 0x90 || c1 > 0xbf : c === 0xf4 ? c1 < 0x80 || c1 > 0x8f : !isContinuation(c1))
        return -1;
      if (!isContinuation(b[i + 2]) || !isContinuation(b[i + 3])) return -1;
      i += 4;
    } else {
      return -1;
    }
  }
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function scanNumber(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  let c = b[i];
  if (c === 0x30) {
    c = b[++i];
  } else if (c !== undefined && c >= 0x31 && c <= 0x39) {
    do c = b[++i];
    while (c !== undefined && c >= 0x30 && c <= 0x39);
  } else {
    return -1;
  }
  if (c === 0x2e) {
    c = b[++i];
    if (c === undefined || c < 0x30 || c > 0x39) return -1;
    do c = b[++i];
    while (c !== undefined && c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45) {
    c = b[++i];
    if (c === 0x2b || c === 0x2d) c = b[++i];
    if (c === undefined || c < 0x30 || c > 0x39) return -1;
    do c = b[++i];
    while (c !== undefined && c >= 0x30 && c <= 0x39);
  }
  return i;
}

/** A copy with every CR and LF turned into a space: outside strings they are whitespace, inside they cannot be. */
export function withoutLineBreaks(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let k = 0; k < out.length; k++) if (out[k] === 0x0a || out[k] === 0x0d) out[k] = 0x20;
  return out;
}
