import { describe, expect, it } from 'vitest';
import { ConsumerError } from './errors.js';
import { createOAuthBearerProvider, type FetchLike } from './oauth.js';

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
    expect((error as ConsumerError).failureType).toBe('config_error');
    expect((error as ConsumerError).message).toMatch(/HTTP 401 \(invalid_client: bad secret\)/);
    expect((error as ConsumerError).message).not.toContain('s3cr3t-value');
  });
});
