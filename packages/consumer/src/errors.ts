import type { SecurityConfig } from '@source-kafka/spec';

// Every failure leaving this package is a ConsumerError: a stable code, whether a retry may help, a message
// that names what failed and where, and the original error as `cause`. What a failure means to a caller
// (Airbyte's failure types, say) is the caller's to decide from `code` and `retriable`.

export const consumerErrorCodes = {
  unsupportedMechanism: 'UNSUPPORTED_SASL_MECHANISM',
  invalidConfig: 'INVALID_CONFIG',
  brokersUnreachable: 'BROKERS_UNREACHABLE',
  securityProtocolMismatch: 'SECURITY_PROTOCOL_MISMATCH',
  notABroker: 'NOT_A_BROKER',
  authenticationFailed: 'AUTHENTICATION_FAILED',
  authorizationFailed: 'AUTHORIZATION_FAILED',
  tokenEndpoint: 'OAUTH_TOKEN_ENDPOINT_FAILED',
  /** The token endpoint answered 2xx, but without an access token: not something a retry or config fixes. */
  tokenAnswerInvalid: 'OAUTH_TOKEN_ANSWER_INVALID',
  topicNotFound: 'TOPIC_NOT_FOUND',
  partitionNotFound: 'PARTITION_NOT_FOUND',
  noStartOffset: 'NO_START_OFFSET',
  groupHasActiveMembers: 'GROUP_HAS_ACTIVE_MEMBERS',
  brokerError: 'BROKER_ERROR',
  /** kafkajs failed in a way it does not mark retriable and no other code names. */
  kafkaError: 'KAFKA_ERROR',
  timeout: 'TIMEOUT',
  internal: 'INTERNAL',
} as const;

export type ConsumerErrorCode = (typeof consumerErrorCodes)[keyof typeof consumerErrorCodes];

export interface ConsumerErrorOptions {
  readonly cause?: unknown;
  readonly topic?: string | undefined;
  readonly retriable?: boolean | undefined;
}

export class ConsumerError extends Error {
  override readonly name = 'ConsumerError';
  readonly code: ConsumerErrorCode;
  /**
   * The same request may succeed later (a broker down, a timeout, a coordinator moving); false when
   * something must change first (config, ACLs, the cluster) or the failure is not understood.
   */
  readonly retriable: boolean;
  /** The one topic the failure is about, when there is one (e.g. offsets lost to retention). */
  readonly topic: string | undefined;

  constructor(code: ConsumerErrorCode, message: string, options?: ConsumerErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options?.retriable ?? false;
    this.topic = options?.topic;
  }

  /** A failure that may pass when the same thing is tried again later. */
  static retriable(
    code: ConsumerErrorCode,
    message: string,
    options?: Omit<ConsumerErrorOptions, 'retriable'>,
  ): ConsumerError {
    return new ConsumerError(code, message, { ...options, retriable: true });
  }
}

interface KafkaJsErrorShape {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly retriable?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  readonly apiName?: unknown;
}

function shape(error: unknown): KafkaJsErrorShape {
  return typeof error === 'object' && error !== null ? (error as KafkaJsErrorShape) : {};
}

/** Walks kafkajs wrappers (retry errors keep the last failure as `originalError` or `cause`). */
function chain(error: unknown): KafkaJsErrorShape[] {
  const seen: KafkaJsErrorShape[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && seen.length < 10) {
    const s = shape(current);
    seen.push(s);
    current = s.originalError ?? s.cause;
  }
  return seen;
}

const authTypes = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);
const authzTypes = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const tlsCodes = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|SSL|EPROTO|DEPTH_ZERO/;

/** What the client was configured with, as far as telling errors apart needs it. */
export interface ClientSecurity {
  /** Neither TLS nor SASL: the PLAINTEXT security protocol. */
  readonly plaintext: boolean;
}

export function clientSecurity(config: { readonly security: SecurityConfig }): ClientSecurity {
  return { plaintext: config.security.protocol === 'PLAINTEXT' };
}

/**
 * Turns anything kafkajs throws into a ConsumerError. `where` says what was being done, e.g.
 * "fetching metadata from localhost:9092".
 */
export function classifyError(
  error: unknown,
  where: string,
  bootstrap: readonly string[],
  security?: ClientSecurity,
): ConsumerError {
  if (error instanceof ConsumerError) return error;
  const links = chain(error);
  const names = links.map((l) => String(l.name ?? ''));
  const types = links.map((l) => String(l.type ?? ''));
  const codes = links.map((l) => String((l as { code?: unknown }).code ?? ''));
  const messages = links.map((l) => String(l.message ?? ''));
  const servers = bootstrap.join(',');
  const last = messages.find((m) => m.length > 0) ?? 'unknown error';

  if (names.includes('KafkaJSSASLAuthenticationError') || types.some((t) => authTypes.has(t))) {
    return new ConsumerError(
      consumerErrorCodes.authenticationFailed,
      `SASL authentication failed against ${servers} while ${where}: check the SASL mechanism and the JAAS credentials (${last})`,
      { cause: error },
    );
  }
  if (types.some((t) => authzTypes.has(t))) {
    return new ConsumerError(
      consumerErrorCodes.authorizationFailed,
      `Not authorized while ${where}: grant this principal the needed ACLs (${last})`,
      { cause: error },
    );
  }
  if (
    codes.some((c) => tlsCodes.test(c)) ||
    messages.some((m) => /certificate|self.signed|handshake|SSL routines/i.test(m))
  ) {
    return new ConsumerError(
      consumerErrorCodes.authenticationFailed,
      `TLS handshake with ${servers} failed while ${where}: check the CA certificate and client certificate/key (${last})`,
      { cause: error },
    );
  }
  // A KRaft controller listener answers ApiVersions, but without the client APIs (Metadata, Fetch) a broker
  // serves; kafkajs then says only that the server does not support the requested API version.
  if (names.includes('KafkaJSServerDoesNotSupportApiKey')) {
    const api = links.map((l) => l.apiName).find((n): n is string => typeof n === 'string');
    return new ConsumerError(
      consumerErrorCodes.notABroker,
      `${servers} does not serve ${api === undefined ? 'the client requests' : `${api} requests`} while ${where}: it looks like a KRaft controller listener (controller.listener.names), not a broker. Point bootstrap_servers at a broker listener.`,
      { cause: error },
    );
  }
  // A listener that expects TLS or SASL accepts the TCP connection, then drops a client that speaks plain
  // Kafka (an SSL listener at once, a SASL one at the first request other than ApiVersions). A broker that
  // is down refuses the connection instead, so only an accepted-then-closed connection points here.
  if (
    security?.plaintext === true &&
    names.includes('KafkaJSConnectionClosedError') &&
    !messages.some((m) => /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(m))
  ) {
    return new ConsumerError(
      consumerErrorCodes.securityProtocolMismatch,
      `The brokers ${servers} closed the connection while ${where}, as a listener that expects TLS or SASL does with a PLAINTEXT client: set protocol.security_protocol to the listener's protocol (SSL, SASL_PLAINTEXT or SASL_SSL), or point bootstrap_servers at a PLAINTEXT listener (${last})`,
      { cause: error },
    );
  }
  if (
    names.some(
      (n) =>
        n === 'KafkaJSConnectionError' ||
        n === 'KafkaJSNumberOfRetriesExceeded' ||
        n === 'KafkaJSBrokerNotFound',
    ) &&
    messages.some((m) =>
      /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|timed? ?out|Connection error|closed|Failed to connect/i.test(m),
    )
  ) {
    // A name that does not resolve (ENOTFOUND, unlike EAI_AGAIN) is a typo to fix, not a network to wait for.
    const unresolvable = messages.some((m) => /ENOTFOUND/.test(m));
    return new ConsumerError(
      consumerErrorCodes.brokersUnreachable,
      `Could not reach the Kafka brokers ${servers} while ${where}: check bootstrap_servers, the network and the security protocol (${last})`,
      { cause: error, retriable: !unresolvable },
    );
  }
  if (names.includes('KafkaJSRequestTimeoutError') || names.includes('KafkaJSLockTimeout')) {
    return ConsumerError.retriable(
      consumerErrorCodes.timeout,
      `A request to ${servers} timed out while ${where} (${last})`,
      { cause: error },
    );
  }
  if (links.some((l) => l.retriable === true) || names.includes('KafkaJSNumberOfRetriesExceeded')) {
    return ConsumerError.retriable(
      consumerErrorCodes.brokerError,
      `The broker kept failing while ${where}, after retries with backoff (${last})`,
      { cause: error },
    );
  }
  if (names.some((n) => n.startsWith('KafkaJS'))) {
    return new ConsumerError(consumerErrorCodes.kafkaError, `Kafka error while ${where} (${last})`, {
      cause: error,
    });
  }
  return new ConsumerError(consumerErrorCodes.internal, `Unexpected error while ${where} (${last})`, {
    cause: error,
  });
}
