import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogFor, logsOf, plaintextConfig, recordsOf, runCli, traceErrors } from './cli.js';

// Message contents may be personal data: whatever a bad message holds, no piece of it may reach stdout or
// stderr, in the TRACE error (policy fail) or in the skip log (policy skip).

const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');
const SECRET = 'SSN 123-45-6789';
// The text, and its bytes in hex (as a "first bytes: 53 53 4e ..." dump would show them).
const PIECES = /SSN|123-45|45-6789|53 ?53 ?4e|31 ?32 ?33 ?2d/i;

/** A Confluent frame (magic byte, schema id) around bytes that are not what the schema says. */
const framed = (id: number, body: Buffer) => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  return Buffer.concat([header, body]);
};

describe('a message that cannot be decoded', () => {
  const ids = { avro: 0, protobuf: 0, jsonSchema: 0 };

  beforeAll(async () => {
    // The registry is shared by every run: a fresh topic's name keeps this run's subjects apart.
    const run = await createTopic(conn, { prefix: 'app-privacy-subjects', partitions: 1 });
    const client = new SchemaRegistry({ host: registry.ccompatUrl });
    ids.avro = (
      await client.register(
        {
          type: SchemaType.AVRO,
          schema: JSON.stringify({ type: 'record', name: 'P', fields: [{ name: 'n', type: 'int' }] }),
        },
        { subject: `${run}-avro-value` },
      )
    ).id;
    ids.protobuf = (
      await client.register(
        { type: SchemaType.PROTOBUF, schema: 'syntax = "proto3";\nmessage P { int32 n = 1; }\n' },
        { subject: `${run}-protobuf-value` },
      )
    ).id;
    ids.jsonSchema = (
      await client.register(
        {
          type: SchemaType.JSON,
          schema: JSON.stringify({
            type: 'object',
            properties: { n: { type: 'integer' } },
            additionalProperties: { type: 'integer' },
          }),
        },
        { subject: `${run}-json-value` },
      )
    ).id;
  });

  const secret = Buffer.from(SECRET);
  const cases: Array<{ format: string; value: () => Buffer[]; formatConfig: Record<string, unknown> }> = [
    {
      format: 'JSON',
      formatConfig: { deserialization_type: 'JSON' },
      value: () => [
        secret,
        // Long enough that V8 quotes only its start, with an ellipsis: `"SSN 123-45"... is not valid JSON`.
        Buffer.from(`${SECRET} and more text after it`),
        Buffer.from(`{"note": "more text before it", "ssn": ${SECRET}}`),
        Buffer.from(`{"ssn": "${SECRET}", oops}`),
        Buffer.from(`{"n": 1} ${SECRET}`),
      ],
    },
    {
      format: 'STRING',
      formatConfig: { deserialization_type: 'STRING' },
      value: () => [Buffer.concat([secret, Buffer.from([0xff, 0xfe])])],
    },
    {
      format: 'AVRO',
      formatConfig: { deserialization_type: 'AVRO' },
      value: () => [
        secret,
        framed(ids.avro, secret),
        framed(ids.avro, Buffer.concat([Buffer.from([0x02]), secret])),
      ],
    },
    {
      format: 'PROTOBUF',
      formatConfig: { deserialization_type: 'PROTOBUF' },
      value: () => [secret, framed(ids.protobuf, Buffer.concat([Buffer.from([0]), secret]))],
    },
    {
      format: 'JSON_SCHEMA',
      formatConfig: { deserialization_type: 'JSON_SCHEMA', validate_against_schema: true },
      value: () => [
        secret,
        framed(ids.jsonSchema, secret),
        framed(ids.jsonSchema, Buffer.from(JSON.stringify({ n: SECRET }))),
        framed(ids.jsonSchema, Buffer.from(JSON.stringify({ [SECRET]: 'x' }))),
      ],
    },
  ];

  for (const { format, formatConfig, value } of cases) {
    for (const policy of ['fail', 'skip'] as const) {
      it(`${format}, policy ${policy}: reported by topic, partition and offset, never by its bytes`, async () => {
        const values = value();
        // Under fail a read stops at the first bad message, so each one gets its own topic.
        const batches = policy === 'skip' ? [values] : values.map((v) => [v]);
        for (const batch of batches) {
          const topic = await createTopic(conn, {
            prefix: `app-privacy-${format.toLowerCase()}`,
            partitions: 1,
          });
          await produceMessages(
            conn,
            topic,
            batch.map((v) => ({ key: 'k', value: v })),
          );
          const config = plaintextConfig(conn, topic, {
            MessageFormat: formatConfig,
            schema_registry: { url: registry.ccompatUrl },
            error_handling: { bad_message_policy: policy },
          });
          const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
          expect(read.stdout).not.toMatch(PIECES);
          expect(read.stderr).not.toMatch(PIECES);
          if (policy === 'fail') {
            expect(read.exitCode).toBe(1);
            const [error] = traceErrors(read.messages);
            expect(error?.failure_type).toBe('config_error');
            expect(error?.message).toMatch(new RegExp(`topic "${topic}", partition 0, offset 0`));
          } else {
            expect(read.exitCode).toBe(0);
            expect(recordsOf(read.messages)).toEqual([]);
            const skips = logsOf(read.messages).filter((l) => l.message.startsWith('Skipped the message'));
            expect(skips).toHaveLength(batch.length);
          }
        }
      });
    }
  }
});
