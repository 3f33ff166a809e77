import { parseExactJson } from './exact-json.js';
import type { JsonValue } from './types.js';

// Plain decoders: each throws a plain Error-like `PlainDecodeError`; the factory adds the record location.

export class PlainDecodeError extends Error {
  override readonly name = 'PlainDecodeError';
  constructor(
    readonly code: 'INVALID_JSON' | 'INVALID_UTF8',
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8: invalid sequences are reported instead of being replaced with U+FFFD. A leading BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return fatalDecoder.decode(bytes);
  } catch (error) {
    throw new PlainDecodeError('INVALID_UTF8', `invalid UTF-8 at or after byte ${firstInvalidUtf8(bytes)}`, {
      cause: error,
    });
  }
}

/** Byte offset of the first invalid UTF-8 sequence, for the error message. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return i;
}

/**
 * Why JSON.parse refused the text, without any of the text: V8's message quotes the input (`Unexpected token
 * 'S', "SSN 123-45"... is not valid JSON`), and a payload may hold personal data that must not reach logs or
 * traces. Only the kind of failure and V8's position, when it gives one, are kept.
 */
function jsonSyntaxReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /\bposition (\d+)/.exec(message)?.[1];
  const where = position === undefined ? '' : ` at character ${position}`;
  if (/^Unexpected end of JSON input/.test(message)) return `the text ends early${where}`;
  if (/^Unterminated string/.test(message)) return `a string is not terminated${where}`;
  if (/^(?:Bad|Expected)/.test(message) || /^Unexpected (?:token|non-whitespace|number|string)/.test(message))
    return `unexpected character${where}`;
  return `not valid JSON${where}`;
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    // No `cause`: the SyntaxError's own message quotes the payload, and causes are printed with the error.
    throw new PlainDecodeError('INVALID_JSON', `invalid JSON: ${jsonSyntaxReason(error)}`);
  }
}

/**
 * True when JSON.parse gave a number beyond ±(2^53−1): the only sign that integer text may have been rounded
 * (every double that large is integral). Walking the parsed value costs a few percent of JSON.parse, where
 * scanning the text for long digit runs cost a quarter of it.
 */
export function holdsUnsafeNumber(value: JsonValue): boolean {
  try {
    return holdsUnsafeRecursive(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return holdsUnsafeIterative(value); // nesting deeper than the stack
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// Primitives are checked in the loop, not by a call per value: this walk runs on every JSON record.
function holdsUnsafeRecursive(value: JsonValue): boolean {
  if (typeof value === 'number') return value > MAX_SAFE || value < -MAX_SAFE;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === 'number') {
        if (item > MAX_SAFE || item < -MAX_SAFE) return true;
      } else if (item !== null && typeof item === 'object' && holdsUnsafeRecursive(item)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item = value[key];
    if (typeof item === 'number') {
      if (item > MAX_SAFE || item < -MAX_SAFE) return true;
    } else if (item !== null && typeof item === 'object' && holdsUnsafeRecursive(item)) return true;
  }
  return false;
}

function holdsUnsafeIterative(root: JsonValue): boolean {
  const stack: JsonValue[] = [root];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (typeof value === 'number') {
      if (value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER) return true;
    } else if (value !== null && typeof value === 'object') {
      stack.push(...(Array.isArray(value) ? value : Object.values(value)));
    }
  }
  return false;
}

export interface ParsedJson {
  /** Integers beyond ±(2^53−1) as exact bigints. */
  readonly exact: JsonValue;
  /** What JSON.parse gives (big integers rounded), for validators that know only numbers. */
  readonly plain: JsonValue;
}

/** Both views of one JSON text; the same object twice unless the text holds an integer beyond ±(2^53−1). */
export function parseJsonViews(text: string): ParsedJson {
  const plain = parseJson(text);
  if (!holdsUnsafeNumber(plain)) return { exact: plain, plain };
  return { exact: parseExactJson(text), plain };
}

/** JSON text to a value; integers beyond ±(2^53−1) come out as exact bigints, everything else as JSON.parse. */
export function decodeJsonText(text: string): JsonValue {
  const plain = parseJson(text);
  return holdsUnsafeNumber(plain) ? parseExactJson(text) : plain;
}

export function decodeJson(bytes: Uint8Array): JsonValue {
  return decodeJsonText(decodeUtf8(bytes));
}

export function decodeString(bytes: Uint8Array): string {
  return decodeUtf8(bytes);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
