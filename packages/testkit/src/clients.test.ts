import { describe, expect, it } from 'vitest';
import { kafkaConfigFor, unsecuredJwt } from './clients.js';
import type { BrokerConnection, TlsMaterial } from './connection.js';
import { TEST_MSK_IAM, TEST_USERS } from './server-config.js';

const tls: TlsMaterial = {
  caPath: '/tls/ca.pem',
  caPem: 'CA',
  otherCaPath: '/tls/other-ca.pem',
  otherCaPem: 'OTHER',
  clientCertPath: '/tls/client.pem',
  clientCertPem: 'CERT',
  clientKeyPath: '/tls/client.key',
  clientKeyPem: 'KEY',
};
const mechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];
const conn: BrokerConnection = {
  kafkaVersion: '3.9.1',
  plaintext: { brokers: ['127.0.0.1:1'] },
  saslPlaintext: { brokers: ['127.0.0.1:2'], users: TEST_USERS, mechanisms },
  ssl: { brokers: ['127.0.0.1:3'], tls },
  mtls: { brokers: ['127.0.0.1:4'], tls },
  saslSsl: { brokers: ['127.0.0.1:5'], users: TEST_USERS, mechanisms, tls },
  controller: { brokers: ['127.0.0.1:6'] },
  mskIam: { brokers: ['127.0.0.1:7'], tls, account: TEST_MSK_IAM },
  logDir: '/logs',
};

describe('kafkaConfigFor', () => {
  it('uses no TLS and no SASL on PLAINTEXT', () => {
    const config = kafkaConfigFor(conn, 'plaintext');
    expect(config.brokers).toEqual(['127.0.0.1:1']);
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('picks the user that matches the SCRAM mechanism', () => {
    expect(kafkaConfigFor(conn, 'saslPlaintext', { mechanism: 'scram-sha-512' }).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'scram512-user',
      password: 'scram512-password',
    });
  });

  it('lets a test override the password', () => {
    const sasl = kafkaConfigFor(conn, 'saslSsl', { mechanism: 'plain', password: 'wrong' }).sasl;
    expect(sasl).toMatchObject({ username: 'plain-user', password: 'wrong' });
  });

  it('sends the client certificate only on the mTLS listener', () => {
    expect(kafkaConfigFor(conn, 'ssl').ssl).toEqual({ ca: ['CA'] });
    expect(kafkaConfigFor(conn, 'mtls').ssl).toEqual({ ca: ['CA'], cert: 'CERT', key: 'KEY' });
    expect(kafkaConfigFor(conn, 'saslSsl').ssl).toEqual({ ca: ['CA'] });
  });

  it('builds an OAUTHBEARER provider from the injected clock', async () => {
    const sasl = kafkaConfigFor(conn, 'saslPlaintext', {
      mechanism: 'oauthbearer',
      oauthSubject: 'alice',
      now: () => 1_700_000_000_000,
    }).sasl;
    if (sasl === undefined || !('oauthBearerProvider' in sasl))
      throw new Error('expected an oauthbearer config');
    const token = await sasl.oauthBearerProvider();
    expect(token.value).toBe(unsecuredJwt('alice', 1_700_000_000_000));
  });
});

describe('unsecuredJwt', () => {
  it('is an unsigned JWT with sub, iat and exp', () => {
    const [header, payload, signature] = unsecuredJwt('alice', 1_700_000_000_500, 60_000).split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({ alg: 'none' });
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toEqual({
      sub: 'alice',
      iat: 1_700_000_000,
      exp: 1_700_000_060,
    });
    expect(signature).toBe('');
  });
});
