// Benchmark harness (bench engineer).
// Seeds a topic through one of Confluent's official serializers (@confluentinc/schemaregistry) against the
// test registry (Apicurio): the values of bench/seed.ts, keys `k-<n>` as plain strings, over P partitions,
// with a kafkajs producer. A marker file remembers the topic; it is reused while the topic still holds every
// message and its value subject is still registered. The Avro and Protobuf topics differ only in the
// serializer and the value they are handed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
import {
  type ApicurioConnection,
  type BrokerConnection,
  createKafka,
  createTopic,
} from '@source-kafka/testkit';
import { CompressionTypes } from 'kafkajs';
import { BenchError, benchDir, readableMessages, type SeedSettings } from './common.js';

export interface RegistrySeedMarker extends SeedSettings {
  readonly topic: string;
  readonly seededAt: string;
  /** Keys + values as written (the serializer's binary with its 5-byte frame), the numerator of MB/s. */
  readonly payloadBytes: number;
}

export interface RegistrySeeder {
  /** Names the marker file and the topic: `avro`, `protobuf`. */
  readonly name: string;
  /** Registers the value schema under `<topic>-value` and returns the function that serializes message i. */
  prepare(
    topic: string,
    registry: ApicurioConnection,
    settings: SeedSettings,
  ): Promise<(i: number) => Promise<Buffer>>;
}

function markerPath(name: string, settings: SeedSettings): string {
  return join(
    benchDir,
    '.cache',
    `seed-${name}-v1-${settings.messages}x${settings.messageBytes}-p${settings.partitions}.json`,
  );
}

/** The registered id, not the latest version: a serializer then asks the registry once, not per message. */
export function registeredIdOptions(schemaId: number) {
  return { autoRegisterSchemas: false, useSchemaId: schemaId };
}

export async function registerValueSchema(
  client: SchemaRegistryClient,
  topic: string,
  schemaType: 'AVRO' | 'PROTOBUF',
  schema: string,
): Promise<number> {
  const id = await client.register(`${topic}-value`, { schemaType, schema });
  console.error(`seed: ${topic}-value is schema id ${id}`);
  return id;
}

export async function seedThroughRegistry(
  seeder: RegistrySeeder,
  conn: BrokerConnection,
  registry: ApicurioConnection,
  settings: SeedSettings,
): Promise<RegistrySeedMarker> {
  const path = markerPath(seeder.name, settings);
  if (existsSync(path)) {
    const marker = JSON.parse(readFileSync(path, 'utf8')) as RegistrySeedMarker;
    const subject = await fetch(`${registry.ccompatUrl}/subjects/${marker.topic}-value/versions/latest`);
    if ((await readableMessages(conn, marker.topic)) === settings.messages && subject.ok) {
      console.error(`seed-${seeder.name}: reusing ${marker.topic}`);
      return marker;
    }
  }
  const { messages, messageBytes, partitions } = settings;
  const topic = await createTopic(conn, {
    prefix: `bench-${seeder.name}-${messages}x${messageBytes}`,
    partitions,
  });
  const serialize = await seeder.prepare(topic, registry, settings);
  const producer = createKafka(conn, 'plaintext', { clientId: `bench-seed-${seeder.name}` }).producer({
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
        const value = await serialize(i);
        payloadBytes += key.length + value.length;
        batch.push({ key, value, partition: i % partitions });
      }
      await producer.send({ topic, messages: batch, acks: 1, compression: CompressionTypes.None });
      if ((from / chunk) % 20 === 0)
        console.error(`seed-${seeder.name}: ${from + batch.length} of ${messages}`);
    }
  } finally {
    await producer.disconnect();
  }
  const readable = await readableMessages(conn, topic);
  if (readable !== messages) {
    throw new BenchError('seed_failed', `seeded ${topic} but it holds ${readable} messages, not ${messages}`);
  }
  const marker: RegistrySeedMarker = { ...settings, topic, seededAt: new Date().toISOString(), payloadBytes };
  mkdirSync(join(benchDir, '.cache'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(marker, null, 2)}\n`);
  console.error(
    `seed-${seeder.name}: ${messages} messages into ${topic} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return marker;
}
