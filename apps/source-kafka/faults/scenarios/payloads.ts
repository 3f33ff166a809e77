// Fuzzed payloads for every value format, under both bad-message policies: valid messages, their encodings
// cut short, with bytes flipped, with a planted secret spliced in, and random bytes. Under skip every message
// is a record or counted as skipped; under fail the read stops at the first bad one, naming its offset. No
// piece of the secret may appear anywhere but in RECORD lines.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { between, catalog, plaintextConfig } from '../common.js';
import type { SuiteContext } from '../context.js';
import { recordTrial, type ScenarioRow } from '../ledger.js';
import {
  finalStatuses,
  hasStackTrace,
  nonRecordOutput,
  ofType,
  runConnector,
  traceErrors,
  userFacingText,
} from '../run-cli.js';

const SECRET = 'PLANTEDpii7731';
/** Every 6-character piece of the secret, and its bytes in hex as a dump would print them. */
const PIECES = [
  ...Array.from({ length: SECRET.length - 5 }, (_, i) => SECRET.slice(i, i + 6)),
  Buffer.from(SECRET.slice(0, 6)).toString('hex'),
  Buffer.from(SECRET.slice(0, 6))
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 '),
];

type Format = 'JSON' | 'STRING' | 'BYTES' | 'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA';
const FORMATS: readonly Format[] = ['JSON', 'STRING', 'BYTES', 'AVRO', 'PROTOBUF', 'JSON_SCHEMA'];

interface Encoders {
  valid(n: number): Promise<Buffer>;
  /** Bytes before this index hold framing (magic byte, schema id) that the mutations leave alone. */
  readonly header: number;
}

async function encoders(ctx: SuiteContext, subjectPrefix: string): Promise<Record<Format, Encoders>> {
  const registry = new SchemaRegistry({ host: ctx.registry.ccompatUrl });
  const register = async (type: SchemaType, schema: string, name: string) =>
    (await registry.register({ type, schema } as never, { subject: `${subjectPrefix}-${name}-value` })).id;
  const avro = await register(
    SchemaType.AVRO,
    JSON.stringify({
      type: 'record',
      name: 'P',
      fields: [
        { name: 'n', type: 'int' },
        { name: 's', type: 'string' },
      ],
    }),
    'avro',
  );
  const protobuf = await register(
    SchemaType.PROTOBUF,
    'syntax = "proto3";\nmessage P { int32 n = 1; string s = 2; }\n',
    'protobuf',
  );
  const jsonSchema = await register(
    SchemaType.JSON,
    JSON.stringify({
      type: 'object',
      properties: { n: { type: 'integer' }, s: { type: 'string' } },
      required: ['n'],
    }),
    'json',
  );
  const text = (n: number) => Buffer.from(JSON.stringify({ n, s: `${SECRET} #${n}` }));
  return {
    JSON: { valid: async (n) => text(n), header: 0 },
    STRING: { valid: async (n) => Buffer.from(`${SECRET} line ${n}`), header: 0 },
    BYTES: { valid: async (n) => text(n), header: 0 },
    AVRO: { valid: (n) => registry.encode(avro, { n, s: `${SECRET} #${n}` }), header: 5 },
    // Confluent's Protobuf frame also holds the message indexes (one 0 byte for the first message), which this
    // client leaves out: they are put in here.
    PROTOBUF: {
      valid: async (n) => {
        const framed = await registry.encode(protobuf, { n, s: `${SECRET} #${n}` });
        return Buffer.concat([framed.subarray(0, 5), Buffer.from([0]), framed.subarray(5)]);
      },
      header: 6,
    },
    JSON_SCHEMA: { valid: (n) => registry.encode(jsonSchema, { n, s: `${SECRET} #${n}` }), header: 5 },
  };
}

/** One fuzzed payload: valid, or a valid one mutated in one of five ways. */
async function fuzzed(random: () => number, encoder: Encoders, n: number): Promise<Buffer> {
  const valid = await encoder.valid(n);
  const body = (b: Buffer) =>
    Math.max(encoder.header, Math.min(b.length - 1, between(random, encoder.header, b.length - 1)));
  switch (between(random, 0, 5)) {
    case 0:
      return valid;
    case 1:
      return valid.subarray(0, body(valid));
    case 2: {
      const copy = Buffer.from(valid);
      for (let i = between(random, 1, 4); i > 0; i--) {
        const at = body(copy);
        copy[at] = (copy[at] ?? 0) ^ between(random, 1, 255);
      }
      return copy;
    }
    case 3: {
      const at = body(valid);
      return Buffer.concat([valid.subarray(0, at), Buffer.from(` ${SECRET} `), valid.subarray(at)]);
    }
    case 4:
      return Buffer.concat([
        valid.subarray(0, encoder.header),
        Buffer.from(Array.from({ length: between(random, 0, 48) }, () => between(random, 0, 255))),
        Buffer.from(SECRET),
      ]);
    default:
      return Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(SECRET)]);
  }
}

export async function payloads(ctx: SuiteContext, row: ScenarioRow): Promise<void> {
  const perTopic = ctx.short ? 40 : 250;
  const rounds = ctx.short ? 1 : 3;
  const subjects = await createTopic(ctx.broker, { prefix: 'faults-subjects', partitions: 1 });
  const all = await encoders(ctx, subjects);
  for (let round = 0; round < rounds; round++) {
    for (const format of FORMATS) {
      for (const policy of ['skip', 'fail'] as const) {
        const topic = await createTopic(ctx.broker, {
          prefix: `faults-${format.toLowerCase()}`,
          partitions: 1,
        });
        const values: Buffer[] = [];
        for (let n = 0; n < perTopic; n++) values.push(await fuzzed(ctx.random, all[format], n));
        await produceMessages(
          ctx.broker,
          topic,
          values.map((value) => ({ key: 'k', value })),
        );
        const config = plaintextConfig(ctx.broker, topic, {
          MessageFormat: {
            deserialization_type: format,
            ...(format === 'JSON_SCHEMA' ? { validate_against_schema: true } : {}),
          },
          schema_registry: { url: ctx.registry.ccompatUrl },
          error_handling: { bad_message_policy: policy },
          schema_inference_sample_size: 0,
        });
        const result = await runConnector({
          command: 'read',
          config: { json: config },
          catalog: { json: catalog(topic, 'full_refresh') },
          timeoutMs: 120_000,
        });
        const problems: string[] = [];
        if (result.timedOut) problems.push('hung past its deadline');
        const leaked = nonRecordOutput(result);
        if (PIECES.some((piece) => leaked.includes(piece))) problems.push('printed a piece of a payload');
        if (hasStackTrace(userFacingText(result))) problems.push('a stack trace where a user reads');
        const records = ofType(result.messages, 'RECORD').length;
        if (policy === 'skip') {
          const skippedLine = userFacingText(result).match(
            /Skipped (\d+) message\(s\) that could not be decoded/,
          );
          const skipped = Number(skippedLine?.[1] ?? 0);
          if (result.exitCode !== 0)
            problems.push(`exit ${result.exitCode}: ${traceErrors(result.messages)[0]?.message ?? ''}`);
          if (records + skipped !== perTopic)
            problems.push(`${records} records + ${skipped} skipped of ${perTopic}`);
          if (finalStatuses(result.messages).get(topic) !== 'COMPLETE') problems.push('stream not COMPLETE');
        } else if (result.exitCode === 0) {
          if (records !== perTopic) problems.push(`exit 0 with ${records} of ${perTopic} records`);
        } else {
          const error = traceErrors(result.messages)[0];
          const at = error?.message?.match(new RegExp(`topic "${topic}", partition 0, offset (\\d+)`));
          if (error?.failure_type !== 'config_error')
            problems.push(`failed with ${error?.failure_type ?? 'no error'}`);
          if (at === null || at === undefined)
            problems.push('the error does not name topic, partition and offset');
          else if (Number(at[1]) !== records)
            problems.push(`stopped at offset ${at[1]} after ${records} records`);
        }
        ctx.log(`    ${format}, ${policy}: ${records} records of ${perTopic}, exit ${result.exitCode}`);
        recordTrial(row, `${format}, policy ${policy}, round ${round}`, problems);
      }
    }
  }
}
