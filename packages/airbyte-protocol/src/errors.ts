import type { FailureType } from './messages.js';

export const protocolErrorCodes = {
  usage: 'AIRBYTE_USAGE',
  inputFile: 'AIRBYTE_INPUT_FILE',
  catalog: 'AIRBYTE_INVALID_CATALOG',
  state: 'AIRBYTE_INVALID_STATE',
  writerClosed: 'AIRBYTE_WRITER_CLOSED',
} as const;
export type ProtocolErrorCode = (typeof protocolErrorCodes)[keyof typeof protocolErrorCodes];

/** Base of this package's errors. `failureType` is what the runner reports in a TRACE ERROR. */
export class AirbyteProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly failureType: FailureType;

  constructor(
    code: ProtocolErrorCode,
    failureType: FailureType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AirbyteProtocolError';
    this.code = code;
    this.failureType = failureType;
  }
}

/** Bad command line: unknown command, missing or repeated flag. */
export class UsageError extends AirbyteProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(protocolErrorCodes.usage, 'config_error', message, options);
    this.name = 'UsageError';
  }
}

/** A --config/--catalog/--state file that is missing, unreadable or not JSON. */
export class InputFileError extends AirbyteProtocolError {
  readonly flag: string;
  readonly path: string;

  constructor(flag: string, path: string, message: string, options?: { cause?: unknown }) {
    super(protocolErrorCodes.inputFile, 'config_error', message, options);
    this.name = 'InputFileError';
    this.flag = flag;
    this.path = path;
  }
}

/** A ConfiguredAirbyteCatalog that does not match the protocol. */
export class InvalidCatalogError extends AirbyteProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(protocolErrorCodes.catalog, 'config_error', message, options);
    this.name = 'InvalidCatalogError';
  }
}

/** A --state input in neither the list-of-STATE-messages form nor the legacy single-object form. */
export class InvalidStateError extends AirbyteProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(protocolErrorCodes.state, 'config_error', message, options);
    this.name = 'InvalidStateError';
  }
}

/** A write after close(): a connector bug, so a system error. */
export class WriterClosedError extends AirbyteProtocolError {
  constructor() {
    super(
      protocolErrorCodes.writerClosed,
      'system_error',
      'The message writer is closed; nothing more can be written.',
    );
    this.name = 'WriterClosedError';
  }
}
