import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import type { BrokerConnection, BrokerUsers, TlsMaterial } from './connection.js';

export type ListenerName = 'plaintext' | 'saslPlaintext' | 'ssl' | 'mtls' | 'saslSsl';
export const LISTENER_NAMES: readonly ListenerName[] = [
  'plaintext',
  'saslPlaintext',
  'ssl',
  'mtls',
  'saslSsl',
];

export type SaslMechanismOption = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';

export interface ClientOptions {
  readonly clientId?: string;
  /** For SASL listeners; defaults to PLAIN. */
  readonly mechanism?: SaslMechanismOption;
  /** Overrides the user's password, e.g. to prove a wrong one is refused. */
  readonly password?: string;
  /** Subject of the unsecured OAUTHBEARER token. */
  readonly oauthSubject?: string;
  readonly logLevel?: logLevel;
  readonly connectionTimeout?: number;
  readonly requestTimeout?: number;
  /** 0 makes connection failures surface at once instead of after kafkajs' retries. */
  readonly retries?: number;
  /** Clock for the OAUTHBEARER token; defaults to Date.now. */
  readonly now?: () => number;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT (alg "none"), the kind Kafka's default unsecured OAUTHBEARER validator accepts. */
export function unsecuredJwt(subject: string, nowMs: number, lifetimeMs = 3_600_000): string {
  const issuedAt = Math.floor(nowMs / 1000);
  const header = base64UrlJson({ alg: 'none' });
  const payload = base64UrlJson({
    sub: subject,
    iat: issuedAt,
    exp: issuedAt + Math.ceil(lifetimeMs / 1000),
  });
  return `${header}.${payload}.`;
}

function userFor(users: BrokerUsers, mechanism: SaslMechanismOption) {
  if (mechanism === 'scram-sha-256') return users.scram256;
  if (mechanism === 'scram-sha-512') return users.scram512;
  return users.plain;
}

function saslOptions(users: BrokerUsers, options: ClientOptions): SASLOptions {
  const mechanism = options.mechanism ?? 'plain';
  if (mechanism === 'oauthbearer') {
    const now = options.now ?? Date.now;
    const subject = options.oauthSubject ?? 'test-client';
    return { mechanism, oauthBearerProvider: async () => ({ value: unsecuredJwt(subject, now()) }) };
  }
  const user = userFor(users, mechanism);
  return { mechanism, username: user.username, password: options.password ?? user.password };
}

function tlsOptions(tls: TlsMaterial, withClientCert: boolean) {
  return withClientCert
    ? { ca: [tls.caPem], cert: tls.clientCertPem, key: tls.clientKeyPem }
    : { ca: [tls.caPem] };
}

/** kafkajs configuration for one listener of the test broker. */
export function kafkaConfigFor(
  conn: BrokerConnection,
  listener: ListenerName,
  options: ClientOptions = {},
): KafkaConfig {
  const common: KafkaConfig = {
    brokers: [],
    clientId: options.clientId ?? `testkit-${listener}`,
    logLevel: options.logLevel ?? logLevel.NOTHING,
    ...(options.connectionTimeout !== undefined ? { connectionTimeout: options.connectionTimeout } : {}),
    ...(options.requestTimeout !== undefined ? { requestTimeout: options.requestTimeout } : {}),
    ...(options.retries !== undefined ? { retry: { retries: options.retries } } : {}),
  };
  switch (listener) {
    case 'plaintext':
      return { ...common, brokers: [...conn.plaintext.brokers] };
    case 'saslPlaintext':
      return {
        ...common,
        brokers: [...conn.saslPlaintext.brokers],
        sasl: saslOptions(conn.saslPlaintext.users, options),
      };
    case 'ssl':
      return { ...common, brokers: [...conn.ssl.brokers], ssl: tlsOptions(conn.ssl.tls, false) };
    case 'mtls':
      return { ...common, brokers: [...conn.mtls.brokers], ssl: tlsOptions(conn.mtls.tls, true) };
    case 'saslSsl':
      return {
        ...common,
        brokers: [...conn.saslSsl.brokers],
        ssl: tlsOptions(conn.saslSsl.tls, false),
        sasl: saslOptions(conn.saslSsl.users, options),
      };
  }
}

export function createKafka(
  conn: BrokerConnection,
  listener: ListenerName = 'plaintext',
  options?: ClientOptions,
): Kafka {
  return new Kafka(kafkaConfigFor(conn, listener, options));
}

/** Runs `action` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(
  conn: BrokerConnection,
  action: (admin: ReturnType<Kafka['admin']>) => Promise<T>,
  listener: ListenerName = 'plaintext',
  options?: ClientOptions,
): Promise<T> {
  const admin = createKafka(conn, listener, options).admin();
  await admin.connect();
  try {
    return await action(admin);
  } finally {
    await admin.disconnect();
  }
}
