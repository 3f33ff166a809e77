import { protocolDefinitions } from './generated/protocol-schemas.js';

type DefinitionName = keyof typeof protocolDefinitions;

interface SchemaNode {
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
}

const definitions = protocolDefinitions as unknown as Readonly<Record<string, SchemaNode>>;

/**
 * A copy of `value` without the optional protocol fields set to `null`. Airbyte's Python clients write
 * every unset optional field as `null` (pydantic's `model_dump_json()`, `dataclasses.asdict`), while the
 * protocol schema types them as non-nullable; absent is what they mean. Guided by the protocol schema, so
 * a `null` inside free-form data (a stream's `json_schema`, a state blob) and a `null` in a required field
 * (still an error) are left as they are.
 */
export function withoutOptionalNulls(value: unknown, definition: DefinitionName): unknown {
  return strip(value, { $ref: `#/definitions/${definition}` });
}

function strip(value: unknown, node: SchemaNode | undefined): unknown {
  const schema = resolve(node);
  if (schema === undefined) return value;
  if (Array.isArray(value)) {
    return schema.items === undefined ? value : value.map((item) => strip(item, schema.items));
  }
  if (typeof value !== 'object' || value === null || schema.properties === undefined) return value;
  const required = new Set(schema.required ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const fieldSchema = schema.properties[key];
    if (fieldSchema === undefined) out[key] = field;
    else if (field === null && !required.has(key)) continue;
    else out[key] = strip(field, fieldSchema);
  }
  return out;
}

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  // The protocol's definitions point at each other only through whole-definition refs.
  while (current?.$ref !== undefined) current = definitions[current.$ref.replace('#/definitions/', '')];
  return current;
}
