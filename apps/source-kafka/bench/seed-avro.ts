// Benchmark harness: the Avro topic.
// The same 18-field values as the JSON topic (bench/seed.ts, padded to the same JSON size), written by
// Confluent's official Avro serializer (@confluentinc/schemaregistry) against the test registry (Apicurio),
// keys `k-<n>` as plain strings, over P partitions, with a kafkajs producer. A marker file remembers the topic.
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/seed-avro.ts [--messages=100000]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
// Deep imports: the package root also loads its cloud KMS drivers.
import { AvroSerializer } from '@confluentinc/schemaregistry/dist/serde/avro.js';
import { SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde.js';
import {
  type ApicurioConnection,
  type BrokerConnection,
  createKafka,
  createTopic,
  readApicurioConnection,
  readBrokerConnection,
} from '@source-kafka/testkit';
import { CompressionTypes } from 'kafkajs';
import { BenchError, benchDir, isMain, readableMessages, type SeedSettings, seedSettings } from './common.js';
import { messageObject } from './seed.js';

export interface AvroSeedMarker extends SeedSettings {
  readonly topic: string;
  readonly seededAt: string;
  /** Keys + values as written (Avro binary with the 5-byte Confluent frame), the numerator of MB/s. */
  readonly payloadBytes: number;
}

const double = 'double';
const str = 'string';
const record = (name: string, fields: ReadonlyArray<readonly [string, unknown]>) => ({
  type: 'record',
  name,
  fields: fields.map(([n, type]) => ({ name: n, type })),
});

/** Mirrors nestedObject() in seed.ts, field for field. */
export const benchAvroSchema = {
  ...record('Order', [
    ['id', 'long'],
    ['created_at', str],
    ['updated_at', str],
    [
      'user',
      record('User', [
        ['id', 'int'],
        ['name', str],
        ['tier', str],
        ['email', str],
      ]),
    ],
    ['amount', double],
    ['currency', str],
    ['active', 'boolean'],
    ['quantity', 'int'],
    ['score', double],
    ['tags', { type: 'array', items: str }],
    [
      'items',
      {
        type: 'array',
        items: record('Item', [
          ['sku', str],
          ['qty', 'int'],
          ['price', double],
        ]),
      },
    ],
    [
      'address',
      record('Address', [
        ['street', str],
        ['city', str],
        ['zip', str],
        ['country', str],
        [
          'geo',
          record('Geo', [
            ['lat', double],
            ['lon', double],
          ]),
        ],
      ]),
    ],
    [
      'device',
      record('Device', [
        ['os', str],
        ['version', str],
      ]),
    ],
    ['flags', { type: 'array', items: 'boolean' }],
    ['ratio', double],
    ['status', str],
    ['note', ['null', str]],
    ['payload', str],
  ]),
  namespace: 'bench.avro',
};

function markerPath(settings: SeedSettings): string {
  return join(
    benchDir,
    '.cache',
    `seed-avro-v1-${settings.messages}x${settings.messageBytes}-p${settings.partitions}.json`,
  );
}

export async function seedAvro(
  conn: BrokerConnection,
  registry: ApicurioConnection,
  settings: SeedSettings,
): Promise<AvroSeedMarker> {
  const path = markerPath(settings);
  if (existsSync(path)) {
    const marker = JSON.parse(readFileSync(path, 'utf8')) as AvroSeedMarker;
    const subject = await fetch(`${registry.ccompatUrl}/subjects/${marker.topic}-value/versions/latest`);
    if ((await readableMessages(conn, marker.topic)) === settings.messages && subject.ok) {
      console.error(`seed-avro: reusing ${marker.topic}`);
      return marker;
    }
  }
  const { messages, messageBytes, partitions } = settings;
  const topic = await createTopic(conn, { prefix: `bench-avro-${messages}x${messageBytes}`, partitions });
  const client = new SchemaRegistryClient({ baseURLs: [registry.ccompatUrl] });
  const schemaId = await client.register(`${topic}-value`, {
    schemaType: 'AVRO',
    schema: JSON.stringify(benchAvroSchema),
  });
  console.error(`seed-avro: ${topic}-value is schema id ${schemaId}`);
  // The registered id, not the latest version: the serializer then asks the registry once, not per message.
  const serializer = new AvroSerializer(client, SerdeType.VALUE, {
    autoRegisterSchemas: false,
    useSchemaId: schemaId,
  });
  const producer = createKafka(conn, 'plaintext', { clientId: 'bench-seed-avro' }).producer({
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const started = Date.now();
  let payloadBytes = 0;
  try {
    const chunk = 5000;
    for (let from = 0; from < messages; from += chunk) {
      const batch = [];
      for (let i = from; i < Math.min(messages, from + chunk); i++) {
        const key = Buffer.from(`k-${i}`);
        const value = await serializer.serialize(topic, messageObject(i, messageBytes));
        payloadBytes += key.length + value.length;
        batch.push({ key, value, partition: i % partitions });
      }
      if (from === 0) console.error('seed-avro: first batch serialized');
      await producer.send({ topic, messages: batch, acks: 1, compression: CompressionTypes.None });
      if ((from / chunk) % 20 === 0) console.error(`seed-avro: ${from + batch.length} of ${messages}`);
    }
  } finally {
    await producer.disconnect();
  }
  const readable = await readableMessages(conn, topic);
  if (readable !== messages) {
    throw new BenchError('seed_failed', `seeded ${topic} but it holds ${readable} messages, not ${messages}`);
  }
  const marker: AvroSeedMarker = { ...settings, topic, seededAt: new Date().toISOString(), payloadBytes };
  mkdirSync(join(benchDir, '.cache'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(marker, null, 2)}\n`);
  console.error(
    `seed-avro: ${messages} messages into ${topic} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return marker;
}

if (isMain(import.meta.url)) {
  const marker = await seedAvro(readBrokerConnection(), readApicurioConnection(), seedSettings());
  process.stdout.write(`${marker.topic}\n`);
}
