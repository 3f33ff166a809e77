import type { BrokerUsers, MskIamTestAccount } from './connection.js';
import { MSK_IAM_VALIDATOR_CLASS } from './msk-iam-validator.js';
import type { BrokerPorts } from './settings.js';

/** Fixed test credentials: readable by humans running kcat by hand, and never real secrets. */
export const TEST_USERS: BrokerUsers = {
  plain: { username: 'plain-user', password: 'plain-password' },
  scram256: { username: 'scram256-user', password: 'scram256-password' },
  scram512: { username: 'scram512-user', password: 'scram512-password' },
};

/**
 * The one AWS key pair and region the MSK IAM listener's validator accepts tokens for. Fake: the validator
 * recomputes the signature with this secret, as Amazon MSK would with the real key's.
 */
export const TEST_MSK_IAM: MskIamTestAccount = {
  region: 'us-west-2',
  accessKeyId: 'AKIATESTKITMSKIAM001',
  secretAccessKey: 'testkit/msk-iam+fake-secret-key',
};

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export type SaslMechanismName = (typeof SASL_MECHANISMS)[number];

export interface ServerConfigInput {
  readonly ports: BrokerPorts;
  readonly dataDir: string;
  readonly keystorePath: string;
  readonly keystorePassword: string;
  readonly caPath: string;
  readonly users: BrokerUsers;
  readonly mskIam: MskIamTestAccount;
}

const HOST = '127.0.0.1';

function jaasQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function saslListenerLines(listener: string, users: BrokerUsers): string[] {
  const prefix = `listener.name.${listener}`;
  return [
    `${prefix}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${users.plain.username}=${jaasQuote(users.plain.password)};`,
    `${prefix}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${prefix}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    // No callback handler configured: Kafka then uses its unsecured JWT validator, which accepts unsigned tokens.
    `${prefix}.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker";`,
  ];
}

/** A SASL_SSL listener that takes only OAUTHBEARER, validated as Amazon MSK IAM tokens. */
function mskIamListenerLines(account: MskIamTestAccount): string[] {
  const prefix = 'listener.name.msk_iam';
  return [
    `${prefix}.sasl.enabled.mechanisms=OAUTHBEARER`,
    `${prefix}.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker" mskRegion=${jaasQuote(account.region)} accessKeyId=${jaasQuote(account.accessKeyId)} secretAccessKey=${jaasQuote(account.secretAccessKey)};`,
    `${prefix}.oauthbearer.sasl.server.callback.handler.class=${MSK_IAM_VALIDATOR_CLASS}`,
  ];
}

/** server.properties for one combined KRaft broker+controller with every listener the tests need. */
export function serverProperties(input: ServerConfigInput): string {
  const { ports } = input;
  const listeners = [
    `PLAINTEXT://${HOST}:${ports.plaintext}`,
    `SASL_PLAINTEXT://${HOST}:${ports.saslPlaintext}`,
    `SSL://${HOST}:${ports.ssl}`,
    `MTLS://${HOST}:${ports.mtls}`,
    `SASL_SSL://${HOST}:${ports.saslSsl}`,
    `MSK_IAM://${HOST}:${ports.mskIam}`,
  ];
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${ports.controller}`,
    `listeners=${[...listeners, `CONTROLLER://${HOST}:${ports.controller}`].join(',')}`,
    `advertised.listeners=${listeners.join(',')}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL,MSK_IAM:SASL_SSL,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `log.dirs=${input.dataDir}`,
    // One node: every internal topic must live with a single replica, or groups and transactions never start.
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Tests create their topics explicitly; auto-creation would hide "topic does not exist" paths.
    'auto.create.topics.enable=false',
    `sasl.enabled.mechanisms=${SASL_MECHANISMS.join(',')}`,
    ...saslListenerLines('sasl_plaintext', input.users),
    ...saslListenerLines('sasl_ssl', input.users),
    ...mskIamListenerLines(input.mskIam),
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${input.keystorePath}`,
    `ssl.keystore.password=${input.keystorePassword}`,
    `ssl.key.password=${input.keystorePassword}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${input.caPath}`,
    'listener.name.mtls.ssl.client.auth=required',
  ];
  return `${lines.join('\n')}\n`;
}

/** `kafka-storage format --add-scram` arguments: SCRAM users must exist before the first start in KRaft. */
export function scramFormatArgs(users: BrokerUsers): string[] {
  return [
    '--add-scram',
    `SCRAM-SHA-256=[name=${users.scram256.username},password=${users.scram256.password}]`,
    '--add-scram',
    `SCRAM-SHA-512=[name=${users.scram512.username},password=${users.scram512.password}]`,
  ];
}

export function log4jConfig(logFile: string, log4j2: boolean): string {
  if (log4j2) {
    return [
      'status = warn',
      // Kafka stops its own loggers; log4j2's hook would race it and warn on every shutdown.
      'shutdownHook = disable',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${logFile}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = info',
      'rootLogger.appenderRef.file.ref = file',
      'logger.kafka.name = kafka',
      'logger.kafka.level = info',
      '',
    ].join('\n');
  }
  return [
    '# Kafka 3.x logs through reload4j (log4j 1 syntax).',
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${logFile}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');
}
