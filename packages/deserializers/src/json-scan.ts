// A validating JSON scanner over UTF-8 bytes: it answers "would TextDecoder(fatal) + JSON.parse accept these
// bytes?" without building a string or an object, so valid JSON text can be written through as it arrived.
// It accepts exactly RFC 8259 JSON in well-formed UTF-8, which is what JSON.parse accepts after a strict
// decode; a leading BOM, which the strict decode drops, is left to the caller. The scanner itself is C
// compiled to WebAssembly (wasm/json-scan.c): it validates about three times faster than the same loop in
// JavaScript, and on a JSON read that loop was the largest cost.
import { JSON_SCAN_WASM_BASE64 } from './json-scan-wasm.js';
import { growTo, heapStart, instantiateWasm } from './wasm-module.js';

/** The bytes are not JSON (or not UTF-8); the decoding path gives the exact reason. */
export const SCAN_INVALID = -1;
/** Valid JSON on one line. */
export const SCAN_ONE_LINE = 0;
/** Valid JSON with CR or LF between tokens (the only place JSON allows them raw). */
export const SCAN_LINE_BREAKS = 1;

interface ScannerExports {
  scan(input: number, length: number, stack: number, result: number): number;
}

const wasm = instantiateWasm<ScannerExports>(JSON_SCAN_WASM_BASE64, ['scan']);
/** The padding the scanner may read past the input: it loads 16 string bytes at a time. */
const PADDING = 16;
const RESULT = heapStart(wasm);
const INPUT = RESULT + 16;

let memory = new Uint8Array(wasm.memory.buffer);
let results = new Int32Array(wasm.memory.buffer, RESULT, 3);

/** One of SCAN_INVALID, SCAN_ONE_LINE, SCAN_LINE_BREAKS. */
export function scanJson(bytes: Uint8Array): number {
  const length = bytes.length;
  const stack = INPUT + length + PADDING;
  // The memory grows to the largest value seen and keeps that size: a wasm memory cannot shrink.
  const end = stack + (length >>> 3) + 1;
  if (growTo(wasm.memory, end)) {
    memory = new Uint8Array(wasm.memory.buffer);
    results = new Int32Array(wasm.memory.buffer, RESULT, 3);
  }
  memory.set(bytes, INPUT);
  memory.fill(0, INPUT + length, stack);
  return wasm.scan(INPUT, length, stack, RESULT);
}

/**
 * After scanJson accepted an object: the text between its braces (its members, possibly none), when no member
 * name starts with `_` or holds an escape, so none can be one of the names a record adds; else undefined.
 * `bytes` are the scanned bytes, or a copy of the same length (withoutLineBreaks).
 */
export function lastRootMembers(bytes: Uint8Array): Uint8Array | undefined {
  const open = results[0] ?? -1;
  const close = results[1] ?? -1;
  if (open < 0 || results[2] !== 1) return undefined;
  return bytes.subarray(skipSpace(bytes, open + 1), close);
}

function skipSpace(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else return i;
  }
}

/** A copy with every CR and LF turned into a space: outside strings they are whitespace, inside they cannot be. */
export function withoutLineBreaks(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let k = 0; k < out.length; k++) if (out[k] === 0x0a || out[k] === 0x0d) out[k] = 0x20;
  return out;
}
