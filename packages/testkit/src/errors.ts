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

export const apicurioErrorCodes = {
  distributionUnavailable: 'APICURIO_DISTRIBUTION_UNAVAILABLE',
  javaMissing: 'APICURIO_JAVA_MISSING',
  portInUse: 'APICURIO_PORT_IN_USE',
  startFailed: 'APICURIO_START_FAILED',
  stopFailed: 'APICURIO_STOP_FAILED',
  notRunning: 'APICURIO_NOT_RUNNING',
  invalidSetting: 'APICURIO_INVALID_SETTING',
} as const;

export type ApicurioErrorCode = (typeof apicurioErrorCodes)[keyof typeof apicurioErrorCodes];

/** Anything that goes wrong while fetching, starting, probing or stopping the test Apicurio Registry. */
export class ApicurioError extends Error {
  override readonly name = 'ApicurioError';
  readonly code: ApicurioErrorCode;

  constructor(code: ApicurioErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
