import type { FailureType } from '@source-kafka/airbyte-protocol';

// Errors raised by the connector itself. Each has a stable `code`, and keeps the underlying error as `cause`.

export const errorCodes = {
  invalidState: 'INVALID_STATE',
  invalidCatalog: 'INVALID_CATALOG',
  poisonMessage: 'POISON_MESSAGE',
  retentionGap: 'RETENTION_GAP',
  testTopicMissing: 'TEST_TOPIC_MISSING',
  registryUnavailable: 'REGISTRY_UNAVAILABLE',
  checkTimeout: 'CHECK_TIMEOUT',
  checkFailed: 'CHECK_FAILED',
  readStalled: 'READ_STALLED',
} as const;

export type ErrorCode = (typeof errorCodes)[keyof typeof errorCodes];

export class SourceKafkaError extends Error {
  readonly code: ErrorCode;
  /** The Airbyte failure type: `config_error` when the user can fix it through config, catalog or state. */
  readonly failureType: FailureType;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; failureType?: FailureType } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SourceKafkaError';
    this.code = code;
    this.failureType = options.failureType ?? 'system_error';
  }
}

export class InvalidCatalogError extends SourceKafkaError {
  constructor(message: string, cause?: unknown) {
    super(errorCodes.invalidCatalog, message, { cause, failureType: 'config_error' });
    this.name = 'InvalidCatalogError';
  }
}

/** A state offset below the log start under retention-gap policy `fail`. */
export class RetentionGapError extends SourceKafkaError {
  /** The stream (one per topic) the TRACE error names. */
  readonly streamDescriptor: { readonly name: string };

  constructor(topic: string, message: string) {
    super(errorCodes.retentionGap, message, { failureType: 'config_error' });
    this.name = 'RetentionGapError';
    this.streamDescriptor = { name: topic };
  }
}

export class InvalidStateError extends SourceKafkaError {
  /** The stream whose state is malformed, when it is one stream's: the TRACE error names it. */
  readonly streamDescriptor: { readonly name: string } | undefined;

  constructor(message: string, cause?: unknown, stream?: string) {
    super(errorCodes.invalidState, message, { cause, failureType: 'config_error' });
    this.name = 'InvalidStateError';
    this.streamDescriptor = stream === undefined ? undefined : { name: stream };
  }
}

/** A message that cannot be decoded, under the `fail` policy. */
export class PoisonMessageError extends SourceKafkaError {
  readonly topic: string;
  /** The stream (one per topic) the TRACE error names. */
  readonly streamDescriptor: { readonly name: string };
  readonly partition: number;
  readonly offset: string;

  constructor(topic: string, partition: number, offset: string, reason: string, cause?: unknown) {
    super(
      errorCodes.poisonMessage,
      `Cannot decode the message at topic "${topic}", partition ${partition}, offset ${offset}: ${reason}. ` +
        'Fix or delete the message, or set the bad-message policy to skip.',
      { cause, failureType: 'config_error' },
    );
    this.name = 'PoisonMessageError';
    this.topic = topic;
    this.streamDescriptor = { name: topic };
    this.partition = partition;
    this.offset = offset;
  }
}

/**
 * The brokers stopped sending records before the end offsets snapshotted at the start were reached (a broker
 * frozen or gone): the state covers what was written, and a retry goes on from it.
 */
export class ReadStalledError extends SourceKafkaError {
  /** The streams that stopped short of their snapshotted end. */
  readonly streams: readonly string[];

  constructor(streams: readonly string[]) {
    const named = streams.map((s) => `"${s}"`).join(', ');
    super(
      errorCodes.readStalled,
      `The Kafka brokers stopped sending records before the sync reached the end offsets snapshotted at its start ` +
        `(stream(s) ${named || 'none'} stopped short): a broker may be stalled or gone. The state covers every ` +
        'record written; the next sync goes on from it.',
      { failureType: 'transient_error' },
    );
    this.name = 'ReadStalledError';
    this.streams = streams;
  }
}
