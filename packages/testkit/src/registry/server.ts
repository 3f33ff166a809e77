// A small Confluent-compatible Schema Registry for tests: the REST endpoints the deserializers package and
// @kafkajs/confluent-schema-registry call, with Confluent's status codes and error bodies. Written by hand
// because no runnable registry is available from the package registries this machine reaches (see README).

import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface StoredReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

interface StoredSchema {
  readonly id: number;
  /** Confluent 8 names each schema by a GUID too (`GET /schemas/guids/{guid}`). */
  readonly guid: string;
  readonly schemaType: 'AVRO' | 'PROTOBUF' | 'JSON';
  readonly schema: string;
  readonly references: readonly StoredReference[];
}

export interface TestRegistryOptions {
  /** Basic auth; when set, every request without these credentials gets 401. */
  readonly auth?: { readonly username: string; readonly password: string } | undefined;
  /** When set, every request without `Authorization: Bearer <token>` gets 401. */
  readonly bearerToken?: string | undefined;
  /**
   * PEM key and certificate: serve HTTPS instead of HTTP. With `clientCa`, a client certificate signed by it
   * is required (mutual TLS).
   */
  readonly tls?:
    | { readonly key: string; readonly cert: string; readonly clientCa?: string | undefined }
    | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
}

export interface TestRegistry {
  readonly url: string;
  /** The next `count` requests fail with `status` (default 500) and a Confluent error body. */
  failNext(count: number, status?: number): void;
  /** Each answer waits this long first (for timeout tests); 0 turns it off. */
  setResponseDelay(ms: number): void;
  /** The GUID the registry gave schema `id` (Confluent 8 style), for GUID-framed fixtures. */
  guidOf(id: number): string;
  /** How many requests hit each "METHOD path" so far. */
  requestCount(methodAndPath: string): number;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPE });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the error below.
  }
  throw new HttpError(422, 42201, 'Invalid JSON body');
}

function normalizeReferences(value: unknown): StoredReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(422, 42201, 'references must be an array');
  return value.map((r: { name?: unknown; subject?: unknown; version?: unknown }) => {
    if (typeof r.name !== 'string' || typeof r.subject !== 'string' || typeof r.version !== 'number') {
      throw new HttpError(422, 42201, 'Invalid reference');
    }
    return { name: r.name, subject: r.subject, version: r.version };
  });
}

function schemaKey(type: string, schema: string, references: readonly StoredReference[]): string {
  let canonical = schema;
  if (type !== 'PROTOBUF') {
    try {
      canonical = JSON.stringify(JSON.parse(schema));
    } catch {
      // Invalid JSON is rejected by the caller.
    }
  }
  return JSON.stringify([type, canonical, references]);
}

/** The in-memory state and REST routes, apart from the socket, so it is easy to read. */
class RegistryState {
  readonly schemas = new Map<number, StoredSchema>();
  readonly byKey = new Map<string, number>();
  readonly subjects = new Map<string, number[]>();
  readonly config = new Map<string, string>();
  nextId = 1;

  register(subject: string, body: Record<string, unknown>): { id: number; guid: string } {
    if (typeof body.schema !== 'string')
      throw new HttpError(422, 42201, 'Either schema or schemaType is invalid');
    const schemaType = (body.schemaType ?? 'AVRO') as string;
    if (schemaType !== 'AVRO' && schemaType !== 'PROTOBUF' && schemaType !== 'JSON') {
      throw new HttpError(422, 42201, `Invalid schema type ${schemaType}`);
    }
    if (schemaType !== 'PROTOBUF') {
      try {
        JSON.parse(body.schema);
      } catch {
        throw new HttpError(422, 42201, 'Invalid schema');
      }
    }
    const references = normalizeReferences(body.references);
    for (const reference of references) this.version(reference.subject, String(reference.version));
    const key = schemaKey(schemaType, body.schema, references);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.byKey.set(key, id);
      this.schemas.set(id, { id, guid: randomUUID(), schemaType, schema: body.schema, references });
    }
    const versions = this.subjects.get(subject) ?? [];
    if (!versions.includes(id)) versions.push(id);
    this.subjects.set(subject, versions);
    // Confluent 8 answers with the GUID too; @confluentinc/schemaregistry's header serializer writes it.
    return { id, guid: this.schemas.get(id)!.guid };
  }

  schemaById(id: number): Record<string, unknown> {
    const stored = this.schemas.get(id);
    if (stored === undefined) throw new HttpError(404, 40403, `Schema ${id} not found`);
    return this.schemaBody(stored);
  }

  schemaByGuid(guid: string): Record<string, unknown> {
    const stored = [...this.schemas.values()].find((schema) => schema.guid === guid);
    if (stored === undefined) throw new HttpError(404, 40403, `Schema ${guid} not found`);
    return { guid: stored.guid, ...this.schemaBody(stored) };
  }

  schemaBody(stored: StoredSchema): Record<string, unknown> {
    return {
      schema: stored.schema,
      ...(stored.schemaType === 'AVRO' ? {} : { schemaType: stored.schemaType }),
      ...(stored.references.length > 0 ? { references: stored.references } : {}),
    };
  }

  versions(subject: string): number[] {
    const versions = this.subjects.get(subject);
    if (versions === undefined) throw new HttpError(404, 40401, `Subject '${subject}' not found.`);
    return versions;
  }

  version(subject: string, version: string): Record<string, unknown> {
    const versions = this.versions(subject);
    const number = version === 'latest' || version === '-1' ? versions.length : Number(version);
    const id = Number.isInteger(number) ? versions[number - 1] : undefined;
    if (id === undefined) {
      if (!/^\d+$/.test(version) && version !== 'latest' && version !== '-1') {
        throw new HttpError(422, 42202, `The specified version '${version}' is not a valid version id.`);
      }
      throw new HttpError(404, 40402, `Version ${version} not found.`);
    }
    const stored = this.schemas.get(id)!;
    return { subject, version: number, id, guid: stored.guid, ...this.schemaBody(stored) };
  }

  lookup(subject: string, body: Record<string, unknown>): Record<string, unknown> {
    const versions = this.versions(subject);
    const key = schemaKey(
      (body.schemaType ?? 'AVRO') as string,
      String(body.schema),
      normalizeReferences(body.references),
    );
    const id = this.byKey.get(key);
    const index = id === undefined ? -1 : versions.indexOf(id);
    if (id === undefined || index < 0) throw new HttpError(404, 40403, 'Schema not found');
    return { subject, version: index + 1, id, ...this.schemaBody(this.schemas.get(id)!) };
  }

  async route(method: string, path: string[], req: IncomingMessage): Promise<[number, unknown]> {
    const [root, a, b, c, d] = path;
    if (method === 'GET' && root === 'schemas' && a === 'ids' && b !== undefined && c === undefined) {
      return [200, this.schemaById(Number(b))];
    }
    if (method === 'GET' && root === 'schemas' && a === 'guids' && b !== undefined && c === undefined) {
      return [200, this.schemaByGuid(b)];
    }
    if (method === 'GET' && root === 'schemas' && a === 'ids' && b !== undefined && c === 'subjects') {
      const id = Number(b);
      this.schemaById(id);
      return [200, [...this.subjects].filter(([, ids]) => ids.includes(id)).map(([s]) => s)];
    }
    if (root === 'subjects') {
      if (method === 'GET' && a === undefined) return [200, [...this.subjects.keys()].sort()];
      if (a === undefined) throw new HttpError(405, 405, 'Method not allowed');
      if (method === 'POST' && b === undefined) return [200, this.lookup(a, await readBody(req))];
      if (method === 'GET' && b === 'versions' && c === undefined)
        return [200, this.versions(a).map((_, i) => i + 1)];
      if (method === 'POST' && b === 'versions' && c === undefined)
        return [200, this.register(a, await readBody(req))];
      if (method === 'GET' && b === 'versions' && c !== undefined && d === undefined)
        return [200, this.version(a, c)];
      if (method === 'GET' && b === 'versions' && c !== undefined && d === 'schema') {
        return [200, JSON.parse(String(this.version(a, c).schema)) as unknown];
      }
      if (method === 'DELETE' && b === undefined) {
        const versions = this.versions(a);
        this.subjects.delete(a);
        return [200, versions.map((_, i) => i + 1)];
      }
    }
    if (root === 'config') {
      if (a === undefined && method === 'GET') return [200, { compatibilityLevel: 'BACKWARD' }];
      if (a !== undefined && method === 'GET') {
        const level = this.config.get(a);
        if (level === undefined) {
          throw new HttpError(
            404,
            40408,
            `Subject '${a}' does not have subject-level compatibility configured`,
          );
        }
        return [200, { compatibilityLevel: level }];
      }
      if (a !== undefined && method === 'PUT') {
        const body = await readBody(req);
        const level = String(body.compatibility ?? 'BACKWARD').toUpperCase();
        this.config.set(a, level);
        return [200, { compatibility: level }];
      }
    }
    if (
      root === 'compatibility' &&
      a === 'subjects' &&
      b !== undefined &&
      c === 'versions' &&
      method === 'POST'
    ) {
      // Compatibility is not checked: tests register what they mean to, and decoding never depends on it.
      await readBody(req);
      this.versions(b);
      return [200, { is_compatible: true }];
    }
    throw new HttpError(404, 404, 'HTTP 404 Not Found');
  }
}

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const state = new RegistryState();
  const counts = new Map<string, number>();
  let failures: { remaining: number; status: number } = { remaining: 0, status: 500 };
  let delayMs = 0;
  const expectedAuth =
    options.auth !== undefined
      ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
      : options.bearerToken !== undefined
        ? `Bearer ${options.bearerToken}`
        : undefined;

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://registry.invalid');
      let path: string[];
      try {
        path = url.pathname
          .split('/')
          .filter((p) => p !== '')
          .map(decodeURIComponent);
      } catch {
        // A malformed %-escape: answered, not thrown, or the rejection would take the test process down.
        send(res, 404, { error_code: 404, message: 'HTTP 404 Not Found' });
        return;
      }
      const method = req.method ?? 'GET';
      const countKey = `${method} /${path.join('/')}`;
      counts.set(countKey, (counts.get(countKey) ?? 0) + 1);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
        res.setHeader('www-authenticate', `${expectedAuth.split(' ')[0]} realm="test-registry"`);
        send(res, 401, { error_code: 401, message: 'Unauthorized' });
        return;
      }
      if (failures.remaining > 0) {
        failures = { ...failures, remaining: failures.remaining - 1 };
        send(res, failures.status, { error_code: failures.status * 100 + 1, message: 'Injected failure' });
        return;
      }
      try {
        const [status, body] = await state.route(method, path, req);
        send(res, status, body);
      } catch (error) {
        if (error instanceof HttpError)
          send(res, error.status, { error_code: error.errorCode, message: error.message });
        else send(res, 500, { error_code: 50001, message: 'Error in the backend data store' });
      }
    })();
  };

  const server: Server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ...(options.tls.clientCa === undefined
            ? {}
            : { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true }),
        },
        handler,
      )
    : createHttpServer(handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    failNext(count, status = 500) {
      failures = { remaining: count, status };
    },
    setResponseDelay(ms) {
      delayMs = ms;
    },
    guidOf(id) {
      const stored = state.schemas.get(id);
      if (stored === undefined) throw new Error(`no schema ${id} in the test registry`);
      return stored.guid;
    },
    requestCount(methodAndPath) {
      return counts.get(methodAndPath) ?? 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
