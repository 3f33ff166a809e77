// Pulls the definitions the runtime validates (and everything they $ref) out of the official protocol
// YAML, without the documentation and Java codegen keys. Used by generate-schemas.ts and by the drift test.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));

// The testkit's vendored copy (its reference test keeps it equal to ../shared/ where that exists).
export const PROTOCOL_YAML_CANDIDATES: readonly string[] = [
  resolve(here, '../../testkit/fixtures/airbyte-protocol/airbyte_protocol.yaml'),
];

export const RUNTIME_ROOTS = ['ConfiguredAirbyteCatalog', 'AirbyteStateMessage'] as const;

const DROPPED_KEYS = new Set(['description', 'title', 'existingJavaType', 'default']);

export function loadProtocolYaml(): { path: string; document: Record<string, unknown> } {
  const path = PROTOCOL_YAML_CANDIDATES.find((candidate) => existsSync(candidate));
  if (path === undefined)
    throw new Error(`protocol YAML not found in ${PROTOCOL_YAML_CANDIDATES.join(', ')}`);
  return { path, document: parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown> };
}

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (!DROPPED_KEYS.has(key)) out[key] = strip(value);
  return out;
}

function refsIn(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const item of node) refsIn(item, into);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.add(value.replace('#/definitions/', ''));
      else refsIn(value, into);
    }
  }
}

/** A draft-07 schema document holding `roots` and their transitive $ref targets under `definitions`. */
export function extractDefinitions(
  document: Record<string, unknown>,
  roots: readonly string[] = RUNTIME_ROOTS,
): { definitions: Record<string, unknown> } {
  const all = document.definitions as Record<string, unknown>;
  const wanted = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (wanted.has(name)) continue;
    if (!(name in all)) throw new Error(`definition ${name} missing from the protocol YAML`);
    wanted.add(name);
    const refs = new Set<string>();
    refsIn(all[name], refs);
    queue.push(...refs);
  }
  const definitions: Record<string, unknown> = {};
  for (const name of [...wanted].sort()) definitions[name] = strip(all[name]);
  return { definitions };
}
