// Where a decoder wrote null for a value JSON cannot hold (a NaN or infinite float), so the caller can say so
// (Airbyte's meta.changes). The mappers are compiled once per schema and know no paths, so a mapper notes a
// bare entry and each enclosing record, array or map puts its own segment in front on the way back up.
// Decoding is synchronous, so one collector active at a time is enough.

let active: string[] | null = null;

/** Notes that the value being mapped was written as null. */
export function noteNulled(): void {
  active?.push('');
}

/** How many entries the active collector holds; 0 when none is active. */
export function nulledCount(): number {
  return active === null ? 0 : active.length;
}

/** Puts `segment` in front of the entries noted since `from`. */
export function prefixNulled(from: number, segment: string): void {
  if (active === null) return;
  for (let i = from; i < active.length; i++) {
    const rest = active[i]!;
    active[i] = rest === '' ? segment : `${segment}.${rest}`;
  }
}

/** Runs `decode` with `into` collecting the dot-joined paths of nulled values ('' for the root itself). */
export function collectNulled<T>(into: string[], decode: () => T): T {
  const previous = active;
  active = into;
  try {
    return decode();
  } finally {
    active = previous;
  }
}
