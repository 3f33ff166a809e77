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
} as const;

export type SchemaRegistryErrorCode =
  (typeof schemaRegistryErrorCodes)[keyof typeof schemaRegistryErrorCodes];

/** Airbyte's failure types, so the app can report the right one without knowing HTTP. */
export type RegistryFailureType = 'config_error' | 'system_error' | 'transient_error';

export class SchemaRegistryError extends Error {
  override readonly name = 'SchemaRegistryError';
  readonly code: SchemaRegistryErrorCode;
  readonly failureType: RegistryFailureType;
  /** HTTP status, when the registry answered. */
  readonly status: number | undefined;

  constructor(
    code: SchemaRegistryErrorCode,
    failureType: RegistryFailureType,
    message: string,
    options?: { status?: number | undefined; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.failureType = failureType;
    this.status = options?.status;
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
