// The demo: seeds a JSON topic and an Avro topic on the local broker, then runs the built connector through
// spec, check, discover, read, and a second read from the final state. Started by ../../../scripts/demo.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createTopic, produceMessages, readBrokerConnection } from '@source-kafka/testkit';
import { startTestRegistry } from '@source-kafka/testkit/registry';

type Message = { type: string } & Record<string, unknown>;
type RecordOut = { stream: string; data: Record<string, unknown> };

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const work = mkdtempSync(join(tmpdir(), 'source-kafka-demo-'));
const bold = (text: string) => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);

function file(name: string, value: unknown): string {
  const path = join(work, name);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

async function run(args: string[]): Promise<{ messages: Message[]; code: number | null }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const messages = out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Message);
  return { messages, code };
}

const records = (messages: Message[]) =>
  messages.filter((m) => m.type === 'RECORD').map((m) => m.record as RecordOut);
const lastStates = (messages: Message[]) => {
  const byStream = new Map<string, unknown>();
  for (const m of messages) {
    if (m.type !== 'STATE') continue;
    const state = m.state as { stream: { stream_descriptor: { name: string } } };
    byStream.set(state.stream.stream_descriptor.name, state);
  }
  return [...byStream.values()];
};
const idOf = (r: RecordOut) => `${r.stream}/${r.data._kafka_partition}/${r.data._kafka_offset}`;

const conn = readBrokerConnection();
const registry = await startTestRegistry();
try {
  console.log(bold('\n==> Creating sample topics'));
  const stamp = Date.now().toString(36);
  const jsonTopic = await createTopic(conn, { name: `demo.orders.json.${stamp}`, partitions: 3 });
  const avroTopic = await createTopic(conn, { name: `demo.payments.avro.${stamp}`, partitions: 2 });
  await produceMessages(
    conn,
    jsonTopic,
    Array.from({ length: 30 }, (_, i) => ({
      key: `order-${i}`,
      value: JSON.stringify({ id: i, item: ['book', 'lamp', 'tea'][i % 3], qty: 1 + (i % 4) }),
      headers: { source: 'demo' },
    })),
  );
  const client = new SchemaRegistry({ host: registry.url });
  const paymentSchema = {
    type: 'record',
    name: 'Payment',
    namespace: 'demo',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
      { name: 'paid_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  };
  const { id: schemaId } = await client.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(paymentSchema) },
    { subject: `${avroTopic}-value` },
  );
  const cents = (n: number) => {
    const hex = n.toString(16).padStart(8, '0');
    return Buffer.from(hex, 'hex');
  };
  await produceMessages(
    conn,
    avroTopic,
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => ({
        key: `payment-${i}`,
        value: await client.encode(schemaId, {
          id: i,
          amount: cents(1999 + i * 100),
          paid_at: Date.UTC(2026, 10, 23, 12, i),
        }),
      })),
    ),
  );
  console.log(`  ${jsonTopic}  (3 partitions, 30 JSON messages)`);
  console.log(`  ${avroTopic}  (2 partitions, 20 Avro messages, schema registry at ${registry.url})`);

  const jsonConfig = file('json-config.json', {
    bootstrap_servers: conn.plaintext.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: `demo\\.orders\\.json\\.${stamp}` },
    protocol: { security_protocol: 'PLAINTEXT' },
    start_position: { position: 'earliest' },
    record_layout: { include_headers: true },
  });
  const avroConfig = file('avro-config.json', {
    bootstrap_servers: conn.plaintext.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: `demo\\.payments\\.avro\\.${stamp}` },
    protocol: { security_protocol: 'PLAINTEXT' },
    MessageFormat: { deserialization_type: 'AVRO', deserialization_strategy: 'TopicNameStrategy' },
    schema_registry: { url: registry.url },
    start_position: { position: 'earliest' },
  });

  console.log(bold('\n==> source-kafka spec'));
  const spec = await run(['spec']);
  const specMessage = spec.messages.find((m) => m.type === 'SPEC')?.spec as {
    connectionSpecification: { properties: object };
  };
  console.log(`  ${Object.keys(specMessage.connectionSpecification.properties).length} config fields`);

  for (const [label, config] of [
    ['JSON', jsonConfig],
    ['Avro', avroConfig],
  ] as const) {
    console.log(bold(`\n==> source-kafka check (${label})`));
    const check = await run(['check', '--config', config]);
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus as {
      status: string;
      message?: string;
    };
    console.log(`  ${status.status}${status.message ? `: ${status.message}` : ''}`);

    console.log(bold(`\n==> source-kafka discover (${label})`));
    const discover = await run(['discover', '--config', config]);
    const catalog = discover.messages.find((m) => m.type === 'CATALOG')?.catalog as {
      streams: Array<{ name: string; json_schema: { properties: Record<string, unknown> } }>;
    };
    for (const stream of catalog.streams) {
      console.log(`  stream ${stream.name}: fields ${Object.keys(stream.json_schema.properties).join(', ')}`);
      if (label === 'Avro')
        console.log(`  value schema: ${JSON.stringify(stream.json_schema.properties.value)}`);
    }
    const configured = file(`${label}-catalog.json`, {
      streams: catalog.streams.map((stream) => ({
        stream,
        sync_mode: 'incremental',
        destination_sync_mode: 'append_dedup',
      })),
    });

    console.log(bold(`\n==> source-kafka read (${label}, incremental, first sync)`));
    const first = await run(['read', '--config', config, '--catalog', configured]);
    const firstRecords = records(first.messages);
    console.log(`  ${firstRecords.length} records, exit code ${first.code}; two of them:`);
    for (const r of firstRecords.slice(0, 2)) console.log(`  ${JSON.stringify(r.data)}`);
    const state = lastStates(first.messages);
    console.log(`  final state: ${JSON.stringify(state)}`);

    console.log(bold(`\n==> producing 3 new messages, then read again from the final state (${label})`));
    const topic = label === 'JSON' ? jsonTopic : avroTopic;
    await produceMessages(
      conn,
      topic,
      await Promise.all(
        [100, 101, 102].map(async (i) => ({
          key: `new-${i}`,
          value:
            label === 'JSON'
              ? JSON.stringify({ id: i, item: 'new', qty: 1 })
              : await client.encode(schemaId, { id: i, amount: cents(500), paid_at: Date.now() }),
        })),
      ),
    );
    const second = await run([
      'read',
      '--config',
      config,
      '--catalog',
      configured,
      '--state',
      file(`${label}-state.json`, state),
    ]);
    const secondRecords = records(second.messages);
    const seen = new Set(firstRecords.map(idOf));
    const repeats = secondRecords.filter((r) => seen.has(idOf(r))).length;
    console.log(`  ${secondRecords.length} records (the new ones), ${repeats} repeated from the first sync`);
    if (repeats !== 0 || secondRecords.length !== 3) {
      throw new Error(
        `Expected exactly the 3 new records and no repeats, got ${secondRecords.length} and ${repeats}`,
      );
    }
  }
  console.log(bold('\nDone.'), `Inputs and outputs are in ${work}`);
} finally {
  await registry.close();
}
