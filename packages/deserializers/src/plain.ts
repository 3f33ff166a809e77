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
 * V8's JSON.parse message without the piece of the input it quotes (`..."key": x}" is not valid JSON`): a
 * payload may hold personal data, and the reason ends up in logs and traces.
 */
function jsonSyntaxReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const quoted = message.search(/(?:, )?(?:\.\.\.)?".*" is not valid JSON$/s);
  if (quoted < 0) return message;
  return quoted === 0 ? 'not valid JSON' : message.slice(0, quoted);
}

export function decodeJsonText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    // No `cause`: the SyntaxError's own message quotes the payload, and causes are printed with the error.
    throw new PlainDecodeError('INVALID_JSON', `invalid JSON: ${jsonSyntaxReason(error)}`);
  }
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
