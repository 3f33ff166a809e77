import type { FormatConfig, SubjectNameStrategy } from '@source-kafka/spec';
import protobuf from 'protobufjs';
import { parseAvroSchemas } from './avro.js';
import {
  isRegistryConnectionError,
  SchemaRegistryError,
  StreamSchemaError,
  schemaRegistryErrorCodes,
} from './errors.js';
import { inferJsonSchema } from './json-inference.js';
import { decodeJson, PlainDecodeError } from './plain.js';
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
import { readConfluentFrame, readMessageIndexes } from './wire.js';

export interface StreamSchemaRequest {
  readonly topic: string;
  readonly part: 'key' | 'value';
  readonly format: FormatConfig;
  /** Required for AVRO, PROTOBUF and JSON_SCHEMA. */
  readonly registry?: SchemaRegistry | undefined;
  /**
   * Record strategies: the record full names written to this topic, so exactly their subjects are read
   * (`<name>`, or `<topic>-<name>`). Without them RecordNameStrategy cannot tell which subjects belong to the
   * topic and answers any JSON; TopicRecordNameStrategy uses every `<topic>-*` subject.
   */
  readonly recordNames?: readonly string[] | undefined;
  readonly maxRecursionDepth?: number | undefined;
  /**
   * PROTOBUF under TopicNameStrategy: the raw bytes of recent records of this part. The message indexes
   * they carry choose the message the topic is typed by; without any, the file's first message is used
   * (what Confluent's serializers write as index [0]).
   */
  readonly samples?: readonly (Uint8Array | null)[] | undefined;
  /**
   * JSON: type the part from `samples` (schema inference) instead of declaring any JSON. Samples that are
   * null or not JSON type nothing; with none left the part stays any JSON.
   */
  readonly inferJson?: boolean | undefined;
  /** Told how many samples the JSON inference read, and how many of them it could use. */
  readonly onInference?: ((report: InferenceReport) => void) | undefined;
  /** Told which subjects (and schema ids) the schema was built from, and which were not registered. */
  readonly onSubjects?: ((report: SubjectReport) => void) | undefined;
}

export interface InferenceReport {
  /** Samples read (tombstones and undecodable ones included). */
  readonly sampled: number;
  /** Samples that were JSON other than null, so typed the schema. */
  readonly used: number;
  /** Samples that were not valid JSON (read fails or skips them by its bad message policy). */
  readonly undecodable: number;
}

export interface SubjectReport {
  readonly used: readonly { readonly subject: string; readonly schemaId: number }[];
  readonly missing: readonly string[];
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
  if (strategy === 'RecordNameStrategy') return [...(recordNames ?? [])];
  if (recordNames !== undefined) return recordNames.map((name) => `${topic}-${name}`);
  const subjects = await registry.listSubjects();
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
 * Full names of the Protobuf messages that framed `samples` carry, last sample first (pass them oldest
 * first); samples that cannot be read (unframed, unknown id, bad indexes) are skipped.
 */
export async function protobufMessagesOfSamples(
  registry: SchemaRegistry,
  samples: readonly (Uint8Array | null)[],
): Promise<{ readonly name: string; readonly schema: RegisteredSchema }[]> {
  const seen = new Set<string>();
  const found: { name: string; schema: RegisteredSchema }[] = [];
  for (const sample of [...samples].reverse()) {
    if (sample === null) continue;
    try {
      const { schemaId } = readConfluentFrame(sample);
      const { indexes } = readMessageIndexes(sample, 5);
      const key = `${schemaId}:${indexes.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const registered = await registry.getSchemaById(schemaId);
      if (registered.schemaType !== 'PROTOBUF') continue;
      const references = await resolveReferences(registry, registered);
      const schema = parseProtobufSchema(
        registered.schema,
        references.map((r) => ({ name: r.name, schema: r.schema.schema })),
      );
      const name = schema.messageByIndexes(indexes).fullName.slice(1);
      if (!found.some((f) => f.name === name)) found.push({ name, schema: registered });
    } catch (error) {
      // A sample that cannot be read says nothing about the topic's type; read reports it as a bad message.
      if (error instanceof SchemaRegistryError && error.code !== schemaRegistryErrorCodes.notFound)
        throw error;
    }
  }
  return found;
}

/** Protobuf under TopicNameStrategy: the latest file, typed by the messages the samples carry. */
async function protobufTopicSchema(
  registry: SchemaRegistry,
  latest: RegisteredSchema,
  samples: readonly (Uint8Array | null)[],
  maxRecursionDepth: number | undefined,
): Promise<{ [key: string]: JsonValue }> {
  const carried = await protobufMessagesOfSamples(registry, samples);
  if (carried.length === 0) {
    const schema = await streamSchemaOfRegistered(registry, latest, { maxRecursionDepth });
    return { ...schema };
  }
  const references = await resolveReferences(registry, latest);
  const latestFile = parseProtobufSchema(
    latest.schema,
    references.map((r) => ({ name: r.name, schema: r.schema.schema })),
  );
  const schemas: { [key: string]: JsonValue }[] = [];
  for (const { name, schema } of carried) {
    // The latest version describes newer records too; a message it no longer has keeps its own version.
    const inLatest = latestFile.root.lookup(name) instanceof protobuf.Type;
    const converted = await streamSchemaOfRegistered(registry, inLatest ? latest : schema, {
      messageName: name,
      maxRecursionDepth,
    });
    schemas.push({ description: `Protobuf message ${name}, as the topic's records carry it`, ...converted });
  }
  return anyOfSchemas(schemas);
}

function inferredJsonSchema(request: StreamSchemaRequest): StreamJsonSchema {
  const samples = request.samples ?? [];
  const values: JsonValue[] = [];
  let undecodable = 0;
  for (const sample of samples) {
    if (sample === null) continue;
    try {
      const value = decodeJson(sample);
      if (value !== null) values.push(value);
    } catch (error) {
      if (!(error instanceof PlainDecodeError)) throw error;
      undecodable += 1;
    }
  }
  request.onInference?.({ sampled: samples.length, used: values.length, undecodable });
  if (values.length === 0) {
    return {
      ...ANY_JSON_VALUE,
      description: `No JSON ${request.part} in the newest messages of topic "${request.topic}" to infer a type from; any JSON value`,
    };
  }
  return {
    description: `Inferred from the newest messages of the topic; a later ${request.part} of another shape is still written as it is`,
    ...inferJsonSchema(values),
  };
}

/**
 * The JSON Schema of a topic's key or value, for discover. A topic part with several record types (record
 * strategies) gets an `anyOf` of all of them. A null key or value (tombstone) decodes to null: the caller
 * makes the field nullable.
 */
export async function streamSchemaFor(request: StreamSchemaRequest): Promise<StreamJsonSchema> {
  const { format } = request.format;
  if (format === 'JSON') return request.inferJson === true ? inferredJsonSchema(request) : ANY_JSON_VALUE;
  if (format === 'STRING') return { type: 'string' };
  if (format === 'BYTES') return wellKnown('BinaryData');
  const registry = request.registry;
  if (registry === undefined) {
    throw new SchemaRegistryError(
      schemaRegistryErrorCodes.notConfigured,
      `The ${format} format needs a schema registry; set schema_registry.url`,
    );
  }
  const strategy = request.format.subjectNameStrategy;
  if (strategy === 'RecordNameStrategy' && request.recordNames === undefined) {
    request.onSubjects?.({ used: [], missing: [] });
    return {
      ...ANY_JSON_VALUE,
      description: `RecordNameStrategy without record names: the registry cannot tell which records the ${request.part}s of topic "${request.topic}" are; any JSON value`,
    };
  }
  let subjects = await subjectsFor(request.topic, request.part, strategy, registry, request.recordNames);
  if (
    strategy === 'TopicRecordNameStrategy' &&
    format !== 'JSON_SCHEMA' &&
    request.recordNames === undefined
  ) {
    // Avro and Protobuf full names have no '-': `orders-eu-ev.Created` belongs to topic `orders-eu`, not `orders`.
    subjects = subjects.filter((subject) => !subject.slice(request.topic.length + 1).includes('-'));
  }
  const schemas: { [key: string]: JsonValue }[] = [];
  const used: { subject: string; schemaId: number }[] = [];
  const missing: string[] = [];
  // Outages and refused credentials concern every topic and propagate; anything else is this subject's own
  // trouble and is reported with its subject and id, so discover can go on with the other topics.
  const unreadable = (subject: string, schemaId: number | undefined, error: unknown): unknown =>
    isRegistryConnectionError(error)
      ? error
      : new StreamSchemaError({ topic: request.topic, part: request.part, subject, schemaId }, error);
  for (const subject of subjects) {
    let registered: RegisteredSchema;
    try {
      registered = await registry.getLatestSchema(subject);
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.code === schemaRegistryErrorCodes.notFound) {
        missing.push(subject);
        continue;
      }
      throw unreadable(subject, undefined, error);
    }
    if (format === 'PROTOBUF' && strategy === 'TopicNameStrategy') {
      try {
        schemas.push(
          await protobufTopicSchema(registry, registered, request.samples ?? [], request.maxRecursionDepth),
        );
      } catch (error) {
        throw unreadable(subject, registered.id, error);
      }
      used.push({ subject, schemaId: registered.id });
      continue;
    }
    const messageName =
      strategy === 'TopicNameStrategy'
        ? undefined
        : subject.slice(strategy === 'RecordNameStrategy' ? 0 : request.topic.length + 1);
    try {
      schemas.push({
        ...(await streamSchemaOfRegistered(registry, registered, {
          messageName,
          maxRecursionDepth: request.maxRecursionDepth,
        })),
      });
    } catch (error) {
      throw unreadable(subject, registered.id, error);
    }
    used.push({ subject, schemaId: registered.id });
  }
  request.onSubjects?.({ used, missing });
  if (schemas.length === 0) {
    return {
      ...ANY_JSON_VALUE,
      description: `No schema is registered for the ${request.part} of topic "${request.topic}" (subjects tried: ${subjects.join(', ') || 'none'}); any JSON value`,
    };
  }
  return anyOfSchemas(schemas);
}
