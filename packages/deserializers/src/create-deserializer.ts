import type { FormatConfig, MessageFormat, SubjectNameStrategy } from '@source-kafka/spec';
import type { ValidateFunction } from 'ajv';
import { createAvroDecoder, parseAvroSchemas } from './avro.js';
import { compileAvroJsonWriter } from './avro-json.js';
import {
  DeserializationError,
  type DeserializationErrorCode,
  describeCause,
  deserializationErrorCodes,
  SchemaRegistryError,
  schemaRegistryErrorCodes,
  withoutPayload,
} from './errors.js';
import {
  lastRootMembers,
  SCAN_INVALID,
  SCAN_LINE_BREAKS,
  SCAN_ONE_LINE,
  scanJson,
  withoutLineBreaks,
} from './json-scan.js';
import { compileJsonSchemaValidator } from './json-schema-format.js';
import { collectNulled } from './nulled.js';
import {
  decodeJson,
  decodeJsonText,
  decodeString,
  decodeUtf8,
  PlainDecodeError,
  parseJsonViews,
  toBase64,
} from './plain.js';
import { decodeProtobufMessage, parseProtobufSchema } from './protobuf.js';
import { compileProtobufJsonWriter, type ProtobufJsonWriter } from './protobuf-json.js';
import { resolveReferences } from './references.js';
import type {
  DeserializeContext,
  Deserializer,
  JsonValue,
  RegisteredSchema,
  RegistrySchemaType,
  SchemaRegistry,
} from './types.js';
import {
  KEY_SCHEMA_ID_HEADER,
  readMessageIndexes,
  readSchemaIdFrame,
  type SchemaIdFrame,
  VALUE_SCHEMA_ID_HEADER,
  WireFormatError,
} from './wire.js';

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

/** Where Protobuf message indexes start when the schema id came from a header: right after it. */
interface HeaderFrame {
  readonly bytes: Uint8Array;
  readonly start: number;
}

/**
 * Decodes `bytes` from `start`. Protobuf message indexes come first there, or, when the schema id came from a
 * header (`inHeader`), after the id in that header. May throw anything; the caller wraps it.
 */
type PayloadDecoder = (bytes: Buffer, start: number, inHeader: HeaderFrame | undefined) => JsonValue;

/** JSON text of a payload from `start`, or undefined: decode it instead (for the value or the exact error). */
type PayloadTextWriter = (bytes: Buffer, start: number) => Uint8Array | undefined;

interface PayloadDecoders {
  readonly decode: PayloadDecoder;
  readonly text?: PayloadTextWriter | undefined;
}

type CacheEntry =
  | { readonly ok: true; readonly decode: PayloadDecoder; readonly text?: PayloadTextWriter | undefined }
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
  label: string,
): Promise<PayloadDecoders> {
  if (registered.schemaType !== expectedSchemaType[format]) {
    throw new Error(`${label} is a ${registered.schemaType} schema, but the configured format is ${format}`);
  }
  const references = await resolveReferences(registry, registered);
  if (format === 'AVRO') {
    const type = parseAvroSchemas(
      references.map((r) => r.schema.schema),
      registered.schema,
    );
    const decoder = createAvroDecoder(type);
    return {
      decode: (bytes, start) => decoder.decode(bytes.subarray(start)),
      text: compileAvroJsonWriter(type),
    };
  }
  if (format === 'PROTOBUF') {
    const schema = parseProtobufSchema(
      registered.schema,
      references.map((r) => ({ name: r.name, schema: r.schema.schema })),
    );
    const byIndexes = new Map<string, ReturnType<typeof schema.messageByIndexes>>();
    const typeAt = (indexes: readonly number[]) => {
      const key = indexes.join(',');
      let type = byIndexes.get(key);
      if (type === undefined) {
        type = schema.messageByIndexes(indexes);
        byIndexes.set(key, type);
      }
      return type;
    };
    const decode: PayloadDecoder = (bytes, start, inHeader) => {
      const { indexes, next } = readMessageIndexes(inHeader?.bytes ?? bytes, inHeader?.start ?? start);
      return decodeProtobufMessage(typeAt(indexes), bytes.subarray(inHeader === undefined ? next : start));
    };
    const writers = new Map<ReturnType<typeof schema.messageByIndexes>, ProtobufJsonWriter | undefined>();
    const text: PayloadTextWriter = (bytes, start) => {
      let type: ReturnType<typeof schema.messageByIndexes>;
      let next: number;
      try {
        const read = readMessageIndexes(bytes, start);
        next = read.next;
        type = typeAt(read.indexes);
      } catch {
        return undefined; // bad indexes: the decoder gives the error
      }
      let writer = writers.get(type);
      if (writer === undefined && !writers.has(type)) {
        writer = compileProtobufJsonWriter(type);
        writers.set(type, writer);
      }
      return writer?.(bytes, next);
    };
    return { decode, text };
  }
  const validate: ValidateFunction | undefined = validateJsonSchema
    ? compileJsonSchemaValidator(registered.schema, references)
    : undefined;
  const declared = validate === undefined ? new Set<string>() : declaredPropertyNames(registered, references);
  const decode: PayloadDecoder = (bytes, start) => {
    const text = decodeUtf8(bytes.subarray(start));
    if (validate === undefined) return decodeJsonText(text);
    // ajv knows numbers, not bigints: it checks the JSON.parse view, and the exact one is returned.
    const { exact, plain } = parseJsonViews(text);
    if (!validate(plain)) {
      const first = validate.errors?.[0];
      throw new JsonSchemaMismatch(
        `the payload does not match ${label}: ${first ? `${schemaOnlyPath(first.instancePath, declared, plain)} ${first.message ?? ''}` : 'invalid'}`,
      );
    }
    return exact;
  };
  // Without validation the payload is plain JSON text: the JSON format's text path applies as it is.
  const text: PayloadTextWriter = (bytes, start) => {
    const payload = bytes.subarray(start);
    return oneLineJson(payload, scanJson(payload));
  };
  return { decode, text: validate === undefined ? text : undefined };
}

/** Scanned JSON text on one line as it arrived (line breaks between tokens made spaces), or undefined. */
function oneLineJson(bytes: Uint8Array, scanned: ReturnType<typeof scanJson>): Uint8Array | undefined {
  if (scanned === SCAN_ONE_LINE) return bytes;
  if (scanned === SCAN_LINE_BREAKS) return withoutLineBreaks(bytes);
  return undefined;
}

/** Every property name the schema and its references declare: the only keys an error path may show. */
function declaredPropertyNames(
  registered: RegisteredSchema,
  references: readonly { readonly schema: { readonly schema: string } }[],
): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    const record = node as Record<string, unknown>;
    for (const keyword of ['properties', 'required', 'dependentRequired']) {
      const value = record[keyword];
      if (Array.isArray(value)) {
        for (const n of value) if (typeof n === 'string') names.add(n);
      } else if (value !== null && typeof value === 'object') {
        for (const n of Object.keys(value)) names.add(n);
      }
    }
    for (const child of Object.values(record)) walk(child);
  };
  for (const text of [registered.schema, ...references.map((r) => r.schema.schema)]) {
    try {
      walk(JSON.parse(text));
    } catch {
      // An unparsable reference fails compilation before any payload is checked.
    }
  }
  return names;
}

/**
 * The JSON Pointer ajv reports, with every key the schema does not declare replaced by `*`: under
 * additionalProperties or patternProperties the keys are the payload's own, and may be personal data. A
 * number is kept only where it indexes an array of the payload: an object key made of digits is data too.
 */
function schemaOnlyPath(instancePath: string, declared: ReadonlySet<string>, payload: unknown): string {
  if (instancePath === '') return '/';
  let node: unknown = payload;
  return instancePath
    .split('/')
    .map((segment, i) => {
      if (i === 0) return segment;
      const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
      const parent = node;
      node =
        parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[key] : undefined;
      if (Array.isArray(parent) && /^\d+$/.test(segment)) return segment;
      return declared.has(key) ? segment : '*';
    })
    .join('/');
}

class JsonSchemaMismatch extends Error {
  override readonly name = 'JsonSchemaMismatch';
}

class GuidLookupUnsupported extends Error {
  override readonly name = 'GuidLookupUnsupported';
}

/** Schemas (and unknown ids) one deserializer keeps decoded; a real topic uses a handful. */
export const MAX_CACHED_SCHEMAS = 1024;

/** The last header named `name`, as Confluent reads it; undefined when absent or without a value. */
function lastHeaderValue(headers: DeserializeContext['headers'], name: string): Uint8Array | undefined {
  if (headers === undefined) return undefined;
  for (let i = headers.length - 1; i >= 0; i--) {
    const header = headers[i]!;
    if (header.key === name) return header.value ?? undefined;
  }
  return undefined;
}

function schemaLabel(frame: SchemaIdFrame): string {
  return frame.guid === undefined ? `schema id ${frame.schemaId}` : `schema GUID ${frame.guid}`;
}

function registryDeserializer(
  format: 'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA',
  registry: SchemaRegistry,
  validateJsonSchema: boolean,
  strategy: SubjectNameStrategy,
  asText = false,
): JsonTextDeserializer {
  // Keyed by the numeric id or the GUID text: the two never collide, as a Map tells numbers from strings.
  const cache = new Map<number | string, CacheEntry>();
  const loading = new Map<number | string, Promise<CacheEntry>>();

  const fetchSchema = (frame: SchemaIdFrame): Promise<RegisteredSchema> => {
    if (frame.guid === undefined) return registry.getSchemaById(frame.schemaId);
    if (registry.getSchemaByGuid === undefined) {
      return Promise.reject(
        new GuidLookupUnsupported(
          `${schemaLabel(frame)} cannot be looked up: this registry client has no getSchemaByGuid`,
        ),
      );
    }
    return registry.getSchemaByGuid(frame.guid);
  };

  const load = (frame: SchemaIdFrame): Promise<CacheEntry> => {
    const cacheKey = frame.guid ?? frame.schemaId;
    const label = schemaLabel(frame);
    const pending = loading.get(cacheKey);
    if (pending !== undefined) return pending;
    const promise = (async (): Promise<CacheEntry> => {
      let registered: RegisteredSchema;
      try {
        registered = await fetchSchema(frame);
      } catch (error) {
        // An unknown id is a property of this record's bytes; auth and outages are not, so they propagate.
        if (error instanceof SchemaRegistryError && error.code === schemaRegistryErrorCodes.notFound) {
          const guidHint =
            frame.guid === undefined
              ? ''
              : ' (the registry must serve GET /schemas/guids/{guid}, as Confluent 8 and later do)';
          return {
            ok: false,
            code: deserializationErrorCodes.unknownSchema,
            reason: `${label} is not in the schema registry${guidHint}`,
            cause: error,
          };
        }
        if (error instanceof GuidLookupUnsupported) {
          return {
            ok: false,
            code: deserializationErrorCodes.unknownSchema,
            reason: error.message,
            cause: error,
          };
        }
        throw error;
      }
      try {
        const built = await buildPayloadDecoder(format, registry, registered, validateJsonSchema, label);
        return { ok: true, decode: built.decode, text: asText ? built.text : undefined };
      } catch (error) {
        if (error instanceof SchemaRegistryError && error.code !== schemaRegistryErrorCodes.notFound)
          throw error;
        return {
          ok: false,
          code: deserializationErrorCodes.invalidSchema,
          reason: `cannot use ${label}: ${describeCause(error)}`,
          cause: error,
        };
      }
    })();
    loading.set(cacheKey, promise);
    promise.then(
      (entry) => {
        // Bounded: garbage bytes carry random "ids", and each unknown one would otherwise stay cached forever.
        if (cache.size >= MAX_CACHED_SCHEMAS) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
        cache.set(cacheKey, entry);
        loading.delete(cacheKey);
      },
      () => loading.delete(cacheKey),
    );
    return promise;
  };

  const run = (
    entry: CacheEntry,
    bytes: Buffer,
    start: number,
    inHeader: HeaderFrame | undefined,
    context: DeserializeContext,
  ): JsonTextPart => {
    if (!entry.ok) {
      const subjectHint =
        entry.code === deserializationErrorCodes.unknownSchema && strategy === 'TopicNameStrategy'
          ? ` (its subject would be "${context.topic}-${context.part}")`
          : '';
      throw failure(context, format, entry.code, `${entry.reason}${subjectHint}`, entry.cause);
    }
    if (entry.text !== undefined && inHeader === undefined) {
      const text = entry.text(bytes, start);
      if (text !== undefined) return text;
    }
    try {
      const nulled = context.nulledFields;
      return nulled === undefined
        ? entry.decode(bytes, start, inHeader)
        : collectNulled(nulled, () => entry.decode(bytes, start, inHeader));
    } catch (error) {
      // Our own text: magic byte and lengths, never the bytes themselves.
      if (error instanceof WireFormatError)
        throw failure(context, format, deserializationErrorCodes.badFrame, error.message, error);
      if (error instanceof PlainDecodeError)
        throw decodeFailure(context, format, error.code, '', error, bytes);
      if (error instanceof JsonSchemaMismatch) {
        // ajv's messages quote schema values only (no `verbose`), and the path shows declared keys only.
        throw failure(context, format, deserializationErrorCodes.validationFailed, error.message, error);
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
    // Confluent's precedence: a schema id header wins over the payload, whose first byte may then be data.
    // Records without headers (the common case) skip the lookup at the length check.
    const headerName = context.part === 'key' ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER;
    const header =
      context.headers === undefined || context.headers.length === 0
        ? undefined
        : lastHeaderValue(context.headers, headerName);
    let frame: SchemaIdFrame;
    let start: number;
    let inHeader: HeaderFrame | undefined;
    try {
      if (header === undefined) {
        frame = readSchemaIdFrame(buffer);
        start = frame.next;
      } else {
        frame = readSchemaIdFrame(header, `header "${headerName}"`);
        start = 0;
        inHeader = { bytes: header, start: frame.next };
      }
    } catch (error) {
      if (error instanceof WireFormatError)
        throw failure(context, format, deserializationErrorCodes.badFrame, error.message, error);
      throw decodeFailure(context, format, deserializationErrorCodes.badFrame, '', error, buffer);
    }
    const entry = cache.get(frame.guid ?? frame.schemaId);
    if (entry !== undefined) return run(entry, buffer, start, inHeader, context);
    return load(frame).then((loaded) => run(loaded, buffer, start, inHeader, context));
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
      `The ${format} format needs a schema registry; set schema_registry.url`,
    );
  }
  // Without asText the registry deserializer never gives JSON text, only values.
  return registryDeserializer(
    format,
    options.registry,
    config.validateJsonSchema,
    config.subjectNameStrategy,
  ) as Deserializer;
}

/**
 * Decodes one key or value to its JSON text when that text can be had without building the value: UTF-8
 * bytes of valid JSON on one line, to be copied into the output as they are. Where it cannot (a BOM to drop,
 * a string key with characters to escape), it returns the decoded value instead, for the caller to serialize;
 * tell the two apart with `instanceof Uint8Array`. Bad bytes throw the same DeserializationError as the
 * format's Deserializer, whose reason never quotes the payload.
 */
export type JsonTextDeserializer = (
  bytes: Uint8Array | null,
  context: DeserializeContext,
) => JsonTextPart | Promise<JsonTextPart>;

/** A key or value from a JsonTextDeserializer: JSON text, the members of an object's text, or a value. */
export type JsonTextPart = Uint8Array | JsonObjectMembers | JsonValue;

/**
 * The text of a JSON object's members, without the braces (empty for `{}`), none of whose names starts with
 * `_` or holds an escape: what a flattened record copies in before the fields it adds.
 */
export class JsonObjectMembers {
  constructor(readonly bytes: Uint8Array) {}
}

export interface JsonTextOptions {
  /** Give the members of an object value as JsonObjectMembers where they qualify (flattened records). */
  readonly objectMembers?: boolean;
  /** For AVRO, PROTOBUF and JSON_SCHEMA: where their schemas are. */
  readonly registry?: SchemaRegistry | undefined;
}

/**
 * The text path of a format, or undefined when the format has none (its values are built as objects
 * anyway): JSON values go through as they arrived (validated, any CR or LF between tokens made a space, so
 * numbers keep every digit as sent), STRING keys and values are quoted without a decode when they are
 * printable ASCII without quotes or backslashes, AVRO messages whose schema has no logical types and
 * PROTOBUF messages of the schemas protobuf-json.ts writes are written from the binary to JSON text without
 * building the value, and JSON_SCHEMA payloads go through like JSON values when they are not validated (the
 * registry formats not for flattening).
 */
export function createJsonTextDeserializer(
  config: FormatConfig,
  options: JsonTextOptions = {},
): JsonTextDeserializer | undefined {
  if (config.format === 'AVRO' || config.format === 'PROTOBUF' || config.format === 'JSON_SCHEMA') {
    // Their records are flattened from the decoded value.
    if (options.objectMembers === true || options.registry === undefined) return undefined;
    return registryDeserializer(
      config.format,
      options.registry,
      config.validateJsonSchema,
      config.subjectNameStrategy,
      true,
    );
  }
  if (config.format === 'JSON') {
    const decode = plainDeserializer('JSON');
    const members = options.objectMembers === true;
    return (bytes, context) => {
      if (bytes === null) return null;
      const scanned = scanJson(bytes);
      if (scanned !== SCAN_INVALID && members) {
        const text = scanned === SCAN_ONE_LINE ? bytes : withoutLineBreaks(bytes);
        const inner = lastRootMembers(text);
        if (inner !== undefined) return new JsonObjectMembers(inner);
        // An object whose names may clash with the record's own fields is flattened from its value.
        if (text[skipLeadingSpace(text)] === 0x7b) return decode(bytes, context);
        return text;
      }
      // Not JSON, or JSON only after the strict decode drops a BOM: the decoding path has the answer and
      // the exact error.
      return oneLineJson(bytes, scanned) ?? decode(bytes, context);
    };
  }
  if (config.format === 'STRING') {
    const decode = plainDeserializer('STRING');
    return (bytes, context) => {
      if (bytes === null) return null;
      const quoted = quotedAscii(bytes);
      return quoted ?? decode(bytes, context);
    };
  }
  return undefined;
}

function skipLeadingSpace(bytes: Uint8Array): number {
  let i = 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
  return i;
}

/** `"` + bytes + `"` when every byte is printable ASCII other than `"` and `\`; undefined otherwise. */
function quotedAscii(bytes: Uint8Array): Uint8Array | undefined {
  const n = bytes.length;
  for (let k = 0; k < n; k++) {
    const c = bytes[k]!;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return undefined;
  }
  const out = Buffer.allocUnsafe(n + 2);
  out[0] = 0x22;
  out.set(bytes, 1);
  out[n + 1] = 0x22;
  return out;
}
