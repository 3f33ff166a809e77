import { describe, expect, it } from 'vitest';
import { MSK_IAM_VALIDATOR_CLASS } from './msk-iam-validator.js';
import { log4jConfig, scramFormatArgs, serverProperties, TEST_MSK_IAM, TEST_USERS } from './server-config.js';
import { portsFrom } from './settings.js';

function parse(properties: string): Map<string, string> {
  const entries = properties
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return new Map(entries);
}

const input = {
  ports: portsFrom(19092),
  dataDir: '/run/data',
  keystorePath: '/run/tls/broker.p12',
  keystorePassword: 'ks-pass',
  caPath: '/run/tls/ca.pem',
  users: TEST_USERS,
  mskIam: TEST_MSK_IAM,
};

describe('serverProperties', () => {
  const props = parse(serverProperties(input));

  it('advertises every client listener on 127.0.0.1 and keeps the controller off the advertised list', () => {
    expect(props.get('advertised.listeners')).toBe(
      'PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19093,SSL://127.0.0.1:19094,MTLS://127.0.0.1:19095,SASL_SSL://127.0.0.1:19096,MSK_IAM://127.0.0.1:19098',
    );
    expect(props.get('listeners')).toContain('CONTROLLER://127.0.0.1:19097');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:19097');
  });

  it('requires client certificates on the mTLS listener only', () => {
    expect(props.get('listener.name.mtls.ssl.client.auth')).toBe('required');
    expect(props.has('ssl.client.auth')).toBe(false);
    expect(props.get('listener.security.protocol.map')).toContain('MTLS:SSL');
  });

  it('serves MSK IAM tokens on a SASL_SSL listener of its own, OAUTHBEARER only, through the test validator', () => {
    expect(props.get('listener.security.protocol.map')).toContain('MSK_IAM:SASL_SSL');
    expect(props.get('listener.name.msk_iam.sasl.enabled.mechanisms')).toBe('OAUTHBEARER');
    expect(props.get('listener.name.msk_iam.oauthbearer.sasl.server.callback.handler.class')).toBe(
      MSK_IAM_VALIDATOR_CLASS,
    );
    const jaas = props.get('listener.name.msk_iam.oauthbearer.sasl.jaas.config') ?? '';
    expect(jaas).toContain('mskRegion="us-west-2"');
    expect(jaas).toContain(`accessKeyId="${TEST_MSK_IAM.accessKeyId}"`);
    expect(jaas).toContain(`secretAccessKey="${TEST_MSK_IAM.secretAccessKey}"`);
    // The other OAUTHBEARER listeners keep Kafka's unsecured validator.
    expect(props.has('listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class')).toBe(false);
  });

  it('lets transactions and consumer groups work on one node', () => {
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('offers every SASL mechanism on both SASL listeners, with the PLAIN user in JAAS', () => {
    expect(props.get('sasl.enabled.mechanisms')).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER');
    for (const listener of ['sasl_plaintext', 'sasl_ssl']) {
      expect(props.get(`listener.name.${listener}.plain.sasl.jaas.config`)).toContain(
        'user_plain-user="plain-password";',
      );
      expect(props.get(`listener.name.${listener}.oauthbearer.sasl.jaas.config`)).toContain(
        'OAuthBearerLoginModule',
      );
    }
  });

  it('escapes quotes and backslashes in JAAS passwords', () => {
    const tricky = serverProperties({
      ...input,
      users: { ...TEST_USERS, plain: { username: 'u', password: 'a"b\\c' } },
    });
    expect(tricky).toContain('user_u="a\\"b\\\\c";');
  });
});

describe('scramFormatArgs', () => {
  it('creates both SCRAM users at format time', () => {
    expect(scramFormatArgs(TEST_USERS)).toEqual([
      '--add-scram',
      'SCRAM-SHA-256=[name=scram256-user,password=scram256-password]',
      '--add-scram',
      'SCRAM-SHA-512=[name=scram512-user,password=scram512-password]',
    ]);
  });
});

describe('log4jConfig', () => {
  it('writes log4j 1 syntax for Kafka 3 and log4j2 syntax for Kafka 4', () => {
    expect(log4jConfig('/logs/server.log', false)).toContain('log4j.appender.file.File=/logs/server.log');
    expect(log4jConfig('/logs/server.log', true)).toContain('appender.file.fileName = /logs/server.log');
  });
});
