// Writes Avro values with Confluent's official serializer configured to carry the schema GUID in the
// `__value_schema_id` header (HeaderSchemaIdSerializer), leaving the payload bare. Run as a child process by
// discover-registry.int.test.ts, for the reason given in produce-registry-fixtures.ts. Arguments: the
// registry URL and the topic; prints {"id","guid"} of the schema it used.
import { SchemaRegistryClient } from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
// Deep imports: the package root also loads its cloud KMS drivers.
import { AvroSerializer } from '@confluentinc/schemaregistry/dist/serde/avro.js';
import { HeaderSchemaIdSerializer, SerdeType } from '@confluentinc/schemaregistry/dist/serde/serde.js';
import { produceMessages, readBrokerConnection } from '@source-kafka/testkit';

const [registryUrl, topic] = process.argv.slice(2);
if (registryUrl === undefined || topic === undefined) throw new Error('usage: <registry url> <topic>');

const countSchema = {
  type: 'record',
  name: 'Count',
  namespace: 'guided',
  fields: [
    { name: 'n', type: 'int' },
    { name: 'label', type: 'string' },
  ],
};

const client = new SchemaRegistryClient({ baseURLs: [registryUrl] });
const subject = `${topic}-value`;
await client.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(countSchema) });
const latest = await client.getLatestSchemaMetadata(subject);
const serializer = new AvroSerializer(client, SerdeType.VALUE, {
  autoRegisterSchemas: false,
  useLatestVersion: true,
  schemaIdSerializer: HeaderSchemaIdSerializer,
});
const messages = [];
// n = 0 makes the bare payload start with byte 0x00, which looks like magic byte 0: only the header tells.
for (const value of [
  { n: 0, label: 'zero' },
  { n: 7, label: 'seven' },
]) {
  const headers: Record<string, Buffer> = {};
  messages.push({ value: await serializer.serialize(topic, value, headers), headers });
}
await produceMessages(readBrokerConnection(), topic, messages);
process.stdout.write(`${JSON.stringify({ id: latest.id, guid: latest.guid })}\n`);
