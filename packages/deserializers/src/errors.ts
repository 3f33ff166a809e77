import type { MessageFormat } from '@source-kafka/spec';

export const deserializationErrorCodes = {
  invalidJson: 'INVALID_JSON',
  invalidUtf8: 'INVALID_UTF8',
  badFrame: 'BAD_FRAME',
  unknownSchema: 'UNKNOWN_SCHEMA',
  invalidSchema: 'INVALID_SCHEMA',
  decodeFailed: 'DECODE_FAILED',
  validationFailed: 'VALIDATION_FAILED',
} as const;

export type DeserializationErrorCode =
  (typeof deserializationErrorCodes)[keyof typeof deserializationErrorCodes];

export interface DeserializationErrorDetails {
  readonly code: DeserializationErrorCode;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly part: 'key' | 'value';
  readonly format: MessageFormat;
  /** What was wrong with the bytes, for humans. Never holds the payload itself. */
  readonly reason: string;
  readonly cause?: unknown;
}

/** A key or value that cannot be decoded. The message names where the record is and what was found. */
export class DeserializationError extends Error {
  override readonly name = 'DeserializationError';
  readonly code: DeserializationErrorCode;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly part: 'key' | 'value';
  readonly format: MessageFormat;
  readonly reason: string;

  constructor(details: DeserializationErrorDetails) {
    super(
      `Cannot decode the ${details.part} of topic "${details.topic}" partition ${details.partition} offset ${details.offset} as ${details.format}: ${details.reason}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = details.code;
    this.topic = details.topic;
    this.partition = details.partition;
    this.offset = details.offset;
    this.part = details.part;
    this.format = details.format;
    this.reason = details.reason;
  }
}

export const schemaRegistryErrorCodes = {
  unauthorized: 'REGISTRY_UNAUTHORIZED',
  notFound: 'REGISTRY_NOT_FOUND',
  unavailable: 'REGISTRY_UNAVAILABLE',
  badResponse: 'REGISTRY_BAD_RESPONSE',
  notConfigured: 'REGISTRY_NOT_CONFIGURED',
  /** schema_registry.url does not parse as a URL. */
  invalidUrl: 'REGISTRY_INVALID_URL',
  /** The TLS handshake failed, or the registry answered TLS in plain HTTP. */
  tlsFailed: 'REGISTRY_TLS_FAILED',
} as const;

export type SchemaRegistryErrorCode =
  (typeof schemaRegistryErrorCodes)[keyof typeof schemaRegistryErrorCodes];

/**
 * The registry refused, failed or could not be reached. `code` says which, so a caller tells a config to fix
 * (unauthorized, not found, invalid URL, TLS) from an outage (unavailable) and a registry bug (bad response)
 * without knowing HTTP.
 */
export class SchemaRegistryError extends Error {
  override readonly name = 'SchemaRegistryError';
  readonly code: SchemaRegistryErrorCode;
  /** HTTP status, when the registry answered. */
  readonly status: number | undefined;

  constructor(
    code: SchemaRegistryErrorCode,
    message: string,
    options?: { status?: number | undefined; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options?.status;
  }
}

/** Registry trouble that concerns every subject alike (credentials, TLS, outage), not one schema. */
export function isRegistryConnectionError(error: unknown): boolean {
  return (
    error instanceof SchemaRegistryError &&
    (error.code === schemaRegistryErrorCodes.unauthorized ||
      error.code === schemaRegistryErrorCodes.unavailable ||
      error.code === schemaRegistryErrorCodes.tlsFailed ||
      error.code === schemaRegistryErrorCodes.notConfigured)
  );
}

/**
 * One topic part's schema cannot be read or converted: a property of that subject, not of the connection,
 * so discover can go on with the other topics. Names the subject and, once known, the schema id.
 */
export class StreamSchemaError extends Error {
  override readonly name = 'StreamSchemaError';
  readonly code = 'STREAM_SCHEMA_UNREADABLE';
  readonly topic: string;
  readonly part: 'key' | 'value';
  readonly subject: string;
  readonly schemaId: number | undefined;
  /** What went wrong, without the topic/subject preamble. */
  readonly reason: string;

  constructor(
    details: { topic: string; part: 'key' | 'value'; subject: string; schemaId?: number | undefined },
    cause: unknown,
  ) {
    const reason = describeCause(cause);
    super(
      `Cannot read the ${details.part} schema of topic "${details.topic}" from subject "${details.subject}"${details.schemaId === undefined ? '' : ` (schema id ${details.schemaId})`}: ${reason}`,
      { cause },
    );
    this.topic = details.topic;
    this.part = details.part;
    this.subject = details.subject;
    this.schemaId = details.schemaId;
    this.reason = reason;
  }
}

/** Short description of a thrown value for error reasons; never includes a stack. */
export function describeCause(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Shortest run of payload characters that counts as quoting the payload; shorter runs match by chance. */
const QUOTE_RUN = 6;
const WITHHELD = '(text of the message withheld)';

/**
 * A library's error text made safe for logs: a message's bytes may be personal data, and libraries quote them
 * (V8's JSON.parse quotes the input around the error, `Unexpected token 'S', "SSN 123-45"... is not valid
 * JSON`). Quoted text is dropped, and the whole text is if a run of QUOTE_RUN of its characters (other than
 * digits and spaces) is found in the payload.
 */
export function withoutPayload(text: string, payload: Uint8Array): string {
  const pieces = text.split(/,? ?(?:\.\.\.)?['"][\s\S]*['"](?:\.\.\.)?/);
  const buffer = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const forms = [buffer.toString('utf8'), buffer.toString('latin1')];
  for (const piece of pieces) {
    for (let i = 0; i + QUOTE_RUN <= piece.length; i++) {
      const run = piece.slice(i, i + QUOTE_RUN);
      if (/^[\s\d]*$/.test(run)) continue;
      if (forms.some((form) => form.includes(run)))
        return `the decoder's reason quotes the message; ${WITHHELD.slice(1, -1)}`;
    }
  }
  return pieces.join(` ${WITHHELD} `).replace(/ {2,}/g, ' ').trim();
}
