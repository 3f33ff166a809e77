// Benchmark harness: the Protobuf topic.
// The same 18-field values as the JSON topic (bench/seed.ts, padded to the same JSON size), written by
// Confluent's official Protobuf serializer against the test registry (bench/seed-registry.ts does the rest).
// The schema is registered as .proto text; buf compiles the same text for the serializer's descriptors.
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/seed-protobuf.ts [--messages=100000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  create,
  createFileRegistry,
  createMutableRegistry,
  type DescMessage,
  fromBinary,
  type MutableRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
// Deep imports: the package root also loads its cloud KMS drivers.
import { ProtobufSerializer } from '@confluentinc/schemaregistry/dist/serde/protobuf.js';
import { SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde.js';
import {
  type ApicurioConnection,
  type BrokerConnection,
  readApicurioConnection,
  readBrokerConnection,
} from '@source-kafka/testkit';
import { appDir, isMain, type SeedSettings, seedSettings } from './common.js';
import { messageObject } from './seed.js';
import {
  type RegistrySeeder,
  type RegistrySeedMarker,
  registerValueSchema,
  seedThroughRegistry,
} from './seed-registry.js';

/** Mirrors nestedObject() in seed.ts, field for field; `note` is proto3 optional, absent when null. */
export const benchProto = `syntax = "proto3";
package bench.protobuf;

message Order {
  message User { int32 id = 1; string name = 2; string tier = 3; string email = 4; }
  message Item { string sku = 1; int32 qty = 2; double price = 3; }
  message Geo { double lat = 1; double lon = 2; }
  message Address { string street = 1; string city = 2; string zip = 3; string country = 4; Geo geo = 5; }
  message Device { string os = 1; string version = 2; }
  int64 id = 1;
  string created_at = 2;
  string updated_at = 3;
  User user = 4;
  double amount = 5;
  string currency = 6;
  bool active = 7;
  int32 quantity = 8;
  double score = 9;
  repeated string tags = 10;
  repeated Item items = 11;
  Address address = 12;
  Device device = 13;
  repeated bool flags = 14;
  double ratio = 15;
  string status = 16;
  optional string note = 17;
  string payload = 18;
}
`;

function compiledOrder(): { registry: MutableRegistry; order: DescMessage } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-proto-'));
  try {
    writeFileSync(join(dir, 'buf.yaml'), 'version: v2\n');
    writeFileSync(join(dir, 'order.proto'), benchProto);
    const out = join(dir, 'image.binpb');
    execFileSync(join(appDir, 'node_modules', '.bin', 'buf'), ['build', dir, '-o', out]);
    const registry = createMutableRegistry(
      createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(out))),
    );
    const order = registry.getMessage('bench.protobuf.Order');
    if (order === undefined) throw new Error('buf did not compile bench.protobuf.Order');
    return { registry, order };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** seed.ts's object in the field names and types the generated message takes. */
function orderInit(i: number, messageBytes: number): Record<string, unknown> {
  const { id, created_at, updated_at, note, ...rest } = messageObject(i, messageBytes);
  return {
    ...rest,
    id: BigInt(id as number),
    createdAt: created_at,
    updatedAt: updated_at,
    ...(note === null ? {} : { note }),
  };
}

export const protobufSeeder: RegistrySeeder = {
  name: 'protobuf',
  async prepare(topic, registry, { messageBytes }) {
    const client = new SchemaRegistryClient({ baseURLs: [registry.ccompatUrl] });
    await registerValueSchema(client, topic, 'PROTOBUF', benchProto);
    const compiled = compiledOrder();
    // The latest version, as the id would make the serializer look its descriptor form up by content, which
    // the registry does not match to the registered text.
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, {
      autoRegisterSchemas: false,
      useLatestVersion: true,
      registry: compiled.registry,
    });
    return (i) => serializer.serialize(topic, create(compiled.order, orderInit(i, messageBytes)));
  },
};

export function seedProtobuf(
  conn: BrokerConnection,
  registry: ApicurioConnection,
  settings: SeedSettings,
): Promise<RegistrySeedMarker> {
  return seedThroughRegistry(protobufSeeder, conn, registry, settings);
}

if (isMain(import.meta.url)) {
  const marker = await seedProtobuf(readBrokerConnection(), readApicurioConnection(), seedSettings());
  process.stdout.write(`${marker.topic}\n`);
}
