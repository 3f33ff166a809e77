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
  for (const reference of references) {
    ajv.addSchema(JSON.parse(reference.schema.schema) as AnySchema, reference.name);
  }
  return ajv.compile(parsed);
}
