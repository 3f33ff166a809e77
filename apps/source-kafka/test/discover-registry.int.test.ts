// Discover and read through the CLI against the real broker and the test registry: one unreadable subject
// leaves the other topics typed, record strategies read only the named subjects, and schema ids in headers
// and schema GUIDs decode. The test registry is used here because it stores a schema no parser reads and
// serves GUIDs (Confluent 8's `GET /schemas/guids/{guid}`); payloads are encoded by the third-party client.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages, uniqueTopicName } from '@source-kafka/testkit';
import { validateStreamRecord } from '@source-kafka/testkit/airbyte-schema';
import { startTestRegistry, type TestRegistry } from '@source-kafka/testkit/registry';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogFor, logsOf, ofType, plaintextConfig, recordsOf, runCli, traceErrors } from './cli.js';

const conn: BrokerConnection = inject('broker');

type Catalog = { streams: Array<{ name: string; json_schema: Record<string, unknown> }> };

const record = (name: string, fields: Array<{ name: string; type: unknown }>) =>
  JSON.stringify({ type: 'record', name, namespace: 'shop', fields });
const orderSchema = record('Order', [
  { name: 'n', type: 'int' },
  { name: 'item', type: 'string' },
]);
const refundSchema = record('Refund', [{ name: 'refund_id', type: 'long' }]);

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

function valueSchemaOf(catalog: Catalog, stream: string): Record<string, unknown> {
  const found = catalog.streams.find((s) => s.name === stream);
  return (found?.json_schema.properties as Record<string, Record<string, unknown>>).value ?? {};
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

  async function registerRaw(subject: string, body: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${registry.url}/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify(body),
    });
    return ((await response.json()) as { id: number }).id;
  }

  const registryConfig = (extra: Record<string, unknown>) => ({
    ...extra,
    schema_registry: { url: registry.url },
    record_layout: { include_key: false },
  });

  it('keeps every topic when one subject cannot be read, and names topic, subject and schema id', async () => {
    const prefix = uniqueTopicName('disc-bad');
    const good = await createTopic(conn, { prefix: `${prefix}-good` });
    const bad = await createTopic(conn, { prefix: `${prefix}-bad` });
    await client.register({ type: SchemaType.AVRO, schema: orderSchema }, { subject: `${good}-value` });
    // Valid JSON, so a registry stores it, but no Avro parser reads it.
    const badId = await registerRaw(`${bad}-value`, {
      schema: record('Broken', [{ name: 'a', type: 'no.such.Type' }]),
    });
    const config = plaintextConfig(
      conn,
      `${prefix}-.*`,
      registryConfig({ MessageFormat: { deserialization_type: 'AVRO' } }),
    );
    const discover = await runCli('discover', { config });
    expect(discover.exitCode).toBe(0);
    const [catalog] = ofType<Catalog>(discover.messages, 'CATALOG');
    expect(catalog?.streams.map((s) => s.name).sort()).toEqual([bad, good].sort());
    expect(Object.keys(valueSchemaOf(catalog!, good).properties as object)).toEqual(['n', 'item']);
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

  it('types a RecordNameStrategy topic from the named subjects only, logs them, and reads records that fit', async () => {
    const topic = await createTopic(conn, { prefix: 'disc-record' });
    const orderId = (
      await client.register({ type: SchemaType.AVRO, schema: orderSchema }, { subject: 'shop.Order' })
    ).id;
    const refundId = (
      await client.register({ type: SchemaType.AVRO, schema: refundSchema }, { subject: 'shop.Refund' })
    ).id;
    // Another team's record in the same registry: not named, so not part of this topic's schema.
    await client.register(
      { type: SchemaType.AVRO, schema: record('Invoice', [{ name: 'total', type: 'double' }]) },
      { subject: 'shop.Invoice' },
    );
    await produceMessages(conn, topic, [
      { value: await client.encode(orderId, { n: 1, item: 'pen' }) },
      { value: await client.encode(refundId, { refund_id: 9 }) },
    ]);
    const config = plaintextConfig(
      conn,
      topic,
      registryConfig({
        MessageFormat: {
          deserialization_type: 'AVRO',
          deserialization_strategy: 'RecordNameStrategy',
          record_names: ['shop.Order', 'shop.Refund'],
        },
      }),
    );
    const discover = await runCli('discover', { config });
    const [catalog] = ofType<Catalog>(discover.messages, 'CATALOG');
    expect(recordFieldSets(valueSchemaOf(catalog!, topic))).toEqual([['n', 'item'], ['refund_id']]);
    expect(logsOf(discover.messages).map((l) => l.message)).toContain(
      `Topic "${topic}" value: schema from subjects "shop.Order" (schema id ${orderId}), "shop.Refund" (schema id ${refundId}).`,
    );

    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
    expect(read.exitCode).toBe(0);
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
    expect(read.exitCode).toBe(0);
    expect(recordsOf(read.messages).map((r) => r.data.value)).toEqual([
      { n: 0, item: 'guid-header' },
      { n: 1, item: 'id-header' },
      { n: 2, item: 'guid-payload' },
      { n: 3, item: 'id-payload' },
    ]);
    expect(registry.requestCount(`GET /schemas/guids/${registry.guidOf(id)}`)).toBe(1);
  });
});
