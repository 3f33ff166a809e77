import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecurityConfig } from '@source-kafka/spec';
import { createTopic, produceMessages, unsecuredJwt } from '@source-kafka/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConsumerError, listSelectedTopics } from '../src/index.js';
import { collect, deps, readSelected, type TestConfig, testConfig } from './support.js';

const conn = inject('broker');
let topic: string;

beforeAll(async () => {
  topic = await createTopic(conn, { prefix: 'consumer-security', partitions: 2 });
  await produceMessages(conn, topic, [
    { value: 'a', partition: 0 },
    { value: 'b', partition: 1 },
  ]);
});

function configFor(brokers: readonly string[], security: SecurityConfig): TestConfig {
  return testConfig(brokers, {
    security,
    requestTimeoutMs: 5_000,
    subscription: { type: 'subscribe', pattern: topic },
  });
}

async function expectReadable(config: TestConfig): Promise<void> {
  expect(await listSelectedTopics(config, config.subscription, deps)).toEqual([
    { name: topic, partitions: 2 },
  ]);
  const { records } = await collect(await readSelected(config, { starts: [] }, deps));
  expect(records.map((r) => r.value?.toString()).sort()).toEqual(['a', 'b']);
}

async function expectConfigError(config: TestConfig, message: RegExp, secret?: string): Promise<void> {
  const error = await listSelectedTopics(config, config.subscription, deps).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConsumerError);
  // Something to fix first: a retry alone will not help.
  expect((error as ConsumerError).retriable).toBe(false);
  expect((error as ConsumerError).message).toMatch(message);
  if (secret !== undefined) expect((error as ConsumerError).message).not.toContain(secret);
}

describe('security modes', () => {
  const users = () => conn.saslPlaintext.users;

  it('reads over PLAINTEXT', async () => {
    await expectReadable(configFor(conn.plaintext.brokers, { protocol: 'PLAINTEXT' }));
  });

  it.each([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-256', 'scram256'],
    ['SCRAM-SHA-512', 'scram512'],
  ] as const)('reads over SASL_PLAINTEXT with %s', async (mechanism, user) => {
    const { username, password } = users()[user];
    await expectReadable(
      configFor(conn.saslPlaintext.brokers, {
        protocol: 'SASL_PLAINTEXT',
        sasl: { mechanism, username, password },
      }),
    );
  });

  it.each([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-256', 'scram256'],
    ['SCRAM-SHA-512', 'scram512'],
  ] as const)(
    'refuses wrong %s credentials as a config error, without echoing the password',
    async (mechanism, user) => {
      const { username } = users()[user];
      await expectConfigError(
        configFor(conn.saslPlaintext.brokers, {
          protocol: 'SASL_PLAINTEXT',
          sasl: { mechanism, username, password: 'wrong-password-123' },
        }),
        /SASL authentication failed/,
        'wrong-password-123',
      );
    },
  );

  it('reads over SSL with the CA', async () => {
    await expectReadable(
      configFor(conn.ssl.brokers, { protocol: 'SSL', tls: { caCertificate: conn.ssl.tls.caPem } }),
    );
  });

  it('refuses a CA that does not match the broker certificate', async () => {
    await expectConfigError(
      configFor(conn.ssl.brokers, { protocol: 'SSL', tls: { caCertificate: conn.ssl.tls.otherCaPem } }),
      /TLS handshake .* failed/,
    );
  });

  it('reads over mTLS with a client certificate and key', async () => {
    const tls = conn.mtls.tls;
    await expectReadable(
      configFor(conn.mtls.brokers, {
        protocol: 'SSL',
        tls: { caCertificate: tls.caPem, clientCertificate: tls.clientCertPem, clientKey: tls.clientKeyPem },
      }),
    );
  });

  it('fails on the mTLS listener without a client certificate', async () => {
    const error = await listSelectedTopics(
      configFor(conn.mtls.brokers, { protocol: 'SSL', tls: { caCertificate: conn.mtls.tls.caPem } }),
      { type: 'subscribe', pattern: topic },
      deps,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect((error as ConsumerError).message).toContain(conn.mtls.brokers[0]);
  });

  it.each([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-512', 'scram512'],
  ] as const)('reads over SASL_SSL with %s', async (mechanism, user) => {
    const { username, password } = conn.saslSsl.users[user];
    await expectReadable(
      configFor(conn.saslSsl.brokers, {
        protocol: 'SASL_SSL',
        sasl: { mechanism, username, password },
        tls: { caCertificate: conn.saslSsl.tls.caPem },
      }),
    );
  });

  it('refuses wrong credentials over SASL_SSL', async () => {
    const { username } = conn.saslSsl.users.scram256;
    await expectConfigError(
      configFor(conn.saslSsl.brokers, {
        protocol: 'SASL_SSL',
        sasl: { mechanism: 'SCRAM-SHA-256', username, password: 'nope-nope' },
        tls: { caCertificate: conn.saslSsl.tls.caPem },
      }),
      /SASL authentication failed/,
      'nope-nope',
    );
  });
});

describe('OAUTHBEARER', () => {
  let server: Server;
  let url: string;
  const grants: { auth: string; body: string }[] = [];

  beforeAll(async () => {
    // A minimal client-credentials token endpoint issuing unsecured JWTs, which the broker's default validator accepts.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const auth = req.headers.authorization ?? '';
        grants.push({ auth, body });
        const [id, secret] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
          .toString()
          .split(':');
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || id !== 'airbyte' || secret !== 'the-secret') {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_client' }));
          return;
        }
        const jwt = unsecuredJwt('airbyte', Date.now(), 60_000);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: jwt,
            token_type: 'bearer',
            expires_in: 60,
            scope: form.get('scope'),
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const oauth = (clientSecret: string): SecurityConfig => ({
    protocol: 'SASL_PLAINTEXT',
    sasl: {
      mechanism: 'OAUTHBEARER',
      tokenEndpointUrl: url,
      clientId: 'airbyte',
      clientSecret,
      scope: 'kafka',
      extensions: {},
    },
  });

  it('reads with a token from the client-credentials grant', async () => {
    await expectReadable(configFor(conn.saslPlaintext.brokers, oauth('the-secret')));
    expect(grants.length).toBeGreaterThan(0);
    expect(grants[0]?.body).toBe('grant_type=client_credentials&scope=kafka');
  });

  it('reads over SASL_SSL with a token', async () => {
    const before = grants.length;
    await expectReadable(
      configFor(conn.saslSsl.brokers, {
        ...oauth('the-secret'),
        protocol: 'SASL_SSL',
        tls: { caCertificate: conn.saslSsl.tls.caPem },
      }),
    );
    expect(grants.length).toBeGreaterThan(before);
  });

  it('reports a refused grant as a config error without the secret', async () => {
    await expectConfigError(
      configFor(conn.saslPlaintext.brokers, oauth('bad-secret')),
      /HTTP 401/,
      'bad-secret',
    );
  });
});

describe('unreachable brokers', () => {
  it('fails within the request timeout, naming the bootstrap servers', async () => {
    const config = testConfig(['127.0.0.1:1', '127.0.0.1:2'], {
      requestTimeoutMs: 2_000,
      subscription: { type: 'subscribe', pattern: '.*' },
    });
    const error = await listSelectedTopics(config, config.subscription, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect((error as ConsumerError).code).toBe('BROKERS_UNREACHABLE');
    expect((error as ConsumerError).retriable).toBe(true);
    expect((error as ConsumerError).message).toContain('127.0.0.1:1,127.0.0.1:2');
  });
});
