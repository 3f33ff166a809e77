export const brokerErrorCodes = {
  jarsUnavailable: 'BROKER_JARS_UNAVAILABLE',
  toolMissing: 'BROKER_TOOL_MISSING',
  portInUse: 'BROKER_PORT_IN_USE',
  startFailed: 'BROKER_START_FAILED',
  stopFailed: 'BROKER_STOP_FAILED',
  versionMismatch: 'BROKER_VERSION_MISMATCH',
  configMismatch: 'BROKER_CONFIG_MISMATCH',
  notRunning: 'BROKER_NOT_RUNNING',
  lockTimeout: 'BROKER_LOCK_TIMEOUT',
  invalidSetting: 'BROKER_INVALID_SETTING',
} as const;

export type BrokerErrorCode = (typeof brokerErrorCodes)[keyof typeof brokerErrorCodes];

/** What a test service's errors carry: a stable code for programs, a message for people, the cause. */
export abstract class TestServiceError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Anything that goes wrong while fetching, starting, probing or stopping the test broker. */
export class BrokerError extends TestServiceError<BrokerErrorCode> {
  override readonly name = 'BrokerError';
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
export class ApicurioError extends TestServiceError<ApicurioErrorCode> {
  override readonly name = 'ApicurioError';
}
