// AWS_MSK_IAM against the test broker's MSK IAM listener, whose validator checks each token as Amazon MSK
// would up to the IAM lookup: URL, action, SigV4 parameters and the signature recomputed with the test
// account's secret. Credentials come through the real AWS credential chain (env, shared profile files).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KafkaSourceConfig, parseConfig } from '@source-kafka/spec';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { ConsumerError, listSelectedTopics } from '../src/index.js';
import { collect, deps, readSelected, type TestConfig, testConfig } from './support.js';

const conn = inject('broker');
const account = conn.mskIam.account;
let topic: string;
let awsDir: string;

beforeAll(async () => {
  topic = await createTopic(conn, { prefix: 'consumer-msk-iam', partitions: 2 });
  await produceMessages(conn, topic, [
    { value: 'a', partition: 0 },
    { value: 'b', partition: 1 },
  ]);
  awsDir = await mkdtemp(join(tmpdir(), 'msk-iam-aws-'));
  // A shared credentials file as the AWS CLI writes it, with the test account under a named profile.
  await writeFile(
    join(awsDir, 'credentials'),
    `[msk-test]\naws_access_key_id = ${account.accessKeyId}\naws_secret_access_key = ${account.secretAccessKey}\n`,
  );
  await writeFile(join(awsDir, 'config'), '');
});

afterAll(async () => {
  await rm(awsDir, { recursive: true, force: true });
});

beforeEach(() => {
  // Nothing from the machine: no real keys, profiles or instance metadata may answer for the test account.
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  ]) {
    vi.stubEnv(name, '');
  }
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(awsDir, 'credentials'));
  vi.stubEnv('AWS_CONFIG_FILE', join(awsDir, 'config'));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** What a Java connector config with this JAAS line (and our region field) parses to. */
function javaConfig(jaas: string, awsRegion = account.region): KafkaSourceConfig {
  return parseConfig({
    bootstrap_servers: conn.mskIam.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: topic },
    protocol: {
      security_protocol: 'SASL_SSL',
      sasl_mechanism: 'AWS_MSK_IAM',
      sasl_jaas_config: jaas,
      aws_region: awsRegion,
      ssl_ca_certificate: conn.mskIam.tls.caPem,
    },
    auto_offset_reset: 'earliest',
    request_timeout_ms: 5000,
  });
}

/** The consumer's view of a parsed connector config: the connection and what a read is derived from. */
function asTestConfig(config: KafkaSourceConfig): TestConfig {
  return testConfig(config.brokers, {
    security: config.security,
    subscription: config.subscription,
    requestTimeoutMs: config.requestTimeoutMs,
    startPosition: { type: 'earliest' },
  });
}

/** Lists the topic, then reads both its partitions to the end: every value, sorted. */
async function valuesRead(config: KafkaSourceConfig): Promise<string[]> {
  const topics = await listSelectedTopics(config, config.subscription, deps);
  expect(topics.map(({ name }) => name)).toEqual([topic]);
  const { records } = await collect(await readSelected(asTestConfig(config), { starts: [] }, deps));
  return records.map((r) => r.value?.toString() ?? '').sort();
}

async function refusal(config: KafkaSourceConfig, message: RegExp): Promise<ConsumerError> {
  const error = await listSelectedTopics(config, config.subscription, deps).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConsumerError);
  const failure = error as ConsumerError;
  // What the app reports as a config error: not retriable, a code the user fixes.
  expect(failure.retriable).toBe(false);
  expect(failure.code).toMatch(/^(AUTHENTICATION_FAILED|INVALID_CONFIG)$/);
  expect(failure.message).toMatch(message);
  expect(failure.message).not.toContain(account.secretAccessKey);
  return failure;
}

const BARE = 'software.amazon.msk.auth.iam.IAMLoginModule required;';

describe('AWS_MSK_IAM against the MSK IAM listener', () => {
  it('reads with keys from the environment, the default chain of a bare IAMLoginModule line', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', account.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', account.secretAccessKey);
    expect(await valuesRead(javaConfig(BARE))).toEqual(['a', 'b']);
  });

  it('reads with the awsProfileName profile of the shared credentials file, before the environment', async () => {
    // Keys the broker does not know: only the profile's may be used.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIANOTTHETESTKEY000');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-test-secret');
    const config = javaConfig(
      'software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName="msk-test";',
    );
    expect(await valuesRead(config)).toEqual(['a', 'b']);
  });

  it('reads with the region from AWS_REGION when the config names none', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', account.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', account.secretAccessKey);
    vi.stubEnv('AWS_REGION', account.region);
    const config = javaConfig(BARE, '');
    expect(config.security.sasl).toMatchObject({ mechanism: 'AWS_MSK_IAM', region: undefined });
    expect(await valuesRead(config)).toEqual(['a', 'b']);
  });

  it('is refused by the broker when the signature is made with another secret key', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', account.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'a-different-secret-key');
    await refusal(
      javaConfig(BARE),
      /SASL authentication failed .*refused the token \(invalid_token: X-Amz-Signature does not match\)/,
    );
  });

  it('is refused by the broker when the token is signed for another region', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', account.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', account.secretAccessKey);
    await refusal(
      javaConfig(BARE, 'eu-north-1'),
      /SASL authentication failed .*refused the token \(invalid_token: host is not kafka\.us-west-2\.amazonaws\.com\)/,
    );
  });

  it('fails as a config error naming the credential sources when no credentials are found', async () => {
    const error = await refusal(
      javaConfig('software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName="absent";'),
      /Could not sign an AWS_MSK_IAM token for region us-west-2 with credentials from profile "absent", then the default AWS credential chain/,
    );
    expect(error.message).not.toContain('at ');
  });
});
