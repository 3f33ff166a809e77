// Which subjects discover reads under the record strategies, and which failures stay with one topic.
import { startTestRegistry } from '@source-kafka/testkit/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixtures, SchemaType, startFixtures } from '../test/helpers.js';
import { SchemaRegistryError, StreamSchemaError } from './errors.js';
import { createSchemaRegistryClient } from './registry-client.js';
import { type SubjectReport, streamSchemaFor } from './stream-schema.js';
import type { SchemaRegistry } from './types.js';

const avroFormat = (subjectNameStrategy: 'RecordNameStrategy' | 'TopicRecordNameStrategy') =>
  ({ format: 'AVRO', subjectNameStrategy, validateJsonSchema: false }) as const;

const record = (name: string, field: string) =>
  JSON.stringify({ type: 'record', name, namespace: 'shop', fields: [{ name: field, type: 'string' }] });

describe('record subjects in discover', () => {
  let fixtures: Fixtures;
  let registry: SchemaRegistry;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    fixtures = await startFixtures();
    registry = createSchemaRegistryClient({ url: fixtures.registry.url, retries: 0 });
    for (const [subject, schema] of [
      ['shop.Order', record('Order', 'order_id')],
      ['shop.Refund', record('Refund', 'refund_id')],
      ['shop.Other', record('Other', 'other_id')],
      ['orders-shop.Order', record('Order', 'order_id')],
      ['orders-shop.Refund', record('Refund', 'refund_id')],
      ['orders-shop.Other', record('Other', 'other_id')],
    ] as const) {
      ({ id: ids[subject] } = await fixtures.client.register({ type: SchemaType.AVRO, schema }, { subject }));
    }
    // Not a schema any parser reads: registered as Protobuf text, which the test registry stores unchecked.
    await fetch(`${fixtures.registry.url}/subjects/shop.Broken/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schemaType: 'PROTOBUF', schema: 'message {{{ not proto' }),
    });
  });
  afterAll(() => fixtures.registry.close());

  function variants(schema: Record<string, unknown>): string[] {
    const branches = (schema.anyOf as Array<Record<string, unknown>> | undefined) ?? [schema];
    return branches.map((branch) => Object.keys(branch.properties as object).join(','));
  }

  it('reads exactly the named subjects under RecordNameStrategy, and reports them with their ids', async () => {
    const reports: SubjectReport[] = [];
    const schema = await streamSchemaFor({
      topic: 'orders',
      part: 'value',
      format: avroFormat('RecordNameStrategy'),
      registry,
      recordNames: ['shop.Order', 'shop.Refund', 'shop.Gone'],
      onSubjects: (report) => reports.push(report),
    });
    expect(variants(schema)).toEqual(['order_id', 'refund_id']);
    expect(reports).toEqual([
      {
        used: [
          { subject: 'shop.Order', schemaId: ids['shop.Order'] },
          { subject: 'shop.Refund', schemaId: ids['shop.Refund'] },
        ],
        missing: ['shop.Gone'],
      },
    ]);
  });

  it('reads <topic>-<name> subjects under TopicRecordNameStrategy with record names', async () => {
    const schema = await streamSchemaFor({
      topic: 'orders',
      part: 'value',
      format: avroFormat('TopicRecordNameStrategy'),
      registry,
      recordNames: ['shop.Refund'],
    });
    expect(variants(schema)).toEqual(['refund_id']);
  });

  it('uses every <topic>-* subject under TopicRecordNameStrategy without record names', async () => {
    const schema = await streamSchemaFor({
      topic: 'orders',
      part: 'value',
      format: avroFormat('TopicRecordNameStrategy'),
      registry,
    });
    expect(variants(schema).sort()).toEqual(['order_id', 'other_id', 'refund_id']);
  });

  it('answers any JSON under RecordNameStrategy without record names, reading no subject at all', async () => {
    const before = fixtures.registry.requestCount('GET /subjects');
    const reports: SubjectReport[] = [];
    const schema = await streamSchemaFor({
      topic: 'orders',
      part: 'value',
      format: avroFormat('RecordNameStrategy'),
      registry,
      onSubjects: (report) => reports.push(report),
    });
    expect(schema).toEqual({
      type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
      description:
        'RecordNameStrategy without record names: the registry cannot tell which records the values of topic "orders" are; any JSON value',
    });
    expect(reports).toEqual([{ used: [], missing: [] }]);
    expect(fixtures.registry.requestCount('GET /subjects')).toBe(before);
  });

  it('names the topic, subject and schema id of a schema that cannot be converted', async () => {
    const brokenId = (await registry.getLatestSchema('shop.Broken')).id;
    const error = await streamSchemaFor({
      topic: 'orders',
      part: 'key',
      format: { ...avroFormat('RecordNameStrategy'), format: 'PROTOBUF' },
      registry,
      recordNames: ['shop.Broken'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamSchemaError);
    expect(error).toMatchObject({ topic: 'orders', part: 'key', subject: 'shop.Broken', schemaId: brokenId });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Cannot read the key schema of topic "orders" from subject "shop.Broken" \\(schema id ${brokenId}\\): `,
      ),
    );
  });

  it('lets refused credentials and outages through as registry errors, not as one stream’s trouble', async () => {
    const locked = await startTestRegistry({ auth: { username: 'u', password: 'p' } });
    try {
      const refused = await streamSchemaFor({
        topic: 'orders',
        part: 'value',
        format: avroFormat('RecordNameStrategy'),
        registry: createSchemaRegistryClient({ url: locked.url }),
        recordNames: ['shop.Order'],
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SchemaRegistryError);
      expect(refused).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED' });

      const flaky = await startTestRegistry();
      flaky.failNext(5, 503);
      const down = await streamSchemaFor({
        topic: 'orders',
        part: 'value',
        format: avroFormat('RecordNameStrategy'),
        registry: createSchemaRegistryClient({
          url: flaky.url,
          retries: 1,
          clock: { sleep: async () => {} },
        }),
        recordNames: ['shop.Order'],
      }).catch((e: unknown) => e);
      await flaky.close();
      expect(down).toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
    } finally {
      await locked.close();
    }
  });
});
