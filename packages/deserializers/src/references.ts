import type { RegisteredSchema, SchemaRegistry } from './types.js';

export interface ResolvedReference {
  /** The name the referring schema uses (a proto import path, an Avro full name, a JSON Schema URI). */
  readonly name: string;
  readonly schema: RegisteredSchema;
}

/** All references of `schema`, depth first so that dependencies come before the schemas that use them. */
export async function resolveReferences(
  registry: SchemaRegistry,
  schema: RegisteredSchema,
): Promise<ResolvedReference[]> {
  const ordered: ResolvedReference[] = [];
  const seen = new Set<string>();
  const visit = async (current: RegisteredSchema, depth: number): Promise<void> => {
    if (depth > 32) throw new Error('schema references nest deeper than 32 levels (a cycle?)');
    for (const reference of current.references) {
      const key = `${reference.subject}\u0000${reference.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const referenced = await registry.getSchemaBySubjectVersion(reference.subject, reference.version);
      await visit(referenced, depth + 1);
      ordered.push({ name: reference.name, schema: referenced });
    }
  };
  await visit(schema, 0);
  return ordered;
}
