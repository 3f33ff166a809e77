// JSON text for values that may hold bigints: integers beyond ±(2^53−1) that decoders keep exact. JSON has
// no size limit on numbers, so they are written as numbers with every digit, never as strings.

type RawJson = (text: string) => unknown;

/** JSON.rawJSON (Node 21+): lets JSON.stringify emit number text as is. Absent on Node 20. */
const nativeRawJson: RawJson | undefined = (JSON as unknown as { rawJSON?: RawJson }).rawJSON;

const bigintReplacer = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? nativeRawJson!(value.toString()) : value;

/**
 * JSON.stringify, except that bigints become JSON numbers. Values without bigints take JSON.stringify's own
 * path unchanged: the bigint path starts only when JSON.stringify refuses one.
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    try {
      return stringifyWithBigInts(value);
    } catch {
      throw error;
    }
  }
}

/** The bigint path; `native: false` forces the hand-written serializer (tests run both on Node 21+). */
export function stringifyWithBigInts(value: unknown, options: { native?: boolean } = {}): string {
  if (nativeRawJson !== undefined && options.native !== false) return JSON.stringify(value, bigintReplacer);
  const out: string[] = [];
  // The root is serialized like a property of an unnamed holder, as JSON.stringify does.
  if (!writeValue(value, '', out)) return undefined as unknown as string;
  return out.join('');
}

/** Appends `value`'s JSON text; false when JSON.stringify would skip it (undefined, functions, symbols). */
function writeValue(input: unknown, key: string, out: string[]): boolean {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'bigint':
      out.push(value.toString());
      return true;
    case 'string':
    case 'number':
    case 'boolean':
      out.push(JSON.stringify(value));
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) {
    out.push('null');
    return true;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    out.push(JSON.stringify(value));
    return true;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (!writeValue(value[i], String(i), out)) out.push('null');
    }
    out.push(']');
    return true;
  }
  out.push('{');
  let first = true;
  for (const name of Object.keys(value)) {
    const mark = out.length;
    out.push(first ? '' : ',', JSON.stringify(name), ':');
    if (writeValue((value as Record<string, unknown>)[name], name, out)) first = false;
    else out.length = mark;
  }
  out.push('}');
  return true;
}
