// Reference files the tests compare the code against, vendored in fixtures/ with their licenses so a clone
// stands alone. `../shared/` beside the checkout, where it exists, holds the copies they were taken from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = resolve(here, '../fixtures');
const sharedDir = resolve(here, '../../../../shared');

export interface ReferenceFile {
  /** The vendored copy every test reads. */
  readonly path: string;
  /** The license that ships beside it. */
  readonly license: string;
  /** Where `../shared/` keeps the same file (it may not exist). */
  readonly sharedPath: string;
}

function reference(vendored: string, shared: string): ReferenceFile {
  const path = join(fixtures, vendored);
  return { path, license: join(dirname(path), 'LICENSE'), sharedPath: join(sharedDir, shared) };
}

export const REFERENCE_FILES = {
  /** The official Airbyte protocol schema (airbytehq/airbyte-protocol). */
  protocolYaml: reference('airbyte-protocol/airbyte_protocol.yaml', 'airbyte-protocol/airbyte_protocol.yaml'),
  /** Airbyte's WellKnownTypes, which stream schemas `$ref`. */
  wellKnownTypes: reference(
    'airbyte-protocol/well_known_types.yaml',
    'airbyte-protocol/well_known_types.yaml',
  ),
  /** The spec of Airbyte's Java source-kafka: the configs users have saved. */
  javaSourceKafkaSpec: reference(
    'airbyte-java-source-kafka/spec.json',
    'reference/airbyte-java-source-kafka-spec.json',
  ),
} as const satisfies Record<string, ReferenceFile>;

export type ReferenceName = keyof typeof REFERENCE_FILES;

/** The vendored copy's text. */
export function readReference(name: ReferenceName): string {
  return readFileSync(REFERENCE_FILES[name].path, 'utf8');
}

/** The `../shared/` copy's text, or undefined where that folder is not beside the checkout. */
export function readSharedCopy(name: ReferenceName): string | undefined {
  const { sharedPath } = REFERENCE_FILES[name];
  return existsSync(sharedPath) ? readFileSync(sharedPath, 'utf8') : undefined;
}
