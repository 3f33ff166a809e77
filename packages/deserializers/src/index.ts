export { decimalText } from './avro.js';
export type { CreateDeserializerOptions } from './create-deserializer.js';
export { createDeserializer } from './create-deserializer.js';
export type {
  DeserializationErrorCode,
  DeserializationErrorDetails,
  SchemaRegistryErrorCode,
} from './errors.js';
export {
  DeserializationError,
  deserializationErrorCodes,
  isRegistryConnectionError,
  SchemaRegistryError,
  StreamSchemaError,
  schemaRegistryErrorCodes,
} from './errors.js';
export type { InferenceLimits, JsonShape } from './json-inference.js';
export {
  DEFAULT_INFERENCE_MAX_DEPTH,
  DEFAULT_INFERENCE_MAX_PROPERTIES,
  EMPTY_SHAPE,
  inferJsonSchema,
  isRfc3339DateTime,
  mergeShapes,
  schemaOfShape,
  shapeOf,
  shapeOfValues,
} from './json-inference.js';
export type { HttpGet, HttpResponse, RegistryClock, SchemaRegistryClientOptions } from './registry-client.js';
export { ConfluentSchemaRegistryClient, createSchemaRegistryClient } from './registry-client.js';
export {
  avroToJsonSchema,
  DEFAULT_MAX_RECURSION_DEPTH,
  LONG_SCHEMA,
  protobufToJsonSchema,
  registeredJsonSchemaToStreamSchema,
} from './schema-convert.js';
export type { InferenceReport, StreamSchemaRequest, SubjectReport } from './stream-schema.js';
export {
  protobufMessagesOfSamples,
  streamSchemaFor,
  streamSchemaOfRegistered,
  subjectsFor,
} from './stream-schema.js';
export type {
  DeserializeContext,
  Deserializer,
  JsonValue,
  RegisteredSchema,
  RegistrySchemaType,
  SchemaReference,
  SchemaRegistry,
  StreamJsonSchema,
} from './types.js';
export type { ConfluentFrame, SchemaIdFrame } from './wire.js';
export {
  CONFLUENT_GUID_MAGIC_BYTE,
  CONFLUENT_MAGIC_BYTE,
  KEY_SCHEMA_ID_HEADER,
  readConfluentFrame,
  readMessageIndexes,
  readSchemaIdFrame,
  VALUE_SCHEMA_ID_HEADER,
} from './wire.js';
