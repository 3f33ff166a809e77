// Instantiates the package's WebAssembly modules (C in wasm/, embedded base64 by scripts/build-wasm.mjs).
// TypeScript declares WebAssembly only in the DOM library, so the few members used here are typed locally.
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** What every module exports besides its functions. */
export interface WasmBase {
  readonly memory: WasmMemory;
  /** Where memory the module does not use starts. */
  readonly __heap_base: { readonly value: unknown };
}

export const WASM_PAGE = 65_536;

const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** A generated module lacks a function the package calls: a build defect, never a property of the data. */
export class WasmModuleError extends Error {
  override readonly name = 'WasmModuleError';
  readonly code = 'WASM_EXPORT_MISSING';
  constructor(readonly exportName: string) {
    super(`The WebAssembly module has no function "${exportName}": rebuild it with scripts/build-wasm.mjs`);
  }
}

/** The module's exports, checked to hold `functions` (the ones T declares) and a memory. */
export function instantiateWasm<T>(base64: string, functions: readonly (keyof T & string)[]): T & WasmBase {
  const exports = new Instance(new Module(Buffer.from(base64, 'base64')), {}).exports as Record<
    string,
    unknown
  >;
  for (const name of functions) if (typeof exports[name] !== 'function') throw new WasmModuleError(name);
  if (typeof exports.memory !== 'object') throw new WasmModuleError('memory');
  return exports as T & WasmBase;
}

/** The first 16-byte aligned address after what the module uses. */
export function heapStart(wasm: WasmBase): number {
  return (Number(wasm.__heap_base.value) + 15) & ~15;
}

/** Grows the memory to hold `end` bytes; true when it grew (views on the old buffer are then detached). */
export function growTo(memory: WasmMemory, end: number): boolean {
  const size = memory.buffer.byteLength;
  if (end <= size) return false;
  memory.grow(Math.ceil((end - size) / WASM_PAGE));
  return true;
}
