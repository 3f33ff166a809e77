// Discover and read through the CLI against the real broker: one unreadable subject leaves the other topics
// typed, record strategies read only the named subjects, and schema ids in headers and schema GUIDs decode.
// Apicurio Registry serves the first two. The hand-written test registry serves what Apicurio cannot: schema
// GUIDs (Confluent 8's `GET /schemas/guids/{guid}`; Apicurio 3.3.3 returns none) and a refused bearer token
// (Apicurio would need an identity provider).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages, uniqueTopicName } from '@source-kafka/testkit';
import { validateStreamRecord } from '@source-kafka/testkit/airbyte-schema';
import { createTestCertificates, startTestRegistry, type TestRegistry } from '@source-kafka/testkit/registry';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  catalogFor,
  failureOf,
  logsOf,
  ofType,
  plaintextConfig,
  recordsOf,
  runCli,
  traceErrors,
} from './cli.js';

const conn: BrokerConnection = inject('broker');
const apicurio: ApicurioConnection = inject('registry');
const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

type Catalog = { streams: Array<{ name: string; json_schema: Record<string, unknown> }> };

const record = (name: string, fields: Array<{ name: string; type: unknown }>) =>
  JSON.stringify({ type: 'record', name, namespace: 'shop', fields });
const orderSchema = record('Order', [
  { name: 'n', type: 'int' },
  { name: 'item', type: 'string' },
]);

/** The property names of every object schema in an anyOf tree, in order. */
function recordFieldSets(schema: Record<string, unknown>): string[][] {
  const found: string[][] = [];
  const walk = (node: Record<string, unknown>): void => {
    if (node.properties !== undefined) found.push(Object.keys(node.properties as object));
    for (const branch of (node.anyOf as Array<Record<string, unknown>> | undefined) ?? []) walk(branch);
  };
  walk(schema);
  return found;
}

async function registerRaw(url: string, subject: string, body: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { id?: number; message?: string };
  if (answer.id === undefined) throw new Error(`the registry refused ${subject}: ${answer.message}`);
  return answer.id;
}

function valueSchemaOf(catalog: Catalog, stream: string): Record<string, unknown> {
  const found = catalog.streams.find((s) => s.name === stream);
  const properties = (found?.json_schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return properties.value ?? {};
}

describe('discover and read through the schema registry', () => {
  let registry: TestRegistry;
  let client: SchemaRegistry;

  beforeAll(async () => {
    registry = await startTestRegistry();
    client = new SchemaRegistry({ host: registry.url });
  });
  afterAll(async () => {
    await registry?.close();
  });

  const registryConfig = (extra: Record<string, unknown>, url = registry.url) => ({
    ...extra,
    schema_registry: { url },
    record_layout: { include_key: false, ...(extra.record_layout as object | undefined) },
  });

  it('keeps every topic when one subject cannot be read, and names topic, subject and schema id', async () => {
    const prefix = uniqueTopicName('disc-bad');
    const good = await createTopic(conn, { prefix: `${prefix}-good` });
    const bad = await createTopic(conn, { prefix: `${prefix}-bad` });
    await registerRaw(apicurio.ccompatUrl, `${good}-value`, {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\npackage shop;\nmessage Good { int32 n = 1; string item = 2; }\n',
    });
    // Apicurio stores it, but two fields share number 1, so no Protobuf parser reads it.
    const badId = await registerRaw(apicurio.ccompatUrl, `${bad}-value`, {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\npackage shop;\nmessage Bad { int32 a = 1; string b = 1; }\n',
    });
    const config = plaintextConfig(conn, `${prefix}-.*`, {
      MessageFormat: { deserialization_type: 'PROTOBUF' },
      schema_registry: { url: apicurio.ccompatUrl },
      record_layout: { include_key: false },
    });
    const discover = await runCli('discover', { config });
    expect(discover.exitCode, discover.stderr).toBe(0);
    const [catalog] = ofType<Catalog>(discover.messages, 'CATALOG');
    expect(catalog?.streams.map((s) => s.name).sort()).toEqual([bad, good].sort());
    expect(recordFieldSets(valueSchemaOf(catalog!, good))).toEqual([['n', 'item']]);
    expect(valueSchemaOf(catalog!, bad)).toEqual({
      type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
      description: `The schema of subject "${bad}-value" (schema id ${badId}) could not be read when this catalog was discovered; any JSON value`,
    });
    const warnings = logsOf(discover.messages).filter((l) => l.level === 'WARN');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(
      `Topic "${bad}": the value schema of subject "${bad}-value" (schema id ${badId}) cannot be read`,
    );
  });

  it('fails discover with a config error when the registry refuses the credentials', async () => {
    const locked = await startTestRegistry({ bearerToken: 'right-Token-7' });
    try {
      const topic = await createTopic(conn, { prefix: 'disc-locked' });
      const config = plaintextConfig(conn, topic, {
        MessageFormat: { deserialization_type: 'AVRO' },
        schema_registry: { url: locked.url, bearer_token: 'wrong-Token-8' },
      });
      const discover = await runCli('discover', { config });
      expect(discover.exitCode).not.toBe(0);
      expect(ofType(discover.messages, 'CATALOG')).toEqual([]);
      expect(traceErrors(discover.messages)).toMatchObject([
        {
          failure_type: 'config_error',
          message: expect.stringContaining('check schema_registry.bearer_token'),
        },
      ]);
      expect(discover.stdout + discover.stderr).not.toContain('wrong-Token-8');
    } finally {
      await locked.close();
    }
  });

  it('fails discover with a transient error when the registry cannot be reached', async () => {
    const topic = await createTopic(conn, { prefix: 'disc-unreachable' });
    const config = plaintextConfig(conn, topic, {
      MessageFormat: { deserialization_type: 'AVRO' },
      schema_registry: { url: 'http://127.0.0.1:1' },
      retry_backoff_ms: 10,
    });
    const discover = await runCli('discover', { config });
    expect(discover.exitCode).not.toBe(0);
    expect(ofType(discover.messages, 'CATALOG')).toEqual([]);
    expect(traceErrors(discover.messages)).toMatchObject([
      { failure_type: 'transient_error', message: expect.stringContaining('127.0.0.1:1') },
    ]);
  });

  it('types a RecordNameStrategy topic from the named subjects only, logs them, and reads records that fit', async () => {
    const topic = await createTopic(conn, { prefix: 'disc-record' });
    // Subjects are global in the registry: a namespace of this run's own keeps reruns apart.
    const ns = `shop${randomBytes(4).toString('hex')}`;
    const apicurioClient = new SchemaRegistry({ host: apicurio.ccompatUrl });
    const named = (name: string, fields: Array<{ name: string; type: unknown }>) =>
      JSON.stringify({ type: 'record', name, namespace: ns, fields });
    const orderId = (
      await apicurioClient.register(
        {
          type: SchemaType.AVRO,
          schema: named('Order', [
            { name: 'n', type: 'int' },
            { name: 'item', type: 'string' },
          ]),
        },
        { subject: `${ns}.Order` },
      )
    ).id;
    const refundId = (
      await apicurioClient.register(
        { type: SchemaType.AVRO, schema: named('Refund', [{ name: 'refund_id', type: 'long' }]) },
        { subject: `${ns}.Refund` },
      )
    ).id;
    // Another team's record in the same registry: not named, so not part of this topic's schema.
    await apicurioClient.register(
      { type: SchemaType.AVRO, schema: named('Invoice', [{ name: 'total', type: 'double' }]) },
      { subject: `${ns}.Invoice` },
    );
    await produceMessages(conn, topic, [
      { value: await apicurioClient.encode(orderId, { n: 1, item: 'pen' }) },
      { value: await apicurioClient.encode(refundId, { refund_id: 9 }) },
    ]);
    const config = plaintextConfig(
      conn,
      topic,
      registryConfig(
        {
          MessageFormat: {
            deserialization_type: 'AVRO',
            deserialization_strategy: 'RecordNameStrategy',
            record_names: [`${ns}.Order`, `${ns}.Refund`, `${ns}.Gone`],
          },
        },
        apicurio.ccompatUrl,
      ),
    );
    const discover = await runCli('discover', { config });
    expect(discover.exitCode, discover.stderr).toBe(0);
    const [catalog] = ofType<Catalog>(discover.messages, 'CATALOG');
    expect(recordFieldSets(valueSchemaOf(catalog!, topic))).toEqual([['n', 'item'], ['refund_id']]);
    expect(logsOf(discover.messages).map((l) => l.message)).toContain(
      `Topic "${topic}" value: schema from subjects "${ns}.Order" (schema id ${orderId}), "${ns}.Refund" (schema id ${refundId}); not registered: "${ns}.Gone".`,
    );

    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
    expect(read.exitCode, read.stderr).toBe(0);
    const records = recordsOf(read.messages);
    expect(records.map((r) => r.data.value)).toEqual([{ n: 1, item: 'pen' }, { refund_id: 9 }]);
    const jsonSchema = catalog!.streams[0]!.json_schema;
    for (const r of records) expect(validateStreamRecord(jsonSchema, r.data)).toEqual([]);
  });

  it('reads values whose schema GUID or id is in a header, and payloads framed with a GUID', async () => {
    const topic = await createTopic(conn, { prefix: 'disc-guid' });
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: orderSchema },
      { subject: `${topic}-value` },
    );
    const guid = Buffer.from(registry.guidOf(id).replaceAll('-', ''), 'hex');
    // n = 0 makes the bare payload start with byte 0x00, like a magic byte: only the header tells.
    const bare = (n: number, item: string) => client.encode(id, { n, item }).then((b) => b.subarray(5));
    await produceMessages(conn, topic, [
      {
        value: await bare(0, 'guid-header'),
        headers: { __value_schema_id: Buffer.concat([Buffer.from([1]), guid]), trace: 'x' },
      },
      {
        value: await bare(1, 'id-header'),
        headers: { __value_schema_id: Buffer.from([0, 0, 0, 0, id]) },
      },
      { value: Buffer.concat([Buffer.from([1]), guid, await bare(2, 'guid-payload')]) },
      { value: await client.encode(id, { n: 3, item: 'id-payload' }) },
    ]);
    const config = plaintextConfig(
      conn,
      topic,
      registryConfig({ MessageFormat: { deserialization_type: 'AVRO' } }),
    );
    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
    expect(read.exitCode, failureOf(read)).toBe(0);
    expect(recordsOf(read.messages).map((r) => r.data.value)).toEqual([
      { n: 0, item: 'guid-header' },
      { n: 1, item: 'id-header' },
      { n: 2, item: 'guid-payload' },
      { n: 3, item: 'id-payload' },
    ]);
    expect(registry.requestCount(`GET /schemas/guids/${registry.guidOf(id)}`)).toBe(1);
  });

  it("reads values that Confluent's serializer wrote with the schema GUID in a header", async () => {
    const topic = await createTopic(conn, { prefix: 'disc-guid-official' });
    const { stdout } = await run(
      process.execPath,
      [
        '--conditions=source-kafka-source',
        '--import',
        'tsx',
        join(here, 'produce-header-guid-fixtures.ts'),
        registry.url,
        topic,
      ],
      { cwd: join(here, '..') },
    );
    const { id, guid } = JSON.parse(stdout) as { id: number; guid: string };
    expect(guid).toBe(registry.guidOf(id));
    const config = plaintextConfig(
      conn,
      topic,
      registryConfig({
        MessageFormat: { deserialization_type: 'AVRO' },
        record_layout: { include_headers: true },
      }),
    );
    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
    expect(read.exitCode, read.stderr).toBe(0);
    const records = recordsOf(read.messages);
    expect(records.map((r) => r.data.value)).toEqual([
      { n: 0, label: 'zero' },
      { n: 7, label: 'seven' },
    ]);
    // The serializer really put the GUID in the header: magic byte 1 and the 16 GUID bytes.
    expect(records[0]?.data._kafka_headers).toEqual([
      {
        key: '__value_schema_id',
        value: Buffer.from(`01${guid.replaceAll('-', '')}`, 'hex').toString('base64'),
        encoding: 'base64',
      },
    ]);
    expect(registry.requestCount(`GET /schemas/guids/${guid}`)).toBe(1);
  });

  it('checks and discovers through a registry that requires a client certificate (mutual TLS)', async () => {
    const certs = createTestCertificates();
    const mtls = await startTestRegistry({
      tls: { key: certs.key, cert: certs.cert, clientCa: certs.caPem },
    });
    try {
      const topic = await createTopic(conn, { prefix: 'disc-mtls' });
      await new SchemaRegistry({
        host: mtls.url,
        agent: new (await import('node:https')).Agent({
          ca: certs.caPem,
          cert: certs.clientCert,
          key: certs.clientKey,
        }),
      }).register({ type: SchemaType.AVRO, schema: orderSchema }, { subject: `${topic}-value` });
      const registryBlock = { url: mtls.url, ca_certificate: certs.caPem };
      const withCertificate = plaintextConfig(conn, topic, {
        MessageFormat: { deserialization_type: 'AVRO' },
        schema_registry: {
          ...registryBlock,
          client_certificate: certs.clientCert,
          client_key: certs.clientKey,
        },
      });
      expect(
        ofType((await runCli('check', { config: withCertificate })).messages, 'CONNECTION_STATUS'),
      ).toEqual([{ status: 'SUCCEEDED' }]);
      const discover = await runCli('discover', { config: withCertificate });
      const [catalog] = ofType<Catalog>(discover.messages, 'CATALOG');
      expect(recordFieldSets(valueSchemaOf(catalog!, topic))).toEqual([['n', 'item']]);

      const without = plaintextConfig(conn, topic, {
        MessageFormat: { deserialization_type: 'AVRO' },
        schema_registry: registryBlock,
      });
      const [status] = ofType<{ status: string; message: string }>(
        (await runCli('check', { config: without })).messages,
        'CONNECTION_STATUS',
      );
      expect(status?.status).toBe('FAILED');
      expect(status?.message).toContain('client certificate');
      const output = JSON.stringify(discover.messages);
      expect(output).not.toContain(certs.clientKey.split('\n')[1]);
    } finally {
      await mtls.close();
    }
  });
});
