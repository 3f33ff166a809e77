import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SchemaRegistryError, schemaRegistryErrorCodes } from './errors.js';
import type { RegisteredSchema, RegistrySchemaType, SchemaReference, SchemaRegistry } from './types.js';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** One GET. Injectable so tests of retry logic need no server; the default uses node:http(s). */
export type HttpGet = (
  url: URL,
  init: { headers: Record<string, string>; timeoutMs: number },
) => Promise<HttpResponse>;

export interface RegistryClock {
  sleep(ms: number): Promise<void>;
}

export interface SchemaRegistryClientOptions {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** A static token sent as `Authorization: Bearer <token>` (instead of basic auth). */
  readonly bearerToken?: string | undefined;
  /** PEM text of the CA that signed the registry's certificate. */
  readonly caCertificate?: string | undefined;
  /** PEM client certificate and key, for registries that require mutual TLS. */
  readonly clientCertificate?: string | undefined;
  readonly clientKey?: string | undefined;
  readonly clientKeyPassword?: string | undefined;
  readonly timeoutMs?: number | undefined;
  /** Retries after the first attempt, on 5xx, timeouts and connection errors. */
  readonly retries?: number | undefined;
  readonly retryBackoffMs?: number | undefined;
  /** Most schemas kept by id; least recently used go first. */
  readonly cacheSize?: number | undefined;
  readonly httpGet?: HttpGet | undefined;
  readonly clock?: RegistryClock | undefined;
}

const realClock: RegistryClock = { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

class RetriableHttpError extends Error {
  override readonly name = 'RetriableHttpError';
}

interface TlsOptions {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly passphrase?: string | undefined;
}

function nodeHttpGet(tls: TlsOptions): HttpGet {
  // Only the fields that are set: node treats an explicit `ca: undefined` differently from no `ca` at all.
  const tlsOptions = Object.fromEntries(Object.entries(tls).filter(([, value]) => value !== undefined));
  return (url, init) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      const options = {
        method: 'GET',
        headers: init.headers,
        timeout: init.timeoutMs,
        ...(isHttps ? tlsOptions : {}),
      };
      const req = (isHttps ? httpsRequest : httpRequest)(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new RetriableHttpError(`no answer within ${init.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
}

/** OpenSSL's messages run over several lines; its code says the same in one word. */
function tlsReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const firstLine = ((error as Error).message ?? '').split('\n', 1)[0] ?? '';
  return typeof code === 'string' && code.startsWith('ERR_SSL') ? code : firstLine;
}

/** TLS failures are configuration problems (wrong CA), not outages: they are not retried. */
function isTlsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    (code.includes('CERT') ||
      code.startsWith('UNABLE_TO_') ||
      code.startsWith('ERR_TLS') ||
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
      code.startsWith('ERR_SSL'))
  );
}

interface RawSchemaBody {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
  id?: unknown;
  guid?: unknown;
  subject?: unknown;
  version?: unknown;
}

function parseSchemaType(value: unknown): RegistrySchemaType {
  if (value === undefined || value === null || value === 'AVRO') return 'AVRO';
  if (value === 'PROTOBUF' || value === 'JSON') return value;
  throw new Error(`unknown schemaType ${JSON.stringify(value)}`);
}

function parseReferences(value: unknown): SchemaReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error('references is not an array');
  return value.map((ref: unknown) => {
    const r = ref as { name?: unknown; subject?: unknown; version?: unknown };
    if (typeof r.name !== 'string' || typeof r.subject !== 'string' || typeof r.version !== 'number') {
      throw new Error('a reference lacks name, subject or version');
    }
    return { name: r.name, subject: r.subject, version: r.version };
  });
}

/** Keeps the most recently used entries; Map iteration order gives the eviction order for free. */
class LruCache<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly capacity: number) {}
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }
  get size(): number {
    return this.#map.size;
  }
}

/** A Confluent-compatible Schema Registry client (also Apicurio's and Redpanda's `ccompat` API). */
export class ConfluentSchemaRegistryClient implements SchemaRegistry {
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #httpGet: HttpGet;
  readonly #clock: RegistryClock;
  readonly #byId: LruCache<number, RegisteredSchema>;
  readonly #inFlight = new Map<number, Promise<RegisteredSchema>>();
  readonly #byGuid: LruCache<string, RegisteredSchema>;
  readonly #guidsInFlight = new Map<string, Promise<RegisteredSchema>>();
  /** Which config fields to name when the registry refuses us or the TLS handshake fails. */
  readonly #authFields: string;
  readonly #tlsFields: string;
  readonly #bySubjectVersion: LruCache<string, RegisteredSchema>;

  constructor(options: SchemaRegistryClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    } catch (error) {
      throw new SchemaRegistryError(
        schemaRegistryErrorCodes.invalidUrl,
        'schema_registry.url is not a valid URL',
        { cause: error },
      );
    }
    // Credentials in the URL would end up in error messages; they belong in username/password.
    base.username = '';
    base.password = '';
    this.#base = base;
    this.#headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (options.username !== undefined && options.username !== '') {
      const token = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.#headers.authorization = `Basic ${token}`;
      this.#authFields = 'check schema_registry.username and password';
    } else if (options.bearerToken !== undefined && options.bearerToken !== '') {
      this.#headers.authorization = `Bearer ${options.bearerToken}`;
      this.#authFields = 'check schema_registry.bearer_token';
    } else {
      this.#authFields = 'set schema_registry.username and password, or bearer_token';
    }
    const mutualTls = options.clientCertificate !== undefined && options.clientKey !== undefined;
    this.#tlsFields = mutualTls
      ? 'check schema_registry.ca_certificate, client_certificate and client_key'
      : 'check schema_registry.ca_certificate (and whether the registry requires a client certificate)';
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retries = options.retries ?? 3;
    this.#backoffMs = options.retryBackoffMs ?? 200;
    this.#httpGet =
      options.httpGet ??
      nodeHttpGet({
        ca: options.caCertificate,
        ...(mutualTls
          ? { cert: options.clientCertificate, key: options.clientKey, passphrase: options.clientKeyPassword }
          : {}),
      });
    this.#clock = options.clock ?? realClock;
    this.#byId = new LruCache(options.cacheSize ?? 1000);
    this.#bySubjectVersion = new LruCache(options.cacheSize ?? 1000);
    this.#byGuid = new LruCache(options.cacheSize ?? 1000);
  }

  /** Cached by id; concurrent callers for one id share one request. */
  getSchemaById(id: number): Promise<RegisteredSchema> {
    const cached = this.#byId.get(id);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.#inFlight.get(id);
    if (pending !== undefined) return pending;
    const fetching = this.#fetchSchemaById(id).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, fetching);
    return fetching;
  }

  async #fetchSchemaById(id: number): Promise<RegisteredSchema> {
    const body = (await this.#getJson(`schemas/ids/${id}`, `schema id ${id}`)) as RawSchemaBody;
    const schema = this.#toRegistered(body, `schema id ${id}`, { id });
    this.#byId.set(id, schema);
    return schema;
  }

  /** `GET /schemas/guids/{guid}` (Confluent 8): the schema a GUID-framed message names. Cached by GUID. */
  getSchemaByGuid(guid: string): Promise<RegisteredSchema> {
    const cached = this.#byGuid.get(guid);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.#guidsInFlight.get(guid);
    if (pending !== undefined) return pending;
    const fetching = (async () => {
      const what = `schema GUID ${guid}`;
      const body = (await this.#getJson(`schemas/guids/${encodeURIComponent(guid)}`, what)) as RawSchemaBody;
      const schema = this.#toRegistered(body, what, { guid });
      this.#byGuid.set(guid, schema);
      return schema;
    })().finally(() => this.#guidsInFlight.delete(guid));
    this.#guidsInFlight.set(guid, fetching);
    return fetching;
  }

  getLatestSchema(subject: string): Promise<RegisteredSchema> {
    return this.getSchemaBySubjectVersion(subject, 'latest');
  }

  async getSchemaBySubjectVersion(subject: string, version: number | 'latest'): Promise<RegisteredSchema> {
    const key = `${subject}\u0000${version}`;
    if (version !== 'latest') {
      const cached = this.#bySubjectVersion.get(key);
      if (cached !== undefined) return cached;
    }
    const what = `version ${version} of subject "${subject}"`;
    const body = (await this.#getJson(
      `subjects/${encodeURIComponent(subject)}/versions/${version}`,
      what,
    )) as RawSchemaBody;
    const schema = this.#toRegistered(body, what, {});
    if (version !== 'latest') this.#bySubjectVersion.set(key, schema);
    this.#byId.set(schema.id, schema);
    return schema;
  }

  async listSubjects(): Promise<string[]> {
    const body = await this.#getJson('subjects', 'subject list');
    if (!Array.isArray(body) || !body.every((s) => typeof s === 'string')) {
      throw new SchemaRegistryError(
        schemaRegistryErrorCodes.badResponse,
        'The schema registry answered GET /subjects with something other than a list of names',
      );
    }
    return body;
  }

  #toRegistered(body: RawSchemaBody, what: string, known: { id?: number; guid?: string }): RegisteredSchema {
    try {
      if (typeof body !== 'object' || body === null || typeof body.schema !== 'string') {
        throw new Error('the answer has no "schema" text');
      }
      const id = known.id ?? body.id;
      const guid = known.guid ?? (typeof body.guid === 'string' ? body.guid : undefined);
      // A GUID lookup need not answer with the numeric id: the GUID names the schema then.
      if (typeof id !== 'number' && known.guid === undefined)
        throw new Error('the answer has no numeric "id"');
      return {
        id: typeof id === 'number' ? id : 0,
        guid,
        schemaType: parseSchemaType(body.schemaType),
        schema: body.schema,
        references: parseReferences(body.references),
        subject: typeof body.subject === 'string' ? body.subject : undefined,
        version: typeof body.version === 'number' ? body.version : undefined,
      };
    } catch (error) {
      throw new SchemaRegistryError(
        schemaRegistryErrorCodes.badResponse,
        `The schema registry's answer for ${what} is not a schema: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async #getJson(path: string, what: string): Promise<unknown> {
    const url = new URL(path, this.#base);
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0) await this.#clock.sleep(this.#backoffMs * 2 ** (attempt - 1));
      let response: HttpResponse;
      try {
        response = await this.#httpGet(url, { headers: this.#headers, timeoutMs: this.#timeoutMs });
      } catch (error) {
        if (isTlsError(error) || /wrong version number/.test(String((error as Error | undefined)?.message))) {
          // OpenSSL's "wrong version number": the server answered the TLS hello in plain HTTP.
          const plainHttp = /WRONG_VERSION_NUMBER|wrong version number/.test(
            `${String((error as { code?: unknown }).code)} ${(error as Error).message}`,
          );
          throw new SchemaRegistryError(
            schemaRegistryErrorCodes.tlsFailed,
            plainHttp
              ? `The schema registry at ${this.#base.origin} answered in plain HTTP, not TLS: schema_registry.url says https; use http:// or enable TLS on the registry`
              : `TLS handshake with the schema registry at ${this.#base.origin} failed (${tlsReason(error)}); ${this.#tlsFields}`,
            { cause: error },
          );
        }
        lastError = error;
        continue;
      }
      if (response.status >= 200 && response.status < 300) {
        try {
          return JSON.parse(response.body) as unknown;
        } catch (error) {
          throw new SchemaRegistryError(
            schemaRegistryErrorCodes.badResponse,
            `The schema registry answered ${what} with invalid JSON`,
            { status: response.status, cause: error },
          );
        }
      }
      if (response.status === 401 || response.status === 403) {
        throw new SchemaRegistryError(
          schemaRegistryErrorCodes.unauthorized,
          `The schema registry at ${this.#base.origin} refused the request (HTTP ${response.status}) while fetching ${what}; ${this.#authFields}`,
          { status: response.status },
        );
      }
      if (response.status === 404) {
        throw new SchemaRegistryError(
          schemaRegistryErrorCodes.notFound,
          `The schema registry at ${this.#base.origin} has no ${what}${registryReason(response.body)}`,
          { status: response.status },
        );
      }
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        lastError = new RetriableHttpError(`HTTP ${response.status}${registryReason(response.body)}`);
        continue;
      }
      throw new SchemaRegistryError(
        schemaRegistryErrorCodes.badResponse,
        `The schema registry answered HTTP ${response.status} while fetching ${what}${registryReason(response.body)}`,
        { status: response.status },
      );
    }
    throw new SchemaRegistryError(
      schemaRegistryErrorCodes.unavailable,
      `The schema registry at ${this.#base.origin} is unavailable after ${this.#retries + 1} attempts to fetch ${what}: ${(lastError as Error | undefined)?.message ?? 'unknown error'}`,
      { cause: lastError },
    );
  }
}

/** The registry's own `message`, when it sent a Confluent error body. */
function registryReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    if (typeof parsed.message === 'string') {
      return ` (registry said: ${parsed.message}${typeof parsed.error_code === 'number' ? `, error_code ${parsed.error_code}` : ''})`;
    }
  } catch {
    // Not a Confluent error body: nothing to add.
  }
  return '';
}

export function createSchemaRegistryClient(options: SchemaRegistryClientOptions): SchemaRegistry {
  return new ConfluentSchemaRegistryClient(options);
}
