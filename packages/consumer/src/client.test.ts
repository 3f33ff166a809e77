import type { SecurityConfig } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { type TestConfig, testConfig } from '../test/support.js';
import { kafkaClientConfig } from './client.js';
import { ConsumerError } from './errors.js';

const deps = { logger: { debug() {}, info() {}, warn() {}, error() {} }, clock: { now: () => 0 } };

function config(security: SecurityConfig): TestConfig {
  return testConfig(['b1:9092', 'b2:9092'], {
    clientId: 'airbyte',
    groupId: 'g',
    subscription: { type: 'subscribe', pattern: '.*' },
    security,
    requestTimeoutMs: 20_000,
    retryBackoffMs: 150,
  });
}

describe('kafkaClientConfig', () => {
  it('maps brokers, client id, timeouts and backoff', () => {
    const result = kafkaClientConfig(config({ protocol: 'PLAINTEXT' }), deps);
    expect(result.brokers).toEqual(['b1:9092', 'b2:9092']);
    expect(result.clientId).toBe('airbyte');
    expect(result.requestTimeout).toBe(20_000);
    expect(result.retry?.initialRetryTime).toBe(150);
    expect(result.ssl).toBeUndefined();
    expect(result.sasl).toBeUndefined();
  });

  it('maps SASL_SSL with SCRAM-SHA-512 and a CA', () => {
    const result = kafkaClientConfig(
      config({
        protocol: 'SASL_SSL',
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
        tls: { caCertificate: 'PEM' },
      }),
      deps,
    );
    expect(result.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(result.ssl).toMatchObject({ ca: ['PEM'], rejectUnauthorized: true });
  });

  it('maps mTLS client certificate and key', () => {
    const result = kafkaClientConfig(
      config({ protocol: 'SSL', tls: { caCertificate: 'CA', clientCertificate: 'CERT', clientKey: 'KEY' } }),
      deps,
    );
    expect(result.ssl).toMatchObject({ ca: ['CA'], cert: 'CERT', key: 'KEY' });
  });

  it.each([
    ['GSSAPI', /GSSAPI \(Kerberos\) is not supported/],
    ['AWS_MSK_IAM', /AWS_MSK_IAM is not supported/],
  ])('refuses %s with a config error', (mechanism, message) => {
    const security = {
      protocol: 'SASL_SSL',
      sasl: { mechanism, username: 'u', password: 'secret-pw' },
    } as unknown as SecurityConfig;
    try {
      kafkaClientConfig(config(security), deps);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConsumerError);
      expect((error as ConsumerError).retriable).toBe(false);
      expect((error as ConsumerError).message).toMatch(message);
      expect((error as ConsumerError).message).not.toContain('secret-pw');
    }
  });

  it('refuses a SASL protocol without a mechanism', () => {
    expect(() => kafkaClientConfig(config({ protocol: 'SASL_PLAINTEXT' }), deps)).toThrowError(
      /needs a SASL mechanism/,
    );
  });
});
