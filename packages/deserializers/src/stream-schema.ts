import type { FormatConfig, SubjectNameStrategy } from '@source-kafka/spec';
import protobuf from 'protobufjs';
import { parseAvroSchemas } from './avro.js';
import { SchemaRegistryError, schemaRegistryErrorCodes } from './errors.js';
import { parseProtobufSchema } from './protobuf.js';
import { resolveReferences } from './references.js';
import {
  anyOfSchemas,
  avroToJsonSchema,
  DEFAULT_MAX_RECURSION_DEPTH,
  protobufToJsonSchema,
  registeredJsonSchemaToStreamSchema,
  wellKnown,
} from './schema-convert.js';
import type { JsonValue, RegisteredSchema, SchemaRegistry, StreamJsonSchema } from './types.js';

export interface StreamSchemaRequest {
  readonly topic: string;
  readonly part: 'key' | 'value';
  readonly format: FormatConfig;
  /** Required for AVRO, PROTOBUF and JSON_SCHEMA. */
  readonly registry?: SchemaRegistry | undefined;
  /**
   * RecordNameStrategy only: the record full names written to this topic (a registry cannot tell which
   * topic a record-named subject belongs to). Without it, every subject not named `*-key`/`*-value` is used.
   */
  readonly recordNames?: readonly string[] | undefined;
  readonly maxRecursionDepth?: number | undefined;
}

const ANY_JSON_VALUE: StreamJsonSchema = {
  type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
  description: 'Any JSON value',
};

/** The subjects that hold this topic part's schemas under the given strategy. */
export async function subjectsFor(
  topic: string,
  part: 'key' | 'value',
  strategy: SubjectNameStrategy,
  registry: SchemaRegistry,
  recordNames?: readonly string[],
): Promise<string[]> {
  if (strategy === 'TopicNameStrategy') return [`${topic}-${part}`];
  if (strategy === 'RecordNameStrategy' && recordNames !== undefined) return [...recordNames];
  const subjects = await registry.listSubjects();
  const isTopicSubject = (s: string): boolean => s.endsWith('-key') || s.endsWith('-value');
  if (strategy === 'RecordNameStrategy') return subjects.filter((s) => !isTopicSubject(s)).sort();
  const prefix = `${topic}-`;
  return subjects
    .filter((s) => s.startsWith(prefix) && s !== `${topic}-key` && s !== `${topic}-value`)
    .sort();
}

/** Converts one registered schema; for protobuf the message is the subject's record name or the file's first. */
export async function streamSchemaOfRegistered(
  registry: SchemaRegistry,
  registered: RegisteredSchema,
  options: { messageName?: string | undefined; maxRecursionDepth?: number | undefined } = {},
): Promise<StreamJsonSchema> {
  const depth = options.maxRecursionDepth ?? DEFAULT_MAX_RECURSION_DEPTH;
  const references = await resolveReferences(registry, registered);
  switch (registered.schemaType) {
    case 'AVRO':
      return avroToJsonSchema(
        parseAvroSchemas(
          references.map((r) => r.schema.schema),
          registered.schema,
        ),
        depth,
      );
    case 'PROTOBUF': {
      const schema = parseProtobufSchema(
        registered.schema,
        references.map((r) => ({ name: r.name, schema: r.schema.schema })),
      );
      let message = schema.topLevelMessages[0]!;
      if (options.messageName !== undefined) {
        const named = schema.root.lookup(options.messageName);
        if (named instanceof protobuf.Type) message = named;
      }
      return protobufToJsonSchema(message, depth);
    }
    case 'JSON':
      return registeredJsonSchemaToStreamSchema(
        registered.schema,
        references.map((r) => ({ name: r.name, schema: r.schema.schema })),
        depth,
      );
  }
}

/**
 * The JSON Schema of a topic's key or value, for discover. A topic part with several record types (record
 * strategies) gets an `anyOf` of all of them. A null key or value (tombstone) decodes to null: the caller
 * makes the field nullable.
 */
export async function streamSchemaFor(request: StreamSchemaRequest): Promise<StreamJsonSchema> {
  const { format } = request.format;
  if (format === 'JSON') return ANY_JSON_VALUE;
  if (format === 'STRING') return { type: 'string' };
  if (format === 'BYTES') return wellKnown('BinaryData');
  const registry = request.registry;
  if (registry === undefined) {
    throw new SchemaRegistryError(
      schemaRegistryErrorCodes.notConfigured,
      'config_error',
      `The ${format} format needs a schema registry; set schema_registry.url`,
    );
  }
  const strategy = request.format.subjectNameStrategy;
  let subjects = await subjectsFor(request.topic, request.part, strategy, registry, request.recordNames);
  if (strategy === 'TopicRecordNameStrategy' && format !== 'JSON_SCHEMA') {
    // Avro and Protobuf full names have no '-': `orders-eu-ev.Created` belongs to topic `orders-eu`, not `orders`.
    subjects = subjects.filter((subject) => !subject.slice(request.topic.length + 1).includes('-'));
  }
  const schemas: { [key: string]: JsonValue }[] = [];
  for (const subject of subjects) {
    let registered: RegisteredSchema;
    try {
      registered = await registry.getLatestSchema(subject);
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.code === schemaRegistryErrorCodes.notFound) continue;
      throw error;
    }
    const messageName =
      strategy === 'TopicNameStrategy'
        ? undefined
        : subject.slice(strategy === 'RecordNameStrategy' ? 0 : request.topic.length + 1);
    schemas.push({
      ...(await streamSchemaOfRegistered(registry, registered, {
        messageName,
        maxRecursionDepth: request.maxRecursionDepth,
      })),
    });
  }
  if (schemas.length === 0) {
    return {
      ...ANY_JSON_VALUE,
      description: `No schema is registered for the ${request.part} of topic "${request.topic}" (subjects tried: ${subjects.join(', ') || 'none'}); any JSON value`,
    };
  }
  return anyOfSchemas(schemas);
}
