import type { FormatConfig, MessageFormat, SubjectNameStrategy } from '@source-kafka/spec';
import type { ValidateFunction } from 'ajv';
import { createAvroDecoder, parseAvroSchemas } from './avro.js';
import {
  DeserializationError,
  type DeserializationErrorCode,
  describeCause,
  deserializationErrorCodes,
  SchemaRegistryError,
  schemaRegistryErrorCodes,
  withoutPayload,
} from './errors.js';
import { compileJsonSchemaValidator } from './json-schema-format.js';
import { decodeJson, decodeJsonText, decodeString, decodeUtf8, PlainDecodeError, toBase64 } from './plain.js';
import { decodeProtobufMessage, parseProtobufSchema } from './protobuf.js';
import { resolveReferences } from './references.js';
import type {
  DeserializeContext,
  Deserializer,
  JsonValue,
  RegisteredSchema,
  RegistrySchemaType,
  SchemaRegistry,
} from './types.js';
import { readConfluentFrame, readMessageIndexes, WireFormatError } from './wire.js';

export interface CreateDeserializerOptions {
  /** Required for AVRO, PROTOBUF and JSON_SCHEMA. */
  readonly registry?: SchemaRegistry | undefined;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function failure(
  context: DeserializeContext,
  format: MessageFormat,
  code: DeserializationErrorCode,
  reason: string,
  cause?: unknown,
): DeserializationError {
  return new DeserializationError({
    code,
    topic: context.topic,
    partition: context.partition,
    offset: context.offset,
    part: context.part,
    format,
    reason,
    cause,
  });
}

/**
 * A failure whose reason is a library's text about the bytes: the text is cleared of payload, and the library
 * error is kept as cause only when its own message holds none (causes are printed with the error).
 */
function decodeFailure(
  context: DeserializeContext,
  format: MessageFormat,
  code: DeserializationErrorCode,
  prefix: string,
  error: unknown,
  payload: Uint8Array,
): DeserializationError {
  const text = describeCause(error);
  const safe = withoutPayload(text, payload);
  return failure(context, format, code, `${prefix}${safe}`, safe === text ? error : undefined);
}

function plainDeserializer(format: 'JSON' | 'STRING' | 'BYTES'): Deserializer {
  const decode: (bytes: Uint8Array) => JsonValue =
    format === 'JSON' ? decodeJson : format === 'STRING' ? decodeString : toBase64;
  return (bytes, context) => {
    if (bytes === null) return null;
    try {
      return decode(bytes);
    } catch (error) {
      const code = error instanceof PlainDecodeError ? error.code : deserializationErrorCodes.decodeFailed;
      throw decodeFailure(context, format, code, '', error, bytes);
    }
  };
}

/** Decodes the payload after the 5-byte header; may throw anything, the caller wraps it. */
type PayloadDecoder = (bytes: Buffer) => JsonValue;

type CacheEntry =
  | { readonly ok: true; readonly decode: PayloadDecoder }
  | {
      readonly ok: false;
      readonly code: DeserializationErrorCode;
      readonly reason: string;
      readonly cause: unknown;
    };

const expectedSchemaType: Record<'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA', RegistrySchemaType> = {
  AVRO: 'AVRO',
  PROTOBUF: 'PROTOBUF',
  JSON_SCHEMA: 'JSON',
};

async function buildPayloadDecoder(
  format: 'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA',
  registry: SchemaRegistry,
  registered: RegisteredSchema,
  validateJsonSchema: boolean,
): Promise<PayloadDecoder> {
  if (registered.schemaType !== expectedSchemaType[format]) {
    throw new Error(
      `schema id ${registered.id} is a ${registered.schemaType} schema, but the configured format is ${format}`,
    );
  }
  const references = await resolveReferences(registry, registered);
  if (format === 'AVRO') {
    const decoder = createAvroDecoder(
      parseAvroSchemas(
        references.map((r) => r.schema.schema),
        registered.schema,
      ),
    );
    return (bytes) => decoder.decode(bytes.subarray(5));
  }
  if (format === 'PROTOBUF') {
    const schema = parseProtobufSchema(
      registered.schema,
      references.map((r) => ({ name: r.name, schema: r.schema.schema })),
    );
    const byIndexes = new Map<string, ReturnType<typeof schema.messageByIndexes>>();
    return (bytes) => {
      const { indexes, next } = readMessageIndexes(bytes, 5);
      const key = indexes.join(',');
      let type = byIndexes.get(key);
      if (type === undefined) {
        type = schema.messageByIndexes(indexes);
        byIndexes.set(key, type);
      }
      return decodeProtobufMessage(type, bytes.subarray(next));
    };
  }
  const validate: ValidateFunction | undefined = validateJsonSchema
    ? compileJsonSchemaValidator(registered.schema, references)
    : undefined;
  return (bytes) => {
    const value = decodeJsonText(decodeUtf8(bytes.subarray(5)));
    if (validate !== undefined && !validate(value)) {
      const first = validate.errors?.[0];
      throw new JsonSchemaMismatch(
        `the payload does not match schema id ${registered.id}: ${first ? `${first.schemaPath} ${first.message ?? ''}` : 'invalid'}`,
      );
    }
    return value;
  };
}

class JsonSchemaMismatch extends Error {
  override readonly name = 'JsonSchemaMismatch';
}

/** Schemas (and unknown ids) one deserializer keeps decoded; a real topic uses a handful. */
export const MAX_CACHED_SCHEMAS = 1024;

function registryDeserializer(
  format: 'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA',
  registry: SchemaRegistry,
  validateJsonSchema: boolean,
  strategy: SubjectNameStrategy,
): Deserializer {
  const cache = new Map<number, CacheEntry>();
  const loading = new Map<number, Promise<CacheEntry>>();

  const load = (schemaId: number): Promise<CacheEntry> => {
    const pending = loading.get(schemaId);
    if (pending !== undefined) return pending;
    const promise = (async (): Promise<CacheEntry> => {
      let registered: RegisteredSchema;
      try {
        registered = await registry.getSchemaById(schemaId);
      } catch (error) {
        // An unknown id is a property of this record's bytes; auth and outages are not, so they propagate.
        if (error instanceof SchemaRegistryError && error.code === schemaRegistryErrorCodes.notFound) {
          return {
            ok: false,
            code: deserializationErrorCodes.unknownSchema,
            reason: `schema id ${schemaId} is not in the schema registry`,
            cause: error,
          };
        }
        throw error;
      }
      try {
        return {
          ok: true,
          decode: await buildPayloadDecoder(format, registry, registered, validateJsonSchema),
        };
      } catch (error) {
        if (error instanceof SchemaRegistryError && error.code !== schemaRegistryErrorCodes.notFound)
          throw error;
        return {
          ok: false,
          code: deserializationErrorCodes.invalidSchema,
          reason: `cannot use schema id ${schemaId}: ${describeCause(error)}`,
          cause: error,
        };
      }
    })();
    loading.set(schemaId, promise);
    promise.then(
      (entry) => {
        // Bounded: garbage bytes carry random "ids", and each unknown one would otherwise stay cached forever.
        if (cache.size >= MAX_CACHED_SCHEMAS) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
        cache.set(schemaId, entry);
        loading.delete(schemaId);
      },
      () => loading.delete(schemaId),
    );
    return promise;
  };

  const run = (entry: CacheEntry, bytes: Buffer, context: DeserializeContext): JsonValue => {
    if (!entry.ok) {
      const subjectHint =
        entry.code === deserializationErrorCodes.unknownSchema && strategy === 'TopicNameStrategy'
          ? ` (its subject would be "${context.topic}-${context.part}")`
          : '';
      throw failure(context, format, entry.code, `${entry.reason}${subjectHint}`, entry.cause);
    }
    try {
      return entry.decode(bytes);
    } catch (error) {
      if (error instanceof WireFormatError)
        throw decodeFailure(context, format, deserializationErrorCodes.badFrame, '', error, bytes);
      if (error instanceof PlainDecodeError)
        throw decodeFailure(context, format, error.code, '', error, bytes);
      if (error instanceof JsonSchemaMismatch) {
        throw decodeFailure(context, format, deserializationErrorCodes.validationFailed, '', error, bytes);
      }
      throw decodeFailure(
        context,
        format,
        deserializationErrorCodes.decodeFailed,
        'the payload does not match its schema: ',
        error,
        bytes,
      );
    }
  };

  return (bytes, context) => {
    if (bytes === null) return null;
    const buffer = asBuffer(bytes);
    let schemaId: number;
    try {
      schemaId = readConfluentFrame(buffer).schemaId;
    } catch (error) {
      const header = context.headers?.find((h) => h.key === `__${context.part}_schema_id`);
      const prefix =
        header === undefined
          ? ''
          : `the schema id is carried in header "${header.key}" (the GUID-based format), which is not supported; configure the producer to write the schema id in the payload. The payload itself: `;
      throw decodeFailure(context, format, deserializationErrorCodes.badFrame, prefix, error, buffer);
    }
    const entry = cache.get(schemaId);
    if (entry !== undefined) return run(entry, buffer, context);
    return load(schemaId).then((loaded) => run(loaded, buffer, context));
  };
}

/** A Deserializer for one part (key or value) as configured. Registry formats need `options.registry`. */
export function createDeserializer(
  config: FormatConfig,
  options: CreateDeserializerOptions = {},
): Deserializer {
  const { format } = config;
  if (format === 'JSON' || format === 'STRING' || format === 'BYTES') return plainDeserializer(format);
  if (options.registry === undefined) {
    throw new SchemaRegistryError(
      schemaRegistryErrorCodes.notConfigured,
      'config_error',
      `The ${format} format needs a schema registry; set schema_registry.url`,
    );
  }
  return registryDeserializer(
    format,
    options.registry,
    config.validateJsonSchema,
    config.subjectNameStrategy,
  );
}
