// Contract of the deserializers package. It knows nothing of kafkajs: callers pass plain bytes.

/**
 * A decoded value. Integers beyond ±(2^53−1) are `bigint`, so they stay exact; write them as JSON numbers
 * with every digit (JSON.stringify refuses bigints: @source-kafka/airbyte-protocol's writer handles them).
 */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface DeserializeContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly part: 'key' | 'value';
  readonly headers?: ReadonlyArray<{ readonly key: string; readonly value: Uint8Array | null }>;
  /**
   * When given, the deserializer appends the path of each value it wrote as null because JSON cannot hold
   * it (a NaN or infinite Avro/Protobuf float): field names and array indexes joined by dots from the
   * decoded root, '' for the root itself. The caller empties it between messages.
   */
  readonly nulledFields?: string[] | undefined;
}

/**
 * Decodes one key or value. Synchronous when everything it needs is cached, so the hot path has no await;
 * it returns a Promise only when it must first fetch a schema from the registry.
 * Throws (or rejects with) DeserializationError for bad bytes.
 */
export type Deserializer = (
  bytes: Uint8Array | null,
  context: DeserializeContext,
) => JsonValue | Promise<JsonValue>;

export type RegistrySchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

export interface SchemaReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

export interface RegisteredSchema {
  /** 0 when the schema was looked up by GUID and the registry did not also give its id. */
  readonly id: number;
  /** The schema's GUID (Confluent 8), when the registry gave one. */
  readonly guid?: string | undefined;
  readonly schemaType: RegistrySchemaType;
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  readonly subject?: string | undefined;
  readonly version?: number | undefined;
}

/** What the package needs of a Confluent-compatible registry. Tests and other connectors may substitute it. */
export interface SchemaRegistry {
  getSchemaById(id: number): Promise<RegisteredSchema>;
  /** For messages framed with a schema GUID (magic byte 1); without it such messages cannot be decoded. */
  getSchemaByGuid?(guid: string): Promise<RegisteredSchema>;
  getLatestSchema(subject: string): Promise<RegisteredSchema>;
  getSchemaBySubjectVersion(subject: string, version: number | 'latest'): Promise<RegisteredSchema>;
  listSubjects(): Promise<string[]>;
}

/** A JSON Schema (draft-07) object, as used in an Airbyte stream's `json_schema`. */
export type StreamJsonSchema = { readonly [key: string]: JsonValue };
