// Topics written by Confluent's official JavaScript serializers (@confluentinc/schemaregistry) into the real
// broker, with their schemas in the real registry (Apicurio), one topic per format, schema form and subject
// name strategy. Each message carries the JSON the connector must write for it, per the documented mapping
// (packages/deserializers/README.md, "JSON mapping").
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  create,
  createFileRegistry,
  createMutableRegistry,
  type DescMessage,
  fromBinary,
  type MutableRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import {
  type SchemaInfo,
  SchemaRegistryClient,
} from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
// Deep imports: the package root also loads its cloud KMS drivers, whose ESM builds vitest cannot load.
import { AvroSerializer } from '@confluentinc/schemaregistry/dist/serde/avro.js';
import { JsonSerializer } from '@confluentinc/schemaregistry/dist/serde/json.js';
import { ProtobufSerializer } from '@confluentinc/schemaregistry/dist/serde/protobuf.js';
import {
  SerdeType,
  type Serializer,
  SubjectNameStrategyType,
  strategyFromType,
} from '@confluentinc/schemaregistry/dist/serde/serde.js';
import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { exactInteger, type FixtureCase, type Form, type Strategy } from './registry-cases.js';

const here = dirname(fileURLToPath(import.meta.url));
const protoSources = join(here, 'fixtures/registry/proto');
const bufBin = resolve(here, '../node_modules/.bin/buf');
const run = promisify(execFile);

const serdeTypeOf = { value: SerdeType.VALUE, key: SerdeType.KEY } as const;
const strategyType: Record<Strategy, SubjectNameStrategyType> = {
  TopicNameStrategy: SubjectNameStrategyType.TOPIC,
  RecordNameStrategy: SubjectNameStrategyType.RECORD,
  TopicRecordNameStrategy: SubjectNameStrategyType.TOPIC_RECORD,
};

/** The subject the library's own strategy function names for this record. */
async function subjectFor(strategy: Strategy, topic: string, part: 'value' | 'key', recordName: string) {
  const fn = strategyFromType(strategyType[strategy], async () => recordName);
  if (fn === null) throw new Error(`no strategy function for ${strategy}`);
  const subject = await fn(topic, serdeTypeOf[part], { schema: 'placeholder' });
  if (subject === undefined || subject === '') throw new Error(`empty subject for ${strategy}`);
  return subject;
}

/**
 * Serializer options for a schema registered beforehand: the serializer looks the subject's latest version up
 * and writes its id. The npm record strategies name a subject only from a schema they derive themselves (Avro
 * and JSON infer one from the message), so the subject is fixed to what the library's strategy named above.
 */
function latestOf(subject: string) {
  return {
    autoRegisterSchemas: false,
    useLatestVersion: true,
    subjectNameStrategy: async () => subject,
  } as const;
}

// ---------------------------------------------------------------------------------------------- Avro

const AVRO_NS = 'com.example.avro';

const avroOrder = {
  type: 'record',
  name: 'Order',
  namespace: AVRO_NS,
  fields: [
    { name: 'order_id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'quantity', type: 'int' },
    { name: 'gift', type: 'boolean' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['PAID', 'SHIPPED'] } },
    { name: 'note', type: ['null', 'string'], default: null },
    {
      name: 'lines',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Line',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'quantity', type: 'int' },
          ],
        },
      },
    },
    { name: 'signature', type: 'bytes' },
    { name: 'max_safe', type: 'long' },
  ],
};

const avroKey = {
  type: 'record',
  name: 'OrderKey',
  namespace: AVRO_NS,
  fields: [
    { name: 'order_id', type: 'long' },
    { name: 'region', type: 'string' },
  ],
};

function avroMessages(): Array<{ value: unknown; key: unknown; expected: { value: unknown; key: unknown } }> {
  return [0, 1, 2].map((i) => {
    const signature = Buffer.from([0xde, 0xad, i]);
    const value = {
      order_id: 1000 + i,
      customer: `c-${i}`,
      amount: 12.5 + i,
      quantity: i + 1,
      gift: i % 2 === 0,
      status: i % 2 === 0 ? 'PAID' : 'SHIPPED',
      note: i === 1 ? 'gift wrap' : null,
      lines: [{ sku: `sku-${i}`, quantity: 2 }],
      signature,
      // avsc's long type refuses numbers beyond 2^52 (it checks its own safe range).
      max_safe: 2 ** 52,
    };
    const key = { order_id: 1000 + i, region: 'eu' };
    return { value, key, expected: { value: { ...value, signature: signature.toString('base64') }, key } };
  });
}

// ------------------------------------------------------------------------------------------ Protobuf

const PROTO_BIG = 1152921504606846977n; // 2^60 + 1: no double holds it

/**
 * The .proto sources with their package renamed, so the descriptor and the text forms live in subjects of
 * their own even under RecordNameStrategy (whose subjects are global, not per topic).
 */
function protoFiles(pkg: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.proto')) {
        const name = relative(protoSources, path).replace(/^example\//, `${pkg}/`);
        files.set(name, readFileSync(path, 'utf8').replace(/\bexample\b/g, pkg));
      }
    }
  };
  walk(protoSources);
  return files;
}

/** Compiles the sources with buf (a real protobuf compiler) into descriptors the serializer can use. */
async function compileProto(files: Map<string, string>): Promise<MutableRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'source-kafka-proto-'));
  try {
    writeFileSync(join(dir, 'buf.yaml'), 'version: v2\n');
    for (const [name, text] of files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const out = join(dir, 'image.binpb');
    await run(bufBin, ['build', dir, '-o', out]);
    return createMutableRegistry(createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(out))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function protoOrders(pkg: string, registry: MutableRegistry) {
  const Order = registry.getMessage(`${pkg}.Order`) as DescMessage;
  const OrderKey = registry.getMessage(`${pkg}.OrderKey`) as DescMessage;
  return [0, 1, 2].map((i) => {
    const signature = new Uint8Array([0xca, 0xfe, i]);
    const value = create(Order, {
      orderId: BigInt(1000 + i),
      customer: `c-${i}`,
      total: { currency: 'EUR', units: BigInt(12 + i) },
      lines: [{ sku: `sku-${i}`, quantity: 2 }],
      status: i % 2 === 0 ? 1 : 2,
      bigCounter: PROTO_BIG + BigInt(i),
      gift: i % 2 === 0,
      weight: 1.5 + i,
      signature,
    });
    const key = create(OrderKey, { orderId: BigInt(1000 + i), region: 'eu' });
    return {
      value,
      key,
      expected: {
        value: {
          orderId: 1000 + i,
          customer: `c-${i}`,
          total: { currency: 'EUR', units: 12 + i },
          lines: [{ sku: `sku-${i}`, quantity: 2 }],
          status: i % 2 === 0 ? 'PAID' : 'SHIPPED',
          bigCounter: exactInteger(String(PROTO_BIG + BigInt(i))),
          gift: i % 2 === 0,
          weight: 1.5 + i,
          signature: Buffer.from(signature).toString('base64'),
        },
        key: { orderId: 1000 + i, region: 'eu' },
      },
    };
  });
}

// --------------------------------------------------------------------------------------- JSON Schema

const JSON_NS = 'com.example.json';
const JSON_MONEY_SUBJECT = `${JSON_NS}.Money`;

const jsonMoney = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: `${JSON_NS}.Money`,
  type: 'object',
  properties: { currency: { type: 'string' }, units: { type: 'integer' } },
  required: ['currency', 'units'],
};

/** `$ref` to its own `definitions` and to another subject (a registry reference named `money.json`). */
const jsonOrder = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: `${JSON_NS}.Order`,
  type: 'object',
  properties: {
    order_id: { type: 'integer' },
    customer: { type: 'string' },
    amount: { type: 'number' },
    status: { type: 'string', enum: ['PAID', 'SHIPPED'] },
    note: { type: ['string', 'null'] },
    lines: { type: 'array', items: { $ref: '#/definitions/Line' } },
    total: { $ref: 'money.json' },
  },
  required: ['order_id', 'customer', 'lines', 'total'],
  definitions: {
    Line: {
      type: 'object',
      properties: { sku: { type: 'string' }, quantity: { type: 'integer' } },
      required: ['sku', 'quantity'],
    },
  },
};

const jsonKey = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: `${JSON_NS}.OrderKey`,
  type: 'object',
  properties: { order_id: { type: 'integer' }, region: { type: 'string' } },
  required: ['order_id', 'region'],
};

function jsonMessages() {
  return [0, 1, 2].map((i) => {
    const value = {
      order_id: 1000 + i,
      customer: `c-${i}`,
      amount: 12.5 + i,
      status: i % 2 === 0 ? 'PAID' : 'SHIPPED',
      note: i === 1 ? 'gift wrap' : null,
      lines: [{ sku: `sku-${i}`, quantity: 2 }],
      total: { currency: 'EUR', units: 12 + i },
    };
    const key = { order_id: 1000 + i, region: 'eu' };
    return { value, key, expected: { value, key } };
  });
}

// ---------------------------------------------------------------------------------------- producing

interface Produced {
  readonly topic: string;
  readonly valueSubject: string;
  readonly keySubject: string;
  readonly expected: Array<{ value: unknown; key: unknown }>;
  readonly valueRecord: string;
  readonly keyRecord: string;
  readonly type: 'AVRO' | 'PROTOBUF' | 'JSON_SCHEMA';
}

async function writeAll(
  conn: BrokerConnection,
  topic: string,
  pairs: ReadonlyArray<{ value: unknown; key: unknown }>,
  valueSerializer: Serializer,
  keySerializer: Serializer,
): Promise<void> {
  const messages = [];
  for (const pair of pairs) {
    messages.push({
      key: await keySerializer.serialize(topic, pair.key),
      value: await valueSerializer.serialize(topic, pair.value),
      partition: 0,
    });
  }
  await produceMessages(conn, topic, messages);
}

export interface FixtureContext {
  readonly conn: BrokerConnection;
  readonly registry: ApicurioConnection;
  readonly client: SchemaRegistryClient;
  readonly protoDescriptor: MutableRegistry;
  readonly protoTextFiles: Map<string, string>;
}

export async function fixtureContext(
  conn: BrokerConnection,
  registry: ApicurioConnection,
): Promise<FixtureContext> {
  const client = new SchemaRegistryClient({ baseURLs: [registry.ccompatUrl] });
  return {
    conn,
    registry,
    client,
    protoDescriptor: await compileProto(protoFiles('exampledesc')),
    protoTextFiles: protoFiles('exampletext'),
  };
}

async function produceAvro(ctx: FixtureContext, topic: string, strategy: Strategy): Promise<Produced> {
  const valueRecord = `${AVRO_NS}.Order`;
  const keyRecord = `${AVRO_NS}.OrderKey`;
  const valueSubject = await subjectFor(strategy, topic, 'value', valueRecord);
  const keySubject = await subjectFor(strategy, topic, 'key', keyRecord);
  await ctx.client.register(valueSubject, { schemaType: 'AVRO', schema: JSON.stringify(avroOrder) });
  await ctx.client.register(keySubject, { schemaType: 'AVRO', schema: JSON.stringify(avroKey) });
  const messages = avroMessages();
  await writeAll(
    ctx.conn,
    topic,
    messages,
    new AvroSerializer(ctx.client, SerdeType.VALUE, latestOf(valueSubject)),
    new AvroSerializer(ctx.client, SerdeType.KEY, latestOf(keySubject)),
  );
  return {
    topic,
    valueSubject,
    keySubject,
    expected: messages.map((m) => m.expected),
    valueRecord,
    keyRecord,
    type: 'AVRO',
  };
}

/** Descriptor form: the serializer registers base64 FileDescriptorProtos itself, imports as references. */
async function produceProtoDescriptor(
  ctx: FixtureContext,
  topic: string,
  strategy: Strategy,
): Promise<Produced> {
  const pkg = 'exampledesc';
  // The npm serializer names record subjects after the file's first message (Order, OrderKey here).
  const valueRecord = `${pkg}.Order`;
  const keyRecord = `${pkg}.OrderKey`;
  const valueSubject = await subjectFor(strategy, topic, 'value', valueRecord);
  const keySubject = await subjectFor(strategy, topic, 'key', keyRecord);
  // For the record strategies the serializer would fetch the imports with `?format=serialized` to find the
  // record name, which Apicurio 3.3.3 answers with a 500 for descriptor-form schemas (it parses them as
  // text). The subject is the one its strategy names; registration stays the serializer's own.
  const options = (subject: string) => ({
    autoRegisterSchemas: true,
    registry: ctx.protoDescriptor,
    ...(strategy === 'TopicNameStrategy'
      ? { subjectNameStrategyType: strategyType[strategy] }
      : { subjectNameStrategy: async () => subject }),
  });
  const valueSerializer = new ProtobufSerializer(ctx.client, SerdeType.VALUE, options(valueSubject));
  const keySerializer = new ProtobufSerializer(ctx.client, SerdeType.KEY, options(keySubject));
  const messages = protoOrders(pkg, ctx.protoDescriptor);
  await writeAll(ctx.conn, topic, messages, valueSerializer, keySerializer);
  return {
    topic,
    valueSubject,
    keySubject,
    expected: messages.map((m) => m.expected),
    valueRecord,
    keyRecord,
    type: 'PROTOBUF',
  };
}

/** Text form: `.proto` text registered through the registry API, imports as references to text subjects. */
async function produceProtoText(ctx: FixtureContext, topic: string, strategy: Strategy): Promise<Produced> {
  const pkg = 'exampletext';
  const files = ctx.protoTextFiles;
  const commonName = `${pkg}/common.proto`;
  const common = files.get(commonName) as string;
  // The same subject naming the descriptor form's serializer uses for an import: the file name.
  await ctx.client.register(commonName, { schemaType: 'PROTOBUF', schema: common });
  const commonVersion = (await ctx.client.getLatestSchemaMetadata(commonName)).version as number;
  const valueRecord = `${pkg}.Order`;
  const keyRecord = `${pkg}.OrderKey`;
  const valueSubject = await subjectFor(strategy, topic, 'value', valueRecord);
  const keySubject = await subjectFor(strategy, topic, 'key', keyRecord);
  const orderInfo: SchemaInfo = {
    schemaType: 'PROTOBUF',
    schema: files.get(`${pkg}/order.proto`) as string,
    references: [{ name: commonName, subject: commonName, version: commonVersion }],
  };
  await ctx.client.register(valueSubject, orderInfo);
  await ctx.client.register(keySubject, {
    schemaType: 'PROTOBUF',
    schema: files.get(`${pkg}/order_key.proto`) as string,
  });
  const registry = await compileProto(files);
  const messages = protoOrders(pkg, registry);
  await writeAll(
    ctx.conn,
    topic,
    messages,
    new ProtobufSerializer(ctx.client, SerdeType.VALUE, { ...latestOf(valueSubject), registry }),
    new ProtobufSerializer(ctx.client, SerdeType.KEY, { ...latestOf(keySubject), registry }),
  );
  return {
    topic,
    valueSubject,
    keySubject,
    expected: messages.map((m) => m.expected),
    valueRecord,
    keyRecord,
    type: 'PROTOBUF',
  };
}

async function produceJsonSchema(ctx: FixtureContext, topic: string, strategy: Strategy): Promise<Produced> {
  await ctx.client.register(JSON_MONEY_SUBJECT, { schemaType: 'JSON', schema: JSON.stringify(jsonMoney) });
  const moneyVersion = (await ctx.client.getLatestSchemaMetadata(JSON_MONEY_SUBJECT)).version as number;
  const valueRecord = `${JSON_NS}.Order`;
  const keyRecord = `${JSON_NS}.OrderKey`;
  const valueSubject = await subjectFor(strategy, topic, 'value', valueRecord);
  const keySubject = await subjectFor(strategy, topic, 'key', keyRecord);
  await ctx.client.register(valueSubject, {
    schemaType: 'JSON',
    schema: JSON.stringify(jsonOrder),
    references: [{ name: 'money.json', subject: JSON_MONEY_SUBJECT, version: moneyVersion }],
  });
  await ctx.client.register(keySubject, { schemaType: 'JSON', schema: JSON.stringify(jsonKey) });
  const messages = jsonMessages();
  // validate: the serializer checks each message against the registered schema, references resolved.
  await writeAll(
    ctx.conn,
    topic,
    messages,
    new JsonSerializer(ctx.client, SerdeType.VALUE, { ...latestOf(valueSubject), validate: true }),
    new JsonSerializer(ctx.client, SerdeType.KEY, { ...latestOf(keySubject), validate: true }),
  );
  return {
    topic,
    valueSubject,
    keySubject,
    expected: messages.map((m) => m.expected),
    valueRecord,
    keyRecord,
    type: 'JSON_SCHEMA',
  };
}

const producers: Record<Form, (ctx: FixtureContext, topic: string, strategy: Strategy) => Promise<Produced>> =
  {
    avro: produceAvro,
    'protobuf-descriptor': produceProtoDescriptor,
    'protobuf-text': produceProtoText,
    'json-schema': produceJsonSchema,
  };

function formatConfig(p: Produced, strategy: Strategy, part: 'value' | 'key'): Record<string, unknown> {
  const config: Record<string, unknown> = {
    deserialization_type: p.type,
    deserialization_strategy: strategy,
  };
  if (strategy !== 'TopicNameStrategy') {
    config.record_names = [part === 'value' ? p.valueRecord : p.keyRecord];
  }
  return config;
}

/** Creates the topic of one format × form × strategy and writes three keyed messages to it. */
export async function produceCase(ctx: FixtureContext, form: Form, strategy: Strategy): Promise<FixtureCase> {
  const topic = await createTopic(ctx.conn, { prefix: `fmt-${form}-${strategy}`, partitions: 1 });
  const produced = await producers[form](ctx, topic, strategy);
  return {
    name: `${form} × ${strategy}`,
    form,
    strategy,
    topic,
    messageFormat: formatConfig(produced, strategy, 'value'),
    keyFormat: formatConfig(produced, strategy, 'key'),
    expected: produced.expected,
    valueSubject: produced.valueSubject,
    keySubject: produced.keySubject,
  };
}

/**
 * Protobuf TopicNameStrategy with values of the file's second message (`Line`, message index [1]), in either
 * schema form: discover must type the topic by the message it carries, not the file's first one.
 */
export async function produceSecondMessageCase(
  ctx: FixtureContext,
  form: 'protobuf-descriptor' | 'protobuf-text',
): Promise<FixtureCase> {
  const strategy: Strategy = 'TopicNameStrategy';
  const topic = await createTopic(ctx.conn, { prefix: `fmt-${form}-second-message`, partitions: 1 });
  const valueSubject = `${topic}-value`;
  let registry: MutableRegistry;
  let options: ConstructorParameters<typeof ProtobufSerializer>[2];
  if (form === 'protobuf-descriptor') {
    registry = ctx.protoDescriptor;
    options = { autoRegisterSchemas: true, registry, subjectNameStrategyType: strategyType[strategy] };
  } else {
    const files = ctx.protoTextFiles;
    const commonName = 'exampletext/common.proto';
    await ctx.client.register(commonName, {
      schemaType: 'PROTOBUF',
      schema: files.get(commonName) as string,
    });
    const commonVersion = (await ctx.client.getLatestSchemaMetadata(commonName)).version as number;
    await ctx.client.register(valueSubject, {
      schemaType: 'PROTOBUF',
      schema: files.get('exampletext/order.proto') as string,
      references: [{ name: commonName, subject: commonName, version: commonVersion }],
    });
    registry = await compileProto(files);
    options = { ...latestOf(valueSubject), registry };
  }
  const pkg = form === 'protobuf-descriptor' ? 'exampledesc' : 'exampletext';
  const Line = registry.getMessage(`${pkg}.Line`) as DescMessage;
  const valueSerializer = new ProtobufSerializer(ctx.client, SerdeType.VALUE, options);
  const messages = [];
  for (const i of [0, 1]) {
    const line = create(Line, { sku: `sku-${i}`, quantity: 10 + i });
    messages.push({ value: await valueSerializer.serialize(topic, line), partition: 0 });
  }
  await produceMessages(ctx.conn, topic, messages);
  return {
    name: `${form} second message`,
    form,
    strategy,
    topic,
    messageFormat: { deserialization_type: 'PROTOBUF', deserialization_strategy: strategy },
    keyFormat: { deserialization_type: 'STRING' },
    expected: [0, 1].map((i) => ({ value: { sku: `sku-${i}`, quantity: 10 + i }, key: null })),
    valueSubject,
    keySubject: '',
  };
}
