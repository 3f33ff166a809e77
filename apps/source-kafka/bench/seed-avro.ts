// Benchmark harness: the Avro topic.
// The same 18-field values as the JSON topic (bench/seed.ts, padded to the same JSON size), written by
// Confluent's official Avro serializer against the test registry (bench/seed-registry.ts does the rest).
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/seed-avro.ts [--messages=100000]
import { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
// Deep imports: the package root also loads its cloud KMS drivers.
import { AvroSerializer } from '@confluentinc/schemaregistry/dist/serde/avro.js';
import { SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde.js';
import {
  type ApicurioConnection,
  type BrokerConnection,
  readApicurioConnection,
  readBrokerConnection,
} from '@source-kafka/testkit';
import { isMain, type SeedSettings, seedSettings } from './common.js';
import { messageObject } from './seed.js';
import {
  type RegistrySeeder,
  type RegistrySeedMarker,
  registeredIdOptions,
  registerValueSchema,
  seedThroughRegistry,
} from './seed-registry.js';

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

export const avroSeeder: RegistrySeeder = {
  name: 'avro',
  async prepare(topic, registry, { messageBytes }) {
    const client = new SchemaRegistryClient({ baseURLs: [registry.ccompatUrl] });
    const id = await registerValueSchema(client, topic, 'AVRO', JSON.stringify(benchAvroSchema));
    const serializer = new AvroSerializer(client, SerdeType.VALUE, registeredIdOptions(id));
    return (i) => serializer.serialize(topic, messageObject(i, messageBytes));
  },
};

export function seedAvro(
  conn: BrokerConnection,
  registry: ApicurioConnection,
  settings: SeedSettings,
): Promise<RegistrySeedMarker> {
  return seedThroughRegistry(avroSeeder, conn, registry, settings);
}

if (isMain(import.meta.url)) {
  const marker = await seedAvro(readBrokerConnection(), readApicurioConnection(), seedSettings());
  process.stdout.write(`${marker.topic}\n`);
}
