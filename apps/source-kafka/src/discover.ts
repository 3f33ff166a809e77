import type { ConnectorLogger } from '@source-kafka/airbyte-protocol';
import type { KafkaRecord } from '@source-kafka/consumer';
import {
  type InferenceReport,
  inferJsonSchema,
  type JsonValue,
  type SchemaRegistry,
  type StreamJsonSchema,
  StreamSchemaError,
  type StreamSchemaRequest,
  type SubjectReport,
  streamSchemaFor,
} from '@source-kafka/deserializers';
import {
  type FormatConfig,
  type KafkaSourceConfig,
  type RecordLayoutConfig,
  recordNamesForTopic,
} from '@source-kafka/spec';
import {
  asConnectEnvelope,
  connectSchemaToJsonSchema,
  debeziumRowSchemaFromConnect,
  debeziumRowSchemaFromEnvelope,
  type EnvelopeKind,
  isJsonObject,
} from './envelope.js';
import { fieldNames } from './fields.js';

/** The part of an Airbyte stream this connector fills in; structurally an AirbyteStream. */
export interface DiscoveredStream {
  readonly name: string;
  readonly json_schema: StreamJsonSchema;
  readonly supported_sync_modes: ['full_refresh', 'incremental'];
  readonly source_defined_cursor: true;
  readonly default_cursor_field?: string[];
  readonly source_defined_primary_key?: string[][];
  readonly is_resumable: true;
}

type Schema = { [key: string]: JsonValue };

/** Lets a schema accept null too: tombstones have a null value, and many keys are null. */
export function nullable(schema: StreamJsonSchema): Schema {
  const copy: Schema = { ...schema };
  const type = copy.type;
  if (typeof type === 'string') {
    if (type !== 'null') copy.type = ['null', type];
    return copy;
  }
  if (Array.isArray(type)) {
    if (!type.includes('null')) copy.type = ['null', ...type];
    return copy;
  }
  if (!('type' in copy) && !('anyOf' in copy) && !('oneOf' in copy) && !('$ref' in copy)) return copy;
  return { anyOf: [copy, { type: 'null' }] };
}

const headerSchema: Schema = {
  type: ['null', 'array'],
  description: 'Message headers; duplicates kept in order (different keys come grouped by key).',
  items: {
    type: 'object',
    required: ['key', 'value', 'encoding'],
    properties: {
      key: { type: 'string' },
      value: { type: ['null', 'string'] },
      encoding: { type: 'string', enum: ['utf8', 'base64'] },
    },
  },
};

function metadataProperties(layout: RecordLayoutConfig, keySchema: StreamJsonSchema): Schema {
  const properties: Schema = {};
  if (layout.includeKey) properties[fieldNames.key] = nullable(keySchema);
  if (layout.includeHeaders) properties[fieldNames.headers] = headerSchema;
  if (layout.includeMetadata) {
    properties[fieldNames.topic] = { type: 'string' };
    properties[fieldNames.partition] = { type: 'integer' };
    properties[fieldNames.offset] = { type: 'integer' };
    properties[fieldNames.timestamp] = {
      type: ['null', 'string'],
      format: 'date-time',
      airbyte_type: 'timestamp_with_timezone',
    };
    properties[fieldNames.timestampType] = { type: 'string', enum: ['CreateTime', 'LogAppendTime'] };
  }
  properties[fieldNames.isTombstone] = {
    type: 'boolean',
    description: 'True for a tombstone (a null value): a delete of this key.',
  };
  return properties;
}

function isObjectSchema(schema: StreamJsonSchema): boolean {
  const type = schema.type;
  const props = schema.properties;
  const hasProps = props !== null && typeof props === 'object' && !Array.isArray(props);
  return hasProps && (type === 'object' || (Array.isArray(type) && type.includes('object')));
}

export interface StreamSchemaInput {
  readonly topic: string;
  readonly valueSchema: StreamJsonSchema;
  readonly keySchema: StreamJsonSchema;
  readonly layout: RecordLayoutConfig;
}

/**
 * Builds the record schema of one topic, matching what `buildRecordData` writes. No part of it sets
 * `additionalProperties: false`, not even where a registry schema did: Airbyte's catalog checks refuse a
 * closed schema, because removing a field later would then break saved connections.
 */
export function buildRecordSchema(input: StreamSchemaInput): Schema {
  const { layout } = input;
  const valueSchema = openSchema(input.valueSchema);
  const metadata = metadataProperties(layout, openSchema(input.keySchema));
  const properties: Schema = {};
  if (layout.value === 'flatten') {
    if (isObjectSchema(valueSchema)) {
      Object.assign(properties, valueSchema.properties as Schema);
      // Non-object values (and tombstones) land under `value` even in the flattened layout.
      properties[fieldNames.value] = { description: 'The value, when it is not a JSON object.' };
    } else {
      properties[fieldNames.value] = nullable(valueSchema);
    }
  } else {
    properties[fieldNames.value] = nullable(valueSchema);
  }
  Object.assign(properties, metadata);
  if (layout.primaryKey === 'message_key') Object.assign(properties, messageKeyProperties(input.keySchema));
  if (layout.envelope === 'debezium') Object.assign(properties, debeziumCdcProperties());
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: true,
    properties,
  };
}

/** Keywords whose value is one subschema, or a list of them (`items` may be either). */
const SUBSCHEMA_KEYWORDS = new Set([
  'additionalItems',
  'additionalProperties',
  'contains',
  'else',
  'if',
  'items',
  'not',
  'propertyNames',
  'then',
  'allOf',
  'anyOf',
  'oneOf',
]);
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependencies',
]);

/** A copy of a JSON schema with every `additionalProperties: false` removed, at any depth. */
export function openSchema(schema: StreamJsonSchema): Schema {
  const out: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'additionalProperties' && value === false) continue;
    if (SUBSCHEMA_KEYWORDS.has(keyword)) out[keyword] = openSubschemas(value);
    else if (SUBSCHEMA_MAP_KEYWORDS.has(keyword) && isSchemaObject(value)) {
      const map: Schema = {};
      for (const [name, child] of Object.entries(value)) map[name] = openSubschemas(child);
      out[keyword] = map;
    } else out[keyword] = value;
  }
  return out;
}

function openSubschemas(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(openSubschemas);
  return isSchemaObject(value) ? openSchema(value) : value;
}

function isSchemaObject(value: JsonValue | undefined): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function buildStream(input: StreamSchemaInput): DiscoveredStream {
  const stream: DiscoveredStream = {
    name: input.topic,
    json_schema: buildRecordSchema(input),
    supported_sync_modes: ['full_refresh', 'incremental'],
    source_defined_cursor: true,
    is_resumable: true,
  };
  if (!input.layout.includeMetadata) return stream;
  return {
    ...stream,
    default_cursor_field: [fieldNames.offset],
    source_defined_primary_key:
      input.layout.primaryKey === 'message_key'
        ? messageKeyPrimaryKey(input.keySchema)
        : [[fieldNames.partition], [fieldNames.offset]],
  };
}

/** The top-level fields of an object key schema; undefined for any other key (a scalar, or untyped JSON). */
function keyObjectFields(keySchema: StreamJsonSchema): Schema | undefined {
  const schema = openSchema(keySchema);
  return isObjectSchema(schema) ? (schema.properties as Schema) : undefined;
}

/**
 * With the message key as primary key: the key's fields as `_kafka_key_<field>` columns (an object key), and
 * Airbyte's CDC columns. The prefix keeps them clear of the value's fields under flatten.
 */
function messageKeyProperties(keySchema: StreamJsonSchema): Schema {
  const properties: Schema = {};
  const fields = keyObjectFields(keySchema) ?? {};
  for (const [name, schema] of Object.entries(fields)) {
    properties[`${fieldNames.keyFieldPrefix}${name}`] = isSchemaObject(schema) ? nullable(schema) : {};
  }
  const time = { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
  properties[fieldNames.updatedAt] = { ...time, description: 'The message timestamp.' };
  properties[fieldNames.deletedAt] = {
    ...time,
    description: 'Set on a tombstone (a null value): the key was deleted at this time.',
  };
  return properties;
}

function debeziumCdcProperties(): Schema {
  const time = { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
  return {
    [fieldNames.updatedAt]: {
      ...time,
      description: 'When the database made the change (Debezium source.ts_ms), else the message timestamp.',
    },
    [fieldNames.deletedAt]: {
      ...time,
      description: 'Set on a delete (Debezium op d; the row is its before image), at the time of the change.',
    },
  };
}

function messageKeyPrimaryKey(keySchema: StreamJsonSchema): string[][] {
  const fields = keyObjectFields(keySchema);
  if (fields === undefined || Object.keys(fields).length === 0) return [[fieldNames.key]];
  return Object.keys(fields).map((name) => [`${fieldNames.keyFieldPrefix}${name}`]);
}

const ANY_ROW: StreamJsonSchema = { description: 'Any JSON value: no sampled message described the rows' };

/** The embedded Connect schema of the newest sample in `{schema, payload}` form. */
function newestConnectSchema(samples: readonly JsonValue[]): JsonValue | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const envelope = asConnectEnvelope(samples[i] ?? null);
    if (envelope?.schema) return envelope.schema;
  }
  return undefined;
}

/**
 * The row schema of JSON values under an envelope: from the newest embedded schema a sample carries, else
 * (schemaless events) inferred from the sampled rows when inference is on, else any JSON.
 */
export function envelopeRowSchema(
  envelope: Exclude<EnvelopeKind, 'none'>,
  samples: readonly JsonValue[],
  infer: boolean,
): StreamJsonSchema {
  const embedded = newestConnectSchema(samples);
  if (embedded !== undefined) {
    const row =
      envelope === 'debezium' ? debeziumRowSchemaFromConnect(embedded) : connectSchemaToJsonSchema(embedded);
    if (row !== undefined) return row;
  }
  if (!infer) return ANY_ROW;
  const rows: JsonValue[] = [];
  for (const sample of samples) {
    const event = asConnectEnvelope(sample)?.payload ?? sample;
    if (envelope === 'connect_json') {
      rows.push(event);
      continue;
    }
    if (!isJsonObject(event)) continue;
    const row = event.op === 'd' ? event.before : event.after;
    if (isJsonObject(row)) rows.push(row);
  }
  return rows.length === 0 ? ANY_ROW : inferJsonSchema(rows);
}

const REGISTRY_FORMATS: ReadonlySet<string> = new Set(['AVRO', 'PROTOBUF', 'JSON_SCHEMA']);

/** Where a part's format lives in the config, for messages that tell the user what to set. */
const formatField = { value: 'MessageFormat', key: 'key_format' } as const;

export interface DiscoverInput {
  readonly topics: readonly { readonly name: string }[];
  readonly config: Pick<KafkaSourceConfig, 'keyFormat' | 'valueFormat' | 'layout'> &
    Partial<Pick<KafkaSourceConfig, 'schemaInferenceSampleSize'>>;
  readonly registry: SchemaRegistry | undefined;
  readonly logger: Pick<ConnectorLogger, 'info' | 'warn'>;
  /**
   * Newest records per topic: their Protobuf message indexes choose the message a topic is typed by, and
   * JSON keys and values are typed from them (schema inference, unless its sample size is 0).
   */
  readonly samples?: ReadonlyMap<string, readonly KafkaRecord[]> | undefined;
  /** The schema source; tests inject failures here. Defaults to the registry-backed `streamSchemaFor`. */
  readonly streamSchema?: ((request: StreamSchemaRequest) => Promise<StreamJsonSchema>) | undefined;
}

function fallbackSchema(error: StreamSchemaError): StreamJsonSchema {
  const id = error.schemaId === undefined ? '' : ` (schema id ${error.schemaId})`;
  return {
    type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
    description: `The schema of subject "${error.subject}"${id} could not be read when this catalog was discovered; any JSON value`,
  };
}

function describeSubjects(report: SubjectReport): string {
  const used =
    report.used.length === 0
      ? 'none'
      : report.used.map((u) => `"${u.subject}" (schema id ${u.schemaId})`).join(', ');
  const missing =
    report.missing.length === 0 ? '' : `; not registered: ${report.missing.map((m) => `"${m}"`).join(', ')}`;
  return `${used}${missing}`;
}

function describeInference(topic: string, part: 'key' | 'value', report: InferenceReport): string {
  const read = `Topic "${topic}" ${part}: schema inference read ${report.sampled} message(s)`;
  if (report.used === 0) return `${read}, none with a JSON ${part} to type; declared as any JSON.`;
  const undecodable = report.undecodable === 0 ? '' : `; ${report.undecodable} were not valid JSON`;
  return `${read} and typed the ${part} from ${report.used} of them${undecodable}.`;
}

/**
 * The streams of a catalog, one per topic, in name order. A topic part whose schema cannot be read gets an
 * honest "any JSON" schema and a WARN naming topic, subject and schema id, so one bad subject never costs the
 * other topics their streams; trouble with the registry itself (credentials, TLS, outage) still fails.
 */
export async function discoverStreams(input: DiscoverInput): Promise<DiscoveredStream[]> {
  const { config, registry, logger } = input;
  const streamSchema = input.streamSchema ?? streamSchemaFor;
  for (const part of ['value', 'key'] as const) {
    const format = part === 'value' ? config.valueFormat : config.keyFormat;
    if (part === 'key' && !config.layout.includeKey) continue;
    if (
      REGISTRY_FORMATS.has(format.format) &&
      format.subjectNameStrategy === 'RecordNameStrategy' &&
      format.recordNames === undefined
    ) {
      logger.warn(
        `The ${part}s use RecordNameStrategy without record names, so discover cannot tell which registry subjects belong to which topic and declares every ${part} as any JSON. Set ${formatField[part]}.record_names to the fully qualified record names the topics carry to get typed streams; reading decodes every message either way.`,
      );
    }
  }

  const inferenceOn = (config.schemaInferenceSampleSize ?? 0) > 0;
  const schemaOf = async (topic: string, part: 'key' | 'value', format: FormatConfig) => {
    const usesRegistry = REGISTRY_FORMATS.has(format.format);
    const recordNames = recordNamesForTopic(format.recordNames, topic);
    if (
      usesRegistry &&
      format.subjectNameStrategy === 'RecordNameStrategy' &&
      format.recordNames !== undefined &&
      recordNames === undefined
    ) {
      logger.warn(
        `Topic "${topic}": no entry of ${formatField[part]}.record_names applies to it, so its ${part} is declared as any JSON; add "${topic}:<record name>" entries to type it.`,
      );
    }
    try {
      return await streamSchema({
        topic,
        part,
        format,
        registry,
        recordNames,
        samples: (input.samples?.get(topic) ?? []).map((record) =>
          part === 'value' ? record.value : record.key,
        ),
        inferJson: (config.schemaInferenceSampleSize ?? 0) > 0,
        onInference: (report) => logger.info(describeInference(topic, part, report)),
        onSubjects: (report) => {
          if (usesRegistry && format.subjectNameStrategy !== 'TopicNameStrategy') {
            logger.info(`Topic "${topic}" ${part}: schema from subjects ${describeSubjects(report)}.`);
          }
        },
      });
    } catch (error) {
      if (!(error instanceof StreamSchemaError)) throw error;
      logger.warn(
        `Topic "${topic}": the ${part} schema of subject "${error.subject}"${error.schemaId === undefined ? '' : ` (schema id ${error.schemaId})`} cannot be read (${error.reason}); the stream is declared with its ${part} as any JSON.`,
      );
      return fallbackSchema(error);
    }
  };

  const envelope = config.layout.envelope ?? 'none';
  const samplesOf = (topic: string, part: 'key' | 'value'): JsonValue[] => {
    const parsed: JsonValue[] = [];
    for (const record of input.samples?.get(topic) ?? []) {
      const bytes = part === 'value' ? record.value : record.key;
      if (bytes === null) continue;
      try {
        parsed.push(JSON.parse(bytes.toString('utf8')) as JsonValue);
      } catch {
        // Not JSON: reading reports it as a bad message; typing goes by the other samples.
      }
    }
    return parsed;
  };

  const streams: DiscoveredStream[] = [];
  for (const topic of [...input.topics].sort((a, b) => a.name.localeCompare(b.name))) {
    let valueSchema: StreamJsonSchema;
    if (envelope === 'none') valueSchema = await schemaOf(topic.name, 'value', config.valueFormat);
    else if (config.valueFormat.format === 'JSON') {
      const samples = samplesOf(topic.name, 'value');
      valueSchema = envelopeRowSchema(envelope, samples, inferenceOn);
      logger.info(
        `Topic "${topic.name}" value: typed the rows of ${envelope === 'debezium' ? 'Debezium change events' : 'Kafka Connect JSON'} from ${samples.length} sampled message(s).`,
      );
    } else {
      const envelopeSchema = await schemaOf(topic.name, 'value', config.valueFormat);
      const row = debeziumRowSchemaFromEnvelope(envelopeSchema);
      if (row === undefined) {
        logger.warn(
          `Topic "${topic.name}": the value schema has no after field of a record type, so it does not describe Debezium change events; the rows are declared as any JSON.`,
        );
      }
      valueSchema = row ?? ANY_ROW;
    }
    let keySchema: StreamJsonSchema = {};
    if (config.layout.includeKey) {
      const connectKey =
        envelope !== 'none' && config.keyFormat.format === 'JSON'
          ? newestConnectSchema(samplesOf(topic.name, 'key'))
          : undefined;
      keySchema =
        connectKey === undefined
          ? await schemaOf(topic.name, 'key', config.keyFormat)
          : connectSchemaToJsonSchema(connectKey);
    }
    streams.push(buildStream({ topic: topic.name, valueSchema, keySchema, layout: config.layout }));
  }
  return streams;
}
