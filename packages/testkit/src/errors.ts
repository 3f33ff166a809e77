export const brokerErrorCodes = {
  jarsUnavailable: 'BROKER_JARS_UNAVAILABLE',
  toolMissing: 'BROKER_TOOL_MISSING',
  portInUse: 'BROKER_PORT_IN_USE',
  startFailed: 'BROKER_START_FAILED',
  stopFailed: 'BROKER_STOP_FAILED',
  versionMismatch: 'BROKER_VERSION_MISMATCH',
  notRunning: 'BROKER_NOT_RUNNING',
  lockTimeout: 'BROKER_LOCK_TIMEOUT',
  invalidSetting: 'BROKER_INVALID_SETTING',
} as const;

export type BrokerErrorCode = (typeof brokerErrorCodes)[keyof typeof brokerErrorCodes];

/** Anything that goes wrong while fetching, starting, probing or stopping the test broker. */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  readonly code: BrokerErrorCode;

  constructor(code: BrokerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
