import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ResolvedReference } from './references.js';

/** Compiles a registered JSON Schema (and its references, by reference name) into a validator. */
export function compileJsonSchemaValidator(
  schema: string,
  references: readonly ResolvedReference[],
): ValidateFunction {
  const parsed = JSON.parse(schema) as Record<string, unknown>;
  const dialect = typeof parsed.$schema === 'string' ? parsed.$schema : '';
  const options = { strict: false, allErrors: false, validateSchema: false } as const;
  const ajv =
    dialect.includes('2020-12') || dialect.includes('2019-09') ? new Ajv2020(options) : new Ajv(options);
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  (addFormatsModule as unknown as { default: (ajv: Ajv) => void }).default(ajv as Ajv);
  // A $ref names a reference by the name it was registered under, which a base `$id` may have made
  // absolute: each referenced schema is known by its own $id, its name, and its name resolved against the
  // main schema's $id.
  const mainId = typeof parsed.$id === 'string' ? parsed.$id : undefined;
  const known = new Set<string>();
  for (const reference of references) {
    const referenced = JSON.parse(reference.schema.schema) as AnySchema;
    const ownId = isObject(referenced) && typeof referenced.$id === 'string' ? referenced.$id : undefined;
    if (ownId !== undefined && !known.has(absolute(ownId))) {
      ajv.addSchema(referenced);
      known.add(absolute(ownId));
    }
    for (const key of new Set([reference.name, absolute(reference.name, mainId)])) {
      if (known.has(absolute(key))) continue;
      known.add(absolute(key));
      if (ownId === undefined) ajv.addSchema(referenced, key);
      else {
        const { $id: _ownId, ...anonymous } = referenced as Record<string, unknown>;
        ajv.addSchema(anonymous, key);
      }
    }
  }
  return ajv.compile(parsed);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const PLACEHOLDER_BASE = 'https://schema.invalid/';

/** `ref` as an absolute URI (against `base` if given), so that names compare as ajv resolves them. */
function absolute(ref: string, base?: string): string {
  try {
    return new URL(ref, new URL(base ?? PLACEHOLDER_BASE, PLACEHOLDER_BASE)).href;
  } catch {
    return ref;
  }
}
