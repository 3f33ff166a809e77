// Test helper: validates connector output against the official Airbyte protocol YAML (draft-07, ajv).
// Loads the vendored copy in packages/testkit/fixtures/airbyte-protocol/ (src/reference.test.ts keeps it equal
// to ../shared/airbyte-protocol/ when that folder is beside the checkout).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { REFERENCE_FILES } from './reference.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the protocol YAML is looked for, in order: only the vendored copy, so a clone stands alone. */
export const AIRBYTE_PROTOCOL_YAML_CANDIDATES: readonly string[] = [REFERENCE_FILES.protocolYaml.path];

export type AirbyteSchemaDefinition =
  | 'AirbyteMessage'
  | 'ConnectorSpecification'
  | 'ConfiguredAirbyteCatalog'
  | 'AirbyteCatalog'
  | 'AirbyteStateMessage';

interface LoadedProtocol {
  readonly path: string;
  readonly document: Record<string, unknown>;
  readonly ajv: Ajv;
  readonly validators: Map<AirbyteSchemaDefinition, ValidateFunction>;
}

let loaded: LoadedProtocol | undefined;

/** Finds the YAML file. */
export function airbyteProtocolYamlPath(): string {
  for (const candidate of AIRBYTE_PROTOCOL_YAML_CANDIDATES) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    `Airbyte protocol YAML not found; looked in: ${AIRBYTE_PROTOCOL_YAML_CANDIDATES.join(', ')}`,
  );
}

function load(): LoadedProtocol {
  if (loaded) return loaded;
  const path = airbyteProtocolYamlPath();
  const document = parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // draft-07 is ajv's default dialect. The YAML carries Java codegen hints (existingJavaType) and a top-level
  // `version`, which strict mode would reject as unknown keywords.
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS; under NodeNext its default import is the module object, whose `default` is the plugin.
  addFormatsModule.default(ajv);
  ajv.addSchema(document, 'airbyte_protocol');
  loaded = { path, document, ajv, validators: new Map() };
  return loaded;
}

/** The parsed YAML document (for tests that compare code against the official definitions). */
export function airbyteProtocolDocument(): Record<string, unknown> {
  return load().document;
}

function validatorFor(definition: AirbyteSchemaDefinition): ValidateFunction {
  const protocol = load();
  let validate = protocol.validators.get(definition);
  if (!validate) {
    const found = protocol.ajv.getSchema(`airbyte_protocol#/definitions/${definition}`);
    if (!found) throw new Error(`No definition ${definition} in ${protocol.path}`);
    validate = found;
    protocol.validators.set(definition, validate);
  }
  return validate;
}

function describe(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`.trim());
}

/** Validates a value against any definition of the YAML; returns the error texts (empty when valid). */
export function validateAgainst(definition: AirbyteSchemaDefinition, value: unknown): string[] {
  const validate = validatorFor(definition);
  return validate(value) ? [] : describe(validate.errors);
}

/** Errors of one parsed message against #/definitions/AirbyteMessage, plus the nested payload it names. */
export function validateAirbyteMessage(message: unknown): string[] {
  const errors = validateAgainst('AirbyteMessage', message);
  if (errors.length > 0) return errors;
  // The YAML only requires `type`; a message whose payload field is missing is still useless to the platform.
  const m = message as Record<string, unknown>;
  const payloadKey = PAYLOAD_KEY[String(m.type)];
  if (payloadKey && m[payloadKey] === undefined) return [`/ message of type ${m.type} has no ${payloadKey}`];
  return [];
}

const PAYLOAD_KEY: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
  DESTINATION_CATALOG: 'destination_catalog',
};

export function validateConnectorSpecification(spec: unknown): string[] {
  return validateAgainst('ConnectorSpecification', spec);
}

export function validateConfiguredCatalog(catalog: unknown): string[] {
  return validateAgainst('ConfiguredAirbyteCatalog', catalog);
}

/**
 * Parses each stdout line as JSON and validates it as an AirbyteMessage. Blank lines are skipped (a trailing
 * newline). Throws one Error listing every bad line; returns the parsed messages otherwise.
 */
export function assertAirbyteMessages(lines: readonly string[]): Record<string, unknown>[] {
  const problems: string[] = [];
  const messages: Record<string, unknown>[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const errors = validateAirbyteMessage(parsed);
    if (errors.length > 0) {
      problems.push(
        `line ${index + 1} is not a valid AirbyteMessage (${errors.join('; ')}): ${line.slice(0, 200)}`,
      );
      return;
    }
    messages.push(parsed as Record<string, unknown>);
  });
  if (problems.length > 0) throw new Error(`Invalid Airbyte output:\n${problems.join('\n')}`);
  return messages;
}

/** Splits a captured stdout into lines and asserts every line is a valid AirbyteMessage. */
export function assertAirbyteOutput(stdout: string): Record<string, unknown>[] {
  return assertAirbyteMessages(stdout.split('\n'));
}

/** Path of the vendored fixture folder (for tests that want the LICENSE or well_known_types.yaml). */
export const AIRBYTE_PROTOCOL_FIXTURE_DIR: string = join(here, '../fixtures/airbyte-protocol');

let streamAjv: Ajv | undefined;

/**
 * Errors of one record's `data` against a discovered stream's `json_schema` (empty when valid). Airbyte's
 * well-known types resolve as `WellKnownTypes.json#/definitions/...`, from the vendored well_known_types.yaml.
 */
export function validateStreamRecord(jsonSchema: Record<string, unknown>, data: unknown): string[] {
  if (streamAjv === undefined) {
    streamAjv = new Ajv({ allErrors: true, strict: false });
    addFormatsModule.default(streamAjv);
    const wellKnown = parseYaml(
      readFileSync(join(AIRBYTE_PROTOCOL_FIXTURE_DIR, 'well_known_types.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    streamAjv.addSchema({ ...wellKnown, $id: 'WellKnownTypes.json' });
  }
  const validate = streamAjv.compile(jsonSchema);
  return validate(data) ? [] : describe(validate.errors);
}
