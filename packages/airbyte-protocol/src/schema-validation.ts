import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { protocolDefinitions } from './generated/protocol-schemas.js';

type DefinitionName = keyof typeof protocolDefinitions;

let ajv: Ajv | undefined;
const compiled = new Map<DefinitionName, ValidateFunction>();

/** A draft-07 validator for one definition of the generated protocol schema, compiled on first use. */
export function protocolValidator(name: DefinitionName): ValidateFunction {
  let validate = compiled.get(name);
  if (validate === undefined) {
    ajv ??= new Ajv({ allErrors: true, strict: true }).addSchema(
      { $id: 'airbyte-protocol', definitions: protocolDefinitions },
      'airbyte-protocol',
    );
    validate = ajv.getSchema(`airbyte-protocol#/definitions/${name}`);
    if (validate === undefined) throw new Error(`no protocol definition ${name}`);
    compiled.set(name, validate);
  }
  return validate;
}

/** `/streams/0/sync_mode` -> `streams[0].sync_mode`. */
export function jsonPointerToPath(pointer: string, root: string): string {
  let out = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out === '' ? '(root)' : out;
}

/** One readable sentence per ajv error, naming the field and, for enums, the allowed values. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, root: string): string[] {
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    const at = jsonPointerToPath(error.instancePath, root);
    let text: string;
    switch (error.keyword) {
      case 'required':
        text = `${at}: missing required field '${String((error.params as { missingProperty: string }).missingProperty)}'`;
        break;
      case 'enum':
        text = `${at} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues
          .map((v) => JSON.stringify(v))
          .join(', ')}`;
        break;
      default:
        text = `${at} ${error.message ?? 'is invalid'}`;
    }
    seen.add(text);
  }
  return [...seen];
}
