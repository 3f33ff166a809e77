import { afterEach, describe, expect, it } from 'vitest';
import { startTestRegistry, type TestRegistry } from './server.js';

const avro = JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] });

describe('test schema registry', () => {
  let registry: TestRegistry | undefined;
  afterEach(async () => {
    await registry?.close();
    registry = undefined;
  });

  async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${registry!.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...(init.headers ?? {}) },
    });
    return { status: response.status, body: await response.json() };
  }

  it('answers with Confluent status codes and error bodies', async () => {
    registry = await startTestRegistry();
    const guid = expect.stringMatching(/^[0-9a-f-]{36}$/);
    expect(
      await call('/subjects/a-value/versions', { method: 'POST', body: JSON.stringify({ schema: avro }) }),
    ).toEqual({
      status: 200,
      body: { id: 1, guid },
    });
    expect(
      await call('/subjects/b-value/versions', { method: 'POST', body: JSON.stringify({ schema: avro }) }),
    ).toEqual({
      status: 200,
      body: { id: 1, guid: registry.guidOf(1) },
    });
    expect(await call('/schemas/ids/1')).toEqual({ status: 200, body: { schema: avro } });
    expect(await call('/subjects/a-value/versions/latest')).toEqual({
      status: 200,
      body: { subject: 'a-value', version: 1, id: 1, guid: registry.guidOf(1), schema: avro },
    });
    expect(await call('/subjects')).toEqual({ status: 200, body: ['a-value', 'b-value'] });
    expect(await call('/schemas/ids/9')).toEqual({
      status: 404,
      body: { error_code: 40403, message: 'Schema 9 not found' },
    });
    expect(await call('/subjects/nope/versions/1')).toEqual({
      status: 404,
      body: { error_code: 40401, message: "Subject 'nope' not found." },
    });
    expect(await call('/subjects/a-value/versions/2')).toEqual({
      status: 404,
      body: { error_code: 40402, message: 'Version 2 not found.' },
    });
    expect(
      await call('/subjects/a-value', { method: 'POST', body: JSON.stringify({ schema: '"string"' }) }),
    ).toEqual({
      status: 404,
      body: { error_code: 40403, message: 'Schema not found' },
    });
    // A malformed escape is answered like an unknown route instead of crashing the test process.
    expect(await call('/subjects/%E0%A4%A/versions')).toEqual({
      status: 404,
      body: { error_code: 404, message: 'HTTP 404 Not Found' },
    });
    expect((await call('/subjects')).status).toBe(200);
  });

  it('demands basic auth when configured and injects failures on request', async () => {
    registry = await startTestRegistry({ auth: { username: 'u', password: 'p' } });
    expect(await call('/subjects')).toEqual({
      status: 401,
      body: { error_code: 401, message: 'Unauthorized' },
    });
    const authorization = `Basic ${Buffer.from('u:p').toString('base64')}`;
    registry.failNext(1, 503);
    expect((await call('/subjects', { headers: { authorization } })).status).toBe(503);
    expect(await call('/subjects', { headers: { authorization } })).toEqual({ status: 200, body: [] });
    expect(registry.requestCount('GET /subjects')).toBe(3);
  });

  it('serves a schema by its GUID, and demands a bearer token when configured', async () => {
    registry = await startTestRegistry({ bearerToken: 'tok' });
    const headers = { authorization: 'Bearer tok' };
    expect(await call('/subjects', { headers: { authorization: 'Bearer other' } })).toMatchObject({
      status: 401,
    });
    await call('/subjects/a-value/versions', {
      method: 'POST',
      body: JSON.stringify({ schema: avro }),
      headers,
    });
    const guid = registry.guidOf(1);
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await call(`/schemas/guids/${guid}`, { headers })).toEqual({
      status: 200,
      body: { guid, schema: avro },
    });
    expect(await call('/schemas/guids/00000000-0000-0000-0000-000000000000', { headers })).toMatchObject({
      status: 404,
      body: { error_code: 40403 },
    });
  });
});
