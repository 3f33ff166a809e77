import { createTestCertificates, startTestRegistry, type TestRegistry } from '@source-kafka/testkit/registry';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaType, startFixtures } from '../test/helpers.js';
import { SchemaRegistryError } from './errors.js';
import {
  ConfluentSchemaRegistryClient,
  createSchemaRegistryClient,
  type HttpGet,
} from './registry-client.js';

const noWait = { sleep: async () => {} };
const userSchema = JSON.stringify({ type: 'record', name: 'U', fields: [{ name: 'n', type: 'string' }] });

describe('schema registry client', () => {
  const started: TestRegistry[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.close()));
  });

  it('fetches a schema by id with its references, and the subjects and latest version', async () => {
    const fixtures = await startFixtures();
    started.push(fixtures.registry);
    const base = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: userSchema },
      { subject: 'user' },
    );
    const wrapper = JSON.stringify({ type: 'record', name: 'W', fields: [{ name: 'u', type: 'U' }] });
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: wrapper, references: [{ name: 'U', subject: 'user', version: 1 }] },
      { subject: 'wrapped-value' },
    );
    const client = createSchemaRegistryClient({ url: fixtures.registry.url });
    expect(await client.getSchemaById(id)).toEqual({
      id,
      schemaType: 'AVRO',
      schema: wrapper,
      references: [{ name: 'U', subject: 'user', version: 1 }],
      subject: undefined,
      version: undefined,
    });
    expect(await client.listSubjects()).toEqual(['user', 'wrapped-value']);
    expect(await client.getLatestSchema('user')).toMatchObject({ id: base.id, subject: 'user', version: 1 });
  });

  it('sends one request per id, however many callers ask at once, and caches the answer', async () => {
    const fixtures = await startFixtures();
    started.push(fixtures.registry);
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: userSchema },
      { subject: 'once' },
    );
    const client = createSchemaRegistryClient({ url: fixtures.registry.url });
    const results = await Promise.all(Array.from({ length: 20 }, () => client.getSchemaById(id)));
    await client.getSchemaById(id);
    expect(new Set(results.map((r) => r.schema))).toEqual(new Set([userSchema]));
    expect(fixtures.registry.requestCount(`GET /schemas/ids/${id}`)).toBe(1);
  });

  it('retries 5xx answers with backoff and then succeeds', async () => {
    const fixtures = await startFixtures();
    started.push(fixtures.registry);
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: userSchema },
      { subject: 'retry' },
    );
    const waits: number[] = [];
    const client = createSchemaRegistryClient({
      url: fixtures.registry.url,
      retries: 3,
      retryBackoffMs: 100,
      clock: { sleep: async (ms) => void waits.push(ms) },
    });
    fixtures.registry.failNext(2, 503);
    expect((await client.getSchemaById(id)).schema).toBe(userSchema);
    expect(waits).toEqual([100, 200]);
    expect(fixtures.registry.requestCount(`GET /schemas/ids/${id}`)).toBe(3);
  });

  it('gives up on a registry that keeps failing with a transient error', async () => {
    const registry = await startTestRegistry();
    started.push(registry);
    registry.failNext(10, 500);
    const client = createSchemaRegistryClient({ url: registry.url, retries: 2, clock: noWait });
    await expect(client.getSchemaById(1)).rejects.toMatchObject({
      name: 'SchemaRegistryError',
      code: 'REGISTRY_UNAVAILABLE',
      message: expect.stringContaining('after 3 attempts'),
    });
  });

  it('treats a registry that is down as unavailable', async () => {
    const registry = await startTestRegistry();
    const url = registry.url;
    await registry.close();
    const client = createSchemaRegistryClient({ url, retries: 1, clock: noWait });
    await expect(client.getSchemaById(1)).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
    });
  });

  it('retries a request that times out', async () => {
    let calls = 0;
    const httpGet: HttpGet = async () => {
      calls++;
      if (calls === 1) throw new Error('no answer within 5 ms');
      return { status: 200, body: JSON.stringify({ schema: '"string"' }) };
    };
    const client = createSchemaRegistryClient({ url: 'http://registry.test', httpGet, clock: noWait });
    expect((await client.getSchemaById(3)).schema).toBe('"string"');
    expect(calls).toBe(2);
  });

  it('says an https URL reached a registry that answers in plain HTTP, without the OpenSSL text', async () => {
    const registry = await startTestRegistry();
    try {
      const client = createSchemaRegistryClient({
        url: registry.url.replace(/^http:/, 'https:'),
        clock: noWait,
      });
      const error = await client.getSchemaById(1).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'REGISTRY_TLS_FAILED',
        message: expect.stringContaining('answered in plain HTTP, not TLS: schema_registry.url says https'),
      });
      expect((error as Error).message).not.toMatch(/SSL routines|wrong version number/);
    } finally {
      await registry.close();
    }
  });

  it('times out a registry that does not answer', async () => {
    const registry = await startTestRegistry();
    started.push(registry);
    registry.setResponseDelay(2_000);
    const client = createSchemaRegistryClient({
      url: registry.url,
      timeoutMs: 50,
      retries: 1,
      clock: noWait,
    });
    await expect(client.getSchemaById(1)).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      message: expect.stringContaining('no answer within 50 ms'),
    });
  });

  it('reports bad credentials as a config error without echoing the password', async () => {
    const registry = await startTestRegistry({ auth: { username: 'reader', password: 's3cret-pass' } });
    started.push(registry);
    const wrong = createSchemaRegistryClient({
      url: registry.url,
      username: 'reader',
      password: 'wrong-pass',
    });
    const error = await wrong.listSubjects().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect(error).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED', status: 401 });
    expect(String((error as Error).message)).not.toContain('wrong-pass');
    const right = createSchemaRegistryClient({
      url: registry.url,
      username: 'reader',
      password: 's3cret-pass',
    });
    expect(await right.listSubjects()).toEqual([]);
  });

  it('never shows credentials written into the registry URL, in any error', async () => {
    const registry = await startTestRegistry({ auth: { username: 'reader', password: 's3cret-pass' } });
    const withUserInfo = registry.url.replace('://', '://reader:url-Pw-41@');
    const refused = await createSchemaRegistryClient({ url: withUserInfo })
      .listSubjects()
      .catch((e: unknown) => e);
    await registry.close();
    const down = await createSchemaRegistryClient({ url: withUserInfo, retries: 0, clock: noWait })
      .listSubjects()
      .catch((e: unknown) => e);
    for (const error of [refused, down]) {
      expect(error).toBeInstanceOf(SchemaRegistryError);
      const chain: string[] = [];
      for (let link: unknown = error; link instanceof Error; link = link.cause) chain.push(link.message);
      expect(chain.join('\n')).not.toContain('url-Pw-41');
    }
    expect(refused).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED' });
    expect(down).toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
  });

  it('names the id, or the subject, that the registry does not have', async () => {
    const registry = await startTestRegistry();
    started.push(registry);
    const client = createSchemaRegistryClient({ url: registry.url });
    await expect(client.getSchemaById(404)).rejects.toMatchObject({
      code: 'REGISTRY_NOT_FOUND',
      message: expect.stringMatching(/schema id 404.*Schema 404 not found, error_code 40403/),
    });
    await expect(client.getLatestSchema('missing-value')).rejects.toMatchObject({
      code: 'REGISTRY_NOT_FOUND',
      message: expect.stringMatching(/subject "missing-value".*error_code 40401/),
    });
  });

  it('trusts a registry whose certificate is signed by the configured CA, and refuses another CA', async () => {
    const certs = createTestCertificates();
    const registry = await startTestRegistry({ tls: { key: certs.key, cert: certs.cert } });
    started.push(registry);
    const trusted = createSchemaRegistryClient({ url: registry.url, caCertificate: certs.caPem });
    expect(await trusted.listSubjects()).toEqual([]);
    const untrusted = createSchemaRegistryClient({
      url: registry.url,
      caCertificate: certs.otherCaPem,
      clock: noWait,
    });
    await expect(untrusted.listSubjects()).rejects.toMatchObject({
      code: 'REGISTRY_TLS_FAILED',
      message: expect.stringContaining('TLS handshake'),
    });
  });

  it('sends a static bearer token, and names bearer_token but never the token when it is refused', async () => {
    const registry = await startTestRegistry({ bearerToken: 'tok-Right-1' });
    started.push(registry);
    const right = createSchemaRegistryClient({ url: registry.url, bearerToken: 'tok-Right-1' });
    expect(await right.listSubjects()).toEqual([]);
    const wrong = await createSchemaRegistryClient({ url: registry.url, bearerToken: 'tok-Wrong-2' })
      .listSubjects()
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      message: expect.stringContaining('check schema_registry.bearer_token'),
    });
    expect((wrong as Error).message).not.toContain('tok-Wrong-2');
    const none = await createSchemaRegistryClient({ url: registry.url })
      .listSubjects()
      .catch((e: unknown) => e);
    expect((none as Error).message).toContain('set schema_registry.username and password, or bearer_token');
  });

  it('presents a client certificate to a registry that requires one (mutual TLS)', async () => {
    const certs = createTestCertificates();
    const registry = await startTestRegistry({
      tls: { key: certs.key, cert: certs.cert, clientCa: certs.caPem },
    });
    started.push(registry);
    const withCertificate = createSchemaRegistryClient({
      url: registry.url,
      caCertificate: certs.caPem,
      clientCertificate: certs.clientCert,
      clientKey: certs.clientKey,
    });
    expect(await withCertificate.listSubjects()).toEqual([]);
    const without = await createSchemaRegistryClient({
      url: registry.url,
      caCertificate: certs.caPem,
      retries: 0,
      clock: noWait,
    })
      .listSubjects()
      .catch((e: unknown) => e);
    expect(without).toBeInstanceOf(SchemaRegistryError);
    expect(without).toMatchObject({ code: 'REGISTRY_TLS_FAILED' });
    expect((without as Error).message).toContain('client certificate');
  });

  it('fetches a schema by its GUID once, and names a GUID the registry does not have', async () => {
    const fixtures = await startFixtures();
    started.push(fixtures.registry);
    const { id } = await fixtures.client.register(
      { type: SchemaType.AVRO, schema: userSchema },
      { subject: 'guided-value' },
    );
    const guid = fixtures.registry.guidOf(id);
    const client = new ConfluentSchemaRegistryClient({ url: fixtures.registry.url });
    const first = await client.getSchemaByGuid(guid);
    expect(first).toMatchObject({ guid, schemaType: 'AVRO', schema: userSchema, references: [] });
    expect(await client.getSchemaByGuid(guid)).toBe(first);
    expect(fixtures.registry.requestCount(`GET /schemas/guids/${guid}`)).toBe(1);
    await expect(client.getSchemaByGuid('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      code: 'REGISTRY_NOT_FOUND',
      message: expect.stringContaining('schema GUID 00000000-0000-0000-0000-000000000000'),
    });
  });
});
