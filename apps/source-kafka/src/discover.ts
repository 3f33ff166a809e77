import type { JsonValue, StreamJsonSchema } from '@source-kafka/deserializers';
import type { RecordLayoutConfig } from '@source-kafka/spec';
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
    source_defined_primary_key: [[fieldNames.partition], [fieldNames.offset]],
  };
}
