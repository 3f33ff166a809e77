import { describe, expect, it } from 'vitest';
import { ConsumerError } from './errors.js';
import { createOAuthBearerProvider, type FetchLike, maskUrlCredentials } from './oauth.js';

const credentials = {
  tokenEndpointUrl: 'http://idp.test/token',
  clientId: 'client-a',
  clientSecret: 's3cr3t-value',
  scope: 'kafka',
  extensions: { traceId: 'abc' },
};

function fakeEndpoint(responses: (() => Response)[]) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push({ url, init });
    const next = responses.shift();
    if (next === undefined) throw new Error('no more responses');
    return next();
  };
  return { fetch, requests };
}

const tokenResponse =
  (token: string, expiresIn = 100) =>
  () =>
    new Response(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: expiresIn }), {
      status: 200,
    });

describe('createOAuthBearerProvider', () => {
  it('sends a client-credentials grant with basic auth and scope', async () => {
    const endpoint = fakeEndpoint([tokenResponse('t1')]);
    const provider = createOAuthBearerProvider(credentials, {
      clock: { now: () => 0 },
      requestTimeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    const token = await provider();
    expect(token).toEqual({ value: 't1', extensions: { traceId: 'abc' } });
    const request = endpoint.requests[0];
    expect(request?.url).toBe('http://idp.test/token');
    expect(String(request?.init.body)).toBe('grant_type=client_credentials&scope=kafka');
    const auth = (request?.init.headers as Record<string, string> | undefined)?.authorization;
    expect(Buffer.from(String(auth).replace('Basic ', ''), 'base64').toString()).toBe(
      'client-a:s3cr3t-value',
    );
  });

  it('caches the token and refreshes it before it expires', async () => {
    let now = 0;
    const endpoint = fakeEndpoint([tokenResponse('t1', 100), tokenResponse('t2', 100)]);
    const provider = createOAuthBearerProvider(credentials, {
      clock: { now: () => now },
      requestTimeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    expect((await provider()).value).toBe('t1');
    now = 79_000;
    expect((await provider()).value).toBe('t1');
    now = 80_000;
    expect((await provider()).value).toBe('t2');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('shares one request between concurrent callers', async () => {
    const endpoint = fakeEndpoint([tokenResponse('t1')]);
    const provider = createOAuthBearerProvider(credentials, {
      clock: { now: () => 0 },
      requestTimeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a.value).toBe('t1');
    expect(b.value).toBe('t1');
    expect(endpoint.requests).toHaveLength(1);
  });

  it('reports a refused grant as a config error without the secret', async () => {
    const endpoint = fakeEndpoint([
      () =>
        new Response(JSON.stringify({ error: 'invalid_client', error_description: 'bad secret' }), {
          status: 401,
        }),
    ]);
    const provider = createOAuthBearerProvider(credentials, {
      clock: { now: () => 0 },
      requestTimeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect((error as ConsumerError).retriable).toBe(false);
    expect((error as ConsumerError).message).toMatch(/HTTP 401 \(invalid_client: bad secret\)/);
    expect((error as ConsumerError).message).not.toContain('s3cr3t-value');
  });
});

describe('token endpoint URL credentials', () => {
  const withUserinfo = {
    ...credentials,
    tokenEndpointUrl: 'https://idp-user:idp-pa%40ss@idp.test:8443/oauth/token',
  };
  const masked = 'https://***@idp.test:8443/oauth/token';

  it('masks the userinfo of URLs and leaves other text alone', () => {
    expect(maskUrlCredentials(withUserinfo.tokenEndpointUrl)).toBe(masked);
    expect(maskUrlCredentials('see http://a:b@h/p?q=1 and https://h2/x')).toBe(
      'see http://***@h/p?q=1 and https://h2/x',
    );
    expect(maskUrlCredentials('https://u:p@ss@host/path')).toBe('https://***@host/path');
    expect(maskUrlCredentials('http://idp.test/token')).toBe('http://idp.test/token');
  });

  it('names the endpoint without its credentials when the grant is refused', async () => {
    const { fetch } = fakeEndpoint([() => new Response('{"error":"invalid_client"}', { status: 401 })]);
    const provider = createOAuthBearerProvider(withUserinfo, {
      clock: { now: () => 0 },
      requestTimeoutMs: 1000,
      fetch,
    });
    const error = await provider().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConsumerError);
    expect((error as ConsumerError).message).toContain(masked);
    expect((error as ConsumerError).message).not.toMatch(/idp-user|idp-pa/);
  });

  it('names the endpoint without its credentials when there is no access_token', async () => {
    const { fetch } = fakeEndpoint([() => new Response('{}', { status: 200 })]);
    const provider = createOAuthBearerProvider(withUserinfo, {
      clock: { now: () => 0 },
      requestTimeoutMs: 1000,
      fetch,
    });
    await expect(provider()).rejects.toThrow(masked);
  });

  it('masks the URL in the error and its cause when fetch refuses it (Node fetch quotes the URL)', async () => {
    // Node's own fetch: it refuses URLs with credentials before any network traffic.
    const provider = createOAuthBearerProvider(withUserinfo, {
      clock: { now: () => 0 },
      requestTimeoutMs: 1000,
    });
    const error = (await provider().then(
      () => undefined,
      (e: unknown) => e,
    )) as ConsumerError;
    expect(error).toBeInstanceOf(ConsumerError);
    expect(error.message).toContain(masked);
    const cause = error.cause as Error;
    expect(cause.message).toContain('includes credentials');
    for (const text of [error.message, cause.message, String(cause.stack)]) {
      expect(text).not.toMatch(/idp-user|idp-pa/);
    }
  });
});
