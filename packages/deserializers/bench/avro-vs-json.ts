// Benchmark (not a test): decode + JSON-map N Avro records vs JSON.parse of the same records as JSON text.
// Run: node --conditions=source-kafka-source --import tsx packages/deserializers/bench/avro-vs-json.ts [N]
import avro from 'avsc';
import { createDeserializer } from '../src/create-deserializer.js';
import type { DeserializeContext, JsonValue, RegisteredSchema, SchemaRegistry } from '../src/index.js';

const count = Number(process.argv[2] ?? 1_000_000);
const rounds = 3;

const schema = {
  type: 'record',
  name: 'Order',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'quantity', type: 'int' },
    { name: 'paid', type: 'boolean' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
};

// Bulk data for the benchmark is encoded with plain avsc (the tests use the third-party client).
const writer = avro.Type.forSchema(schema as avro.Schema);
const registered: RegisteredSchema = {
  id: 1,
  schemaType: 'AVRO',
  schema: JSON.stringify(schema),
  references: [],
};
const registry: SchemaRegistry = {
  getSchemaById: async () => registered,
  getLatestSchema: async () => registered,
  getSchemaBySubjectVersion: async () => registered,
  listSubjects: async () => ['bench-value'],
};
const header = Buffer.from([0, 0, 0, 0, 1]);
const statuses = ['NEW', 'PAID', 'SHIPPED'];

const avroRecords: Buffer[] = new Array(count);
for (let i = 0; i < count; i++) {
  avroRecords[i] = Buffer.concat([
    header,
    writer.toBuffer({
      id: 1_000_000_000 + i,
      customer: `customer-${i % 5000}`,
      amount: (i % 10_000) / 100,
      quantity: i % 17,
      paid: i % 2 === 0,
      status: statuses[i % 3],
      note: i % 4 === 0 ? null : 'leave at the door',
      createdAt: 1_700_000_000_000 + i,
      tags: i % 3 === 0 ? [] : ['a', 'bb'],
    }),
  ]);
}

const context: DeserializeContext = { topic: 'bench', partition: 0, offset: '0', part: 'value' };
const deserialize = createDeserializer(
  { format: 'AVRO', subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false },
  { registry },
);
await deserialize(avroRecords[0]!, context); // Loads the schema; every later call is synchronous.

// The same data, as the JSON text a JSON topic would carry (the decoded JSON mapping, serialized).
const jsonTexts: string[] = avroRecords.map((bytes) => JSON.stringify(deserialize(bytes, context)));
const jsonBytes: Buffer[] = jsonTexts.map((text) => Buffer.from(text));
const jsonDeserialize = createDeserializer({
  format: 'JSON',
  subjectNameStrategy: 'TopicNameStrategy',
  validateJsonSchema: false,
});

function time(label: string, run: () => number): number {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    sink += run();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    best = Math.min(best, ms);
  }
  const perSecond = Math.round((count / best) * 1000);
  console.log(
    `${label.padEnd(44)} best of ${rounds}: ${best.toFixed(0).padStart(6)} ms  ${perSecond.toLocaleString('en-US')} records/s  (${sink})`,
  );
  return best;
}

const avroMs = time('Avro decode + JSON map (createDeserializer)', () => {
  let fields = 0;
  for (const bytes of avroRecords)
    fields += (deserialize(bytes, context) as { [k: string]: JsonValue }).quantity as number;
  return fields;
});
const parseMs = time('JSON.parse of the same data (string input)', () => {
  let fields = 0;
  for (const text of jsonTexts) fields += (JSON.parse(text) as { quantity: number }).quantity;
  return fields;
});
const jsonMs = time('JSON format deserializer (UTF-8 bytes)', () => {
  let fields = 0;
  for (const bytes of jsonBytes)
    fields += (jsonDeserialize(bytes, context) as { [k: string]: JsonValue }).quantity as number;
  return fields;
});
// Exact integers must not slow ordinary JSON down: the deserializer against the bare path it replaced
// (strict UTF-8 decode + JSON.parse), in alternating rounds so that load on a shared machine hits both alike.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const bare = { label: 'bare UTF-8 decode + JSON.parse (bytes)', best: Number.POSITIVE_INFINITY };
const full = { label: 'JSON deserializer, same rounds (bytes)', best: Number.POSITIVE_INFINITY };
for (let round = 0; round < 5; round++) {
  for (const entry of [bare, full]) {
    const start = process.hrtime.bigint();
    let fields = 0;
    if (entry === bare) {
      for (const bytes of jsonBytes)
        fields += (JSON.parse(strictUtf8.decode(bytes)) as { quantity: number }).quantity;
    } else {
      for (const bytes of jsonBytes)
        fields += (jsonDeserialize(bytes, context) as { [k: string]: JsonValue }).quantity as number;
    }
    entry.best = Math.min(entry.best, Number(process.hrtime.bigint() - start) / 1e6);
    if (fields < 0) console.log(fields);
  }
}
for (const { label, best } of [bare, full]) {
  console.log(
    `${label.padEnd(44)} best of 5: ${best.toFixed(0).padStart(6)} ms  ${Math.round((count / best) * 1000).toLocaleString('en-US')} records/s`,
  );
}
console.log(`JSON deserializer / bare path: ${(full.best / bare.best).toFixed(3)}x time`);

// The same records with a 64-bit id beyond 2^53: the scan finds it, and the exact parser keeps every digit.
const bigJsonBytes: Buffer[] = jsonTexts.map((text, i) =>
  Buffer.from(text.replace(/^\{"id":[0-9]+/, `{"id":${9_223_372_036_854_775_000n + BigInt(i % 800)}`)),
);
time('JSON deserializer, id beyond 2^53 (bytes)', () => {
  let fields = 0;
  for (const bytes of bigJsonBytes)
    fields += (jsonDeserialize(bytes, context) as { [k: string]: JsonValue }).quantity as number;
  return fields;
});

console.log(
  `\nrecords: ${count}; Avro payload ${avroRecords[1]!.length} bytes, JSON ${jsonBytes[1]!.length} bytes`,
);
console.log(
  `speed ratio Avro / JSON.parse(string): ${(parseMs / avroMs).toFixed(2)}x (above 1 means Avro is faster)`,
);
console.log(`speed ratio Avro / JSON deserializer (bytes): ${(jsonMs / avroMs).toFixed(2)}x`);
