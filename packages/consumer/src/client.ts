import type { ConnectionOptions } from 'node:tls';
import type { SaslConfig } from '@source-kafka/spec';
import { Kafka, type KafkaConfig, type LogEntry, logLevel, type SASLOptions } from 'kafkajs';
import { registerCodecs } from './codecs.js';
import { stepOverEmptyBatches } from './empty-batches.js';
import { ConsumerError, consumerErrorCodes } from './errors.js';
import { createOAuthBearerProvider, type FetchLike } from './oauth.js';
import type { Clock, KafkaConnection, Logger, Timers } from './types.js';

// At import, before any kafkajs fetch in this process can load the fetch decoder it replaces.
stepOverEmptyBatches();

export interface ConsumerDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Every wait of this package goes through it; Node's timers when absent. */
  readonly timers?: Timers | undefined;
  /** For the OAuth token endpoint; the global fetch when absent. */
  readonly fetch?: FetchLike | undefined;
}

/** Mechanisms the Java connector accepts but this one refuses, with the reason shown to the user. */
const REFUSED_MECHANISMS: Readonly<Record<string, string>> = {
  GSSAPI:
    'SASL mechanism GSSAPI (Kerberos) is not supported by this connector: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER',
  AWS_MSK_IAM:
    'SASL mechanism AWS_MSK_IAM is not supported by this connector yet: use SCRAM-SHA-512 (MSK supports it) or OAUTHBEARER',
};

function saslOptions(sasl: SaslConfig, config: KafkaConnection, deps: ConsumerDeps): SASLOptions {
  const mechanism: string = sasl.mechanism;
  const refused = REFUSED_MECHANISMS[mechanism];
  if (refused !== undefined) {
    throw new ConsumerError(consumerErrorCodes.unsupportedMechanism, refused);
  }
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    case 'OAUTHBEARER': {
      const provider = createOAuthBearerProvider(sasl, {
        clock: deps.clock,
        requestTimeoutMs: config.requestTimeoutMs,
        fetch: deps.fetch,
      });
      // kafkajs sends `extensions` too (its request encoder reads them), though its types only declare `value`.
      return { mechanism: 'oauthbearer', oauthBearerProvider: provider };
    }
    default:
      throw new ConsumerError(
        consumerErrorCodes.unsupportedMechanism,
        `SASL mechanism ${mechanism} is not supported: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`,
      );
  }
}

function tlsOptions(config: KafkaConnection): ConnectionOptions | true {
  const tls = config.security.tls;
  if (tls === undefined) return true;
  const options: ConnectionOptions = { rejectUnauthorized: true };
  if (tls.caCertificate !== undefined) options.ca = [tls.caCertificate];
  if (tls.clientCertificate !== undefined) options.cert = tls.clientCertificate;
  if (tls.clientKey !== undefined) options.key = tls.clientKey;
  if (tls.clientKeyPassword !== undefined) options.passphrase = tls.clientKeyPassword;
  return options;
}

/** The kafkajs retry policy from the config: first backoff from retry_backoff_ms, doubling, bounded. */
export function retryOptions(config: KafkaConnection): NonNullable<KafkaConfig['retry']> {
  return {
    initialRetryTime: config.retryBackoffMs,
    maxRetryTime: Math.max(config.retryBackoffMs, Math.min(30_000, config.requestTimeoutMs)),
    retries: 5,
  };
}

/** Maps the normalized config onto a kafkajs client. Throws a config error for what this package refuses. */
export function kafkaClientConfig(config: KafkaConnection, deps: ConsumerDeps): KafkaConfig {
  if (config.brokers.length === 0) {
    throw new ConsumerError(consumerErrorCodes.invalidConfig, 'bootstrap_servers lists no broker');
  }
  const { protocol, sasl } = config.security;
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (usesSasl && sasl === undefined) {
    throw new ConsumerError(
      consumerErrorCodes.invalidConfig,
      `security protocol ${protocol} needs a SASL mechanism and JAAS config`,
    );
  }
  const logger = deps.logger;
  const result: KafkaConfig = {
    brokers: [...config.brokers],
    clientId: config.clientId,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: Math.min(config.requestTimeoutMs, 10_000),
    authenticationTimeout: Math.min(config.requestTimeoutMs, 10_000),
    retry: retryOptions(config),
    logLevel: logLevel.WARN,
    // kafkajs logs failures it then throws; they reach the user once, as a ConsumerError, so here they are debug.
    logCreator: () => (entry: LogEntry) => {
      logger.debug(`kafkajs ${entry.namespace}: ${entry.log.message}`);
    },
  };
  if (usesTls) result.ssl = tlsOptions(config);
  if (usesSasl && sasl !== undefined) result.sasl = saslOptions(sasl, config, deps);
  return result;
}

/** A kafkajs client for the config, with every codec this package reads registered. */
export function createKafka(config: KafkaConnection, deps: ConsumerDeps): Kafka {
  registerCodecs();
  if (!stepOverEmptyBatches()) {
    deps.logger.warn(
      'kafkajs fetched before @source-kafka/consumer was imported: empty record batches left by the log cleaner ' +
        'cannot be stepped over, so a compacted topic written by an idempotent producer may end as stalled',
    );
  }
  return new Kafka(kafkaClientConfig(config, deps));
}
