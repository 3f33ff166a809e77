// The real AWS signer, signing locally with fake credentials: no request leaves the machine for env keys.
import type { AwsMskIamConfig } from '@source-kafka/spec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../test/support.js';
import {
  type AwsCredentialsProvider,
  createMskIamTokenProvider,
  decodeMskIamToken,
  mskIamRegion,
} from './aws-msk-iam.js';
import { kafkaClientConfig } from './client.js';
import { ConsumerError } from './errors.js';

const ACCESS_KEY_ID = 'AKIAFAKEFORUNITTESTS';
const SECRET_ACCESS_KEY = 'fake/secret+key-for-unit-tests';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

function iam(fields: Partial<AwsMskIamConfig> = {}): AwsMskIamConfig {
  return { mechanism: 'AWS_MSK_IAM', region: 'eu-west-1', debugCredentials: false, ...fields };
}

function fakeClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Credentials that count how often the chain is asked, with a different key id each time. */
function countingCredentials(): { provider: AwsCredentialsProvider; calls: () => number } {
  let calls = 0;
  return {
    provider: async () => {
      calls++;
      return { accessKeyId: `AKIACOUNTING${calls}`, secretAccessKey: SECRET_ACCESS_KEY };
    },
    calls: () => calls,
  };
}

describe('AWS_MSK_IAM token provider', () => {
  beforeEach(() => {
    // Only the environment link of the default chain may answer: no shared files, no instance metadata.
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY_ID);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET_ACCESS_KEY);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('signs a presigned kafka-cluster:Connect URL with the env credentials, as base64url', async () => {
    const provider = createMskIamTokenProvider(iam(), { clock: fakeClock(), logger, env: {} });
    const before = Date.now();
    const token = await provider();
    expect(token.extensions).toBeUndefined();
    expect(token.value).toMatch(/^[A-Za-z0-9_-]+$/);

    const url = new URL(Buffer.from(token.value, 'base64url').toString('utf8'));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('kafka-cluster:Connect');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    const date = q.get('X-Amz-Date') ?? '';
    expect(date).toMatch(/^\d{8}T\d{6}Z$/);
    expect(q.get('X-Amz-Credential')).toBe(
      `${ACCESS_KEY_ID}/${date.slice(0, 8)}/eu-west-1/kafka-cluster/aws4_request`,
    );
    expect(q.get('X-Amz-Expires')).toBe('900');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.get('User-Agent')).toMatch(/^aws-msk-iam-sasl-signer-js\/\d+\.\d+\.\d+$/);
    expect(q.has('X-Amz-Security-Token')).toBe(false);
    // Signed now: X-Amz-Date is the signing second in UTC.
    const signedAt = Date.parse(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(signedAt).toBeLessThanOrEqual(Date.now());
    // The secret key signs; it never travels.
    expect(url.toString()).not.toContain(encodeURIComponent(SECRET_ACCESS_KEY));
    expect(url.toString()).not.toContain(SECRET_ACCESS_KEY);
  });

  it('carries the session token of temporary credentials', async () => {
    vi.stubEnv('AWS_SESSION_TOKEN', 'FwoGZXIvYXdzEFAKESESSION');
    const token = await createMskIamTokenProvider(iam(), { clock: fakeClock(), logger, env: {} })();
    const url = decodeMskIamToken(token.value).url;
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzEFAKESESSION');
  });

  it('reuses the token until 80% of its 15 minutes have passed, then signs a new one', async () => {
    const clock = fakeClock();
    const credentials = countingCredentials();
    const provider = createMskIamTokenProvider(iam(), {
      clock,
      logger,
      env: {},
      credentials: credentials.provider,
    });
    const first = await provider();
    clock.advance(0.8 * 900_000 - 1);
    expect(await provider()).toBe(first);
    expect(credentials.calls()).toBe(1);
    clock.advance(1);
    const second = await provider();
    expect(credentials.calls()).toBe(2);
    expect(decodeMskIamToken(second.value).url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIACOUNTING2\//,
    );
  });

  it('signs for whole 15 minutes with expiring credentials, and signs again before they expire', async () => {
    const clock = fakeClock(Date.now());
    let calls = 0;
    const provider = createMskIamTokenProvider(iam(), {
      clock,
      logger,
      env: {},
      credentials: async () => {
        calls++;
        return {
          accessKeyId: ACCESS_KEY_ID,
          secretAccessKey: SECRET_ACCESS_KEY,
          sessionToken: 'session',
          // 10 minutes and a fraction left, as a container or web-identity session may have.
          expiration: new Date(clock.now() + 600_500),
        };
      },
    });
    const token = await provider();
    expect(decodeMskIamToken(token.value).url.searchParams.get('X-Amz-Expires')).toBe('900');
    clock.advance(0.8 * 600_500 - 1);
    expect(await provider()).toBe(token);
    expect(calls).toBe(1);
    clock.advance(1);
    await provider();
    expect(calls).toBe(2);
  });

  it('shares one signing between concurrent callers', async () => {
    const credentials = countingCredentials();
    const provider = createMskIamTokenProvider(iam(), {
      clock: fakeClock(),
      logger,
      env: {},
      credentials: credentials.provider,
    });
    const [a, b, c] = await Promise.all([provider(), provider(), provider()]);
    expect(credentials.calls()).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('takes the region from the config, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    const env = { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' };
    expect(mskIamRegion(iam({ region: 'eu-west-1' }), env)).toBe('eu-west-1');
    expect(mskIamRegion(iam({ region: undefined }), env)).toBe('us-west-2');
    expect(mskIamRegion(iam({ region: undefined }), { AWS_DEFAULT_REGION: 'ap-south-1' })).toBe('ap-south-1');
  });

  it('signs for the region of AWS_REGION when the config has none', async () => {
    const token = await createMskIamTokenProvider(iam({ region: undefined }), {
      clock: fakeClock(),
      logger,
      env: { AWS_REGION: 'ca-central-1' },
    })();
    const url = decodeMskIamToken(token.value).url;
    expect(url.host).toBe('kafka.ca-central-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toContain('/ca-central-1/kafka-cluster/aws4_request');
  });

  it('fails with a config error naming protocol.aws_region when no region is known', () => {
    try {
      createMskIamTokenProvider(iam({ region: undefined }), { clock: fakeClock(), logger, env: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConsumerError);
      expect((error as ConsumerError).code).toBe('INVALID_CONFIG');
      expect((error as ConsumerError).retriable).toBe(false);
      expect((error as ConsumerError).message).toContain('protocol.aws_region');
    }
  });

  it('fails with a config error when no credentials can be found, naming where it looked', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    const provider = createMskIamTokenProvider(iam(), {
      clock: fakeClock(),
      logger,
      env: {},
      credentials: async () => ({ accessKeyId: '', secretAccessKey: '' }),
    });
    const error = await provider().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConsumerError);
    expect((error as ConsumerError).code).toBe('AUTHENTICATION_FAILED');
    expect((error as ConsumerError).message).toMatch(
      /^Could not sign an AWS_MSK_IAM token for region eu-west-1 with credentials from the default AWS credential chain: /,
    );
    // kafkajs must not retry it: its retrier only stops for errors that say they are not retriable.
    expect((error as { retriable?: unknown }).retriable).toBe(false);
  });

  it('tries the named profile first and falls through to the environment when it does not exist', async () => {
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    const token = await createMskIamTokenProvider(iam({ profileName: 'missing-profile' }), {
      clock: fakeClock(),
      logger,
      env: {},
    })();
    expect(decodeMskIamToken(token.value).url.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${ACCESS_KEY_ID}/`),
    );
  });
});

describe('kafkaClientConfig with AWS_MSK_IAM', () => {
  it('speaks OAUTHBEARER with the signed token', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY_ID);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET_ACCESS_KEY);
    try {
      const config = testConfig(['b-1.c.x.c2.kafka.eu-west-1.amazonaws.com:9098'], {
        security: { protocol: 'SASL_SSL', sasl: iam(), tls: {} },
      });
      const result = kafkaClientConfig(config, { logger, clock: fakeClock(), env: {} });
      const sasl = result.sasl;
      if (sasl === undefined || !('authenticationProvider' in sasl)) throw new Error('expected a mechanism');
      expect(sasl.mechanism).toBe('oauthbearer');
      // Drive the exchange with a broker that accepts: the first message carries the signed token.
      const sent: Buffer[] = [];
      const saslAuthenticate = async (args: { request: { encode: () => Buffer | Promise<Buffer> } }) => {
        sent.push(await args.request.encode());
        return Buffer.alloc(0) as never;
      };
      await sasl
        .authenticationProvider({ host: 'b-1', port: 9098, logger: {} as never, saslAuthenticate })
        .authenticate();
      const message = sent[0]?.subarray(4).toString('utf8') ?? '';
      const bearer = message.split('\u0001').find((part) => part.startsWith('auth=Bearer '));
      expect(message.endsWith('\u0001\u0001')).toBe(true);
      expect(bearer).toBeDefined();
      const token = bearer?.slice('auth=Bearer '.length) ?? '';
      expect(decodeMskIamToken(token).url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
      expect(result.ssl).toMatchObject({ rejectUnauthorized: true });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
