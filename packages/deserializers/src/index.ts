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
