/** A config field the connector's spec does not define, with the closest field it does define nearby. */
export interface UnknownField {
  /** Dotted path, e.g. `read_bounds.max_recrods`; array elements as `[0]`. */
  readonly path: string;
  /** The known sibling field it most likely meant, as a dotted path. */
  readonly suggestion?: string;
}

type JsonSchema = { readonly [key: string]: unknown };

/**
 * The fields of `config` that `schema` (a spec's connectionSpecification) defines nowhere. A field counts as
 * known when any `oneOf`/`anyOf`/`allOf` branch defines it, so no branch choice is second-guessed. Objects
 * whose schema lists no `properties` (free-form maps) are not looked into.
 */
export function findUnknownFields(schema: JsonSchema, config: unknown): UnknownField[] {
  const found: UnknownField[] = [];
  walk(schema, config, '', found);
  return found;
}

function walk(schema: JsonSchema, value: unknown, path: string, found: UnknownField[]): void {
  if (Array.isArray(value)) {
    const items = itemSchemas(schema);
    if (items.length > 0) {
      for (const [index, item] of value.entries()) walkAll(items, item, `${path}[${index}]`, found);
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const properties = propertySchemas(schema);
  if (properties.size === 0) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const schemas = properties.get(key);
    if (schemas === undefined) {
      const closest = closestName(key, [...properties.keys()]);
      const prefix = path === '' ? '' : `${path}.`;
      found.push(
        closest === undefined ? { path: childPath } : { path: childPath, suggestion: `${prefix}${closest}` },
      );
    } else walkAll(schemas, child, childPath, found);
  }
}

/** Walks a value against several schemas that may each define part of it (branches, or a merged field). */
function walkAll(schemas: readonly JsonSchema[], value: unknown, path: string, found: UnknownField[]): void {
  walk({ anyOf: schemas }, value, path, found);
}

/** Every schema `properties` maps each name to, through `oneOf`/`anyOf`/`allOf`. */
function propertySchemas(schema: JsonSchema): Map<string, JsonSchema[]> {
  const out = new Map<string, JsonSchema[]>();
  for (const node of branches(schema)) {
    const properties = node.properties;
    if (!isSchema(properties)) continue;
    for (const [name, child] of Object.entries(properties)) {
      if (!isSchema(child)) continue;
      const list = out.get(name) ?? [];
      list.push(child);
      out.set(name, list);
    }
  }
  return out;
}

function itemSchemas(schema: JsonSchema): JsonSchema[] {
  return branches(schema).flatMap((node) => (isSchema(node.items) ? [node.items] : []));
}

function branches(schema: JsonSchema): JsonSchema[] {
  const out: JsonSchema[] = [schema];
  for (const keyword of ['oneOf', 'anyOf', 'allOf']) {
    const list = schema[keyword];
    if (Array.isArray(list)) for (const branch of list) if (isSchema(branch)) out.push(...branches(branch));
  }
  return out;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The known name within a small edit distance of `name` (a typo, not a different field), if any. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: Levenshtein plus swapped neighbours, the commonest typo. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(rows - 1, cols - 1);
}

/** One log line naming every unknown field, or undefined when there is none. */
export function describeUnknownFields(fields: readonly UnknownField[]): string | undefined {
  if (fields.length === 0) return undefined;
  const listed = fields
    .map((field) =>
      field.suggestion === undefined
        ? `'${field.path}'`
        : `'${field.path}' (did you mean '${field.suggestion}'?)`,
    )
    .join(', ');
  return `The config has field(s) this connector does not know, ignored: ${listed}.`;
}
