// A config saved for the Java connector with sasl_mechanism AWS_MSK_IAM, run through the CLI against the test
// broker's MSK IAM listener (SigV4 tokens checked against its fake key pair). Credentials reach the child
// process as the AWS SDK reads them: environment variables.
import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { catalogFor, failureOf, ofType, recordsOf, runCli } from './cli.js';

const conn: BrokerConnection = inject('broker');
const account = conn.mskIam.account;
let topic: string;

beforeAll(async () => {
  topic = await createTopic(conn, { prefix: 'app-msk-iam', partitions: 1 });
  await produceMessages(conn, topic, [
    { key: 'k1', value: '{"n":1}' },
    { key: 'k2', value: '{"n":2}' },
  ]);
});

beforeEach(() => {
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
    vi.stubEnv(name, '');
  }
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
  vi.stubEnv('AWS_ACCESS_KEY_ID', account.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', account.secretAccessKey);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The Java connector's fields, plus the region, which the Java library read from MSK broker names. */
function mskConfig(region: string): Record<string, unknown> {
  return {
    bootstrap_servers: conn.mskIam.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: topic },
    protocol: {
      security_protocol: 'SASL_SSL',
      sasl_mechanism: 'AWS_MSK_IAM',
      sasl_jaas_config: 'software.amazon.msk.auth.iam.IAMLoginModule required;',
      ssl_ca_certificate: conn.mskIam.tls.caPem,
      aws_region: region,
    },
    auto_offset_reset: 'earliest',
    request_timeout_ms: 10000,
  };
}

describe('AWS_MSK_IAM through the CLI', () => {
  it('checks and reads with IAM credentials from the environment', async () => {
    const config = mskConfig(account.region);
    const check = await runCli('check', { config });
    expect(ofType(check.messages, 'CONNECTION_STATUS'), failureOf(check)).toEqual([{ status: 'SUCCEEDED' }]);

    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'incremental' }) });
    expect(read.exitCode, failureOf(read)).toBe(0);
    expect(recordsOf(read.messages).map((r) => r.data.value)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(read.stdout + read.stderr).not.toContain(account.secretAccessKey);
  });

  it('fails check with the broker reason when the secret key is wrong, showing no secret', async () => {
    const secret = 'wrong/Secret+Key-for-check';
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', secret);
    const check = await runCli('check', { config: mskConfig(account.region) });
    expect(check.exitCode, failureOf(check)).toBe(0);
    const [status] = ofType<{ status: string; message: string }>(check.messages, 'CONNECTION_STATUS');
    expect(status?.status).toBe('FAILED');
    expect(status?.message).toMatch(/refused the token \(invalid_token: X-Amz-Signature does not match\)/);
    expect(check.stdout + check.stderr).not.toContain(secret);
    expect(check.stdout + check.stderr).not.toContain(account.secretAccessKey);
  });

  it('fails check naming protocol.aws_region when no region is known', async () => {
    const check = await runCli('check', { config: mskConfig('') });
    const [status] = ofType<{ status: string; message: string }>(check.messages, 'CONNECTION_STATUS');
    expect(status?.status).toBe('FAILED');
    expect(status?.message).toContain('protocol.aws_region');
  });
});
