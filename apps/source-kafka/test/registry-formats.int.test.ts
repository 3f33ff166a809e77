// The end-to-end format matrix of issue #11: for each registry format and schema form, under each subject
// name strategy, values and keys written by Confluent's official serializers into the real broker, with
// their schemas in a real registry (Apicurio Registry), are read back by the connector field by field equal
// to what was produced; discover types each topic with the schema it carries; every record validates
// against its discovered stream schema.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { AIRBYTE_PROTOCOL_FIXTURE_DIR } from '@source-kafka/testkit/airbyte-schema';
import { Ajv, type AnySchema } from 'ajv';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CliResult, catalogFor, ofType, plaintextConfig, runCli, traceErrors } from './cli.js';
import {
  exactInteger,
  type FixtureCase,
  FORMS,
  type Form,
  type ProducedFixtures,
  parseExact,
  STRATEGIES,
  type Strategy,
} from './registry-cases.js';

const run = promisify(execFile);
const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');

interface Stream {
  name: string;
  json_schema: { properties?: Record<string, SchemaNode> } & Record<string, unknown>;
}
interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  $ref?: string;
  [key: string]: unknown;
}

function configFor(c: FixtureCase): Record<string, unknown> {
  return plaintextConfig(conn, c.topic, {
    MessageFormat: c.messageFormat,
    key_format: c.keyFormat,
    schema_registry: { url: registry.ccompatUrl },
  });
}

/** The object schema a stream declares for `value` or `_kafka_key`, looking through nullable unions. */
function objectSchemaOf(node: SchemaNode | undefined): SchemaNode | undefined {
  if (node === undefined) return undefined;
  if (node.properties !== undefined) return node;
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
    const found = objectSchemaOf(branch);
    if (found !== undefined) return found;
  }
  return undefined;
}

let ajv: Ajv | undefined;
function validatorFor(schema: Record<string, unknown>) {
  if (ajv === undefined) {
    ajv = new Ajv({ strict: false, allErrors: true });
    const wellKnown = parseYaml(
      readFileSync(join(AIRBYTE_PROTOCOL_FIXTURE_DIR, 'well_known_types.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    ajv.addSchema({ ...wellKnown, $id: 'WellKnownTypes.json' });
  }
  return ajv.compile(schema as AnySchema);
}

/** RECORD data as written, with integers beyond 2^53 kept exact (see `parseExact`). */
function exactRecords(result: CliResult): Array<Record<string, unknown>> {
  return result.stdout
    .split('\n')
    .filter((line) => line.includes('"type":"RECORD"'))
    .map((line) => (parseExact(line) as { record: { data: Record<string, unknown> } }).record.data);
}

class CaseRuns {
  private discoverRun: Promise<CliResult> | undefined;
  private readRun: Promise<CliResult> | undefined;
  constructor(readonly fixture: FixtureCase) {}
  discover(): Promise<CliResult> {
    this.discoverRun ??= runCli('discover', { config: configFor(this.fixture) });
    return this.discoverRun;
  }
  read(): Promise<CliResult> {
    this.readRun ??= runCli('read', {
      config: configFor(this.fixture),
      catalog: catalogFor({ [this.fixture.topic]: 'full_refresh' }),
    });
    return this.readRun;
  }
  async stream(): Promise<Stream> {
    const result = await this.discover();
    expect(traceErrors(result.messages), result.stderr).toEqual([]);
    expect(result.exitCode, result.stderr).toBe(0);
    const catalogs = ofType<{ streams: Stream[] }>(result.messages, 'CATALOG');
    const stream = catalogs[0]?.streams.find((s) => s.name === this.fixture.topic);
    expect(stream, `no stream for ${this.fixture.topic}`).toBeDefined();
    return stream as Stream;
  }
}

/** The JSON types a field schema admits, looking through anyOf/oneOf branches. */
function typesOf(node: SchemaNode | undefined): string[] {
  if (node === undefined) return [];
  const own = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
  return [
    ...(own as string[]),
    ...[...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap((branch) => typesOf(branch)),
  ];
}

function fieldNames(node: SchemaNode | undefined): string[] {
  return Object.keys(objectSchemaOf(node)?.properties ?? {}).sort();
}

/** The shared assertions of one case: read back, typed by its schema, records valid. */
function assertCase(runs: () => CaseRuns, options: { keys: boolean }): void {
  it('reads every value and key back field by field equal to what the serializer was given', async () => {
    const { fixture } = runs();
    const result = await runs().read();
    expect(traceErrors(result.messages), result.stderr).toEqual([]);
    expect(result.exitCode, result.stderr).toBe(0);
    const records = exactRecords(result);
    expect(records.map((r) => r.value)).toEqual(fixture.expected.map((e) => e.value));
    if (options.keys) expect(records.map((r) => r._kafka_key)).toEqual(fixture.expected.map((e) => e.key));
  });

  it('discover types the topic with the schema it carries', async () => {
    const { fixture } = runs();
    const stream = await runs().stream();
    const properties = stream.json_schema.properties ?? {};
    const first = fixture.expected[0] as { value: Record<string, unknown>; key: unknown };
    expect(fieldNames(properties.value)).toEqual(Object.keys(first.value).sort());
    if (options.keys) {
      expect(fieldNames(properties._kafka_key)).toEqual(Object.keys(first.key as object).sort());
    }
    // Every integer field (Avro long/int, Protobuf int64/uint64/int32, JSON integer) is declared an integer,
    // never an integer-or-string union that destinations would land as text.
    const valueFields = objectSchemaOf(properties.value)?.properties ?? {};
    const integerFields = Object.entries(first.value).filter(
      ([, v]) => Number.isInteger(v) || (typeof v === 'string' && v.startsWith(exactInteger(''))),
    );
    expect(integerFields.length).toBeGreaterThan(0);
    for (const [name] of integerFields) {
      expect(typesOf(valueFields[name]), name).toContain('integer');
      expect(typesOf(valueFields[name]), name).not.toContain('string');
    }
  });

  it('every record validates against its discovered stream schema', async () => {
    const stream = await runs().stream();
    const result = await runs().read();
    const records = result.messages
      .filter((m) => m.type === 'RECORD')
      .map((m) => (m.record as { data: unknown }).data);
    expect(records.length).toBe(runs().fixture.expected.length);
    const validate = validatorFor(stream.json_schema);
    for (const data of records) {
      expect(validate(data) ? [] : validate.errors, JSON.stringify(data)).toEqual([]);
    }
  });
}

const here = dirname(fileURLToPath(import.meta.url));

let produced: Promise<ProducedFixtures> | undefined;
/** Runs the fixture producer once for the whole file (see produce-registry-fixtures.ts for why a child). */
function producedFixtures(): Promise<ProducedFixtures> {
  produced ??= (async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source-kafka-source', '--import', 'tsx', join(here, 'produce-registry-fixtures.ts')],
      { cwd: join(here, '..'), maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as ProducedFixtures;
  })();
  return produced;
}

async function fixtureNamed(name: string): Promise<FixtureCase> {
  const { cases, failures } = await producedFixtures();
  const failure = failures.find((f) => f.name === name);
  if (failure !== undefined)
    throw new Error(`the official serializer could not write ${name}:\n${failure.message}`);
  const found = cases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no fixture named ${name}`);
  return found;
}

describe.each(FORMS)('%s written by the official serializer', (form: Form) => {
  describe.each(STRATEGIES)('%s', (strategy: Strategy) => {
    let runs: CaseRuns;
    beforeAll(async () => {
      runs = new CaseRuns(await fixtureNamed(`${form} × ${strategy}`));
      // discover and read of one case run side by side; the tests below await them.
      await Promise.all([runs.discover(), runs.read()]);
    });
    assertCase(() => runs, { keys: true });
  });
});

describe.each(['protobuf-descriptor', 'protobuf-text'] as const)(
  '%s values of the second message in their file (message index [1])',
  (form) => {
    let runs: CaseRuns;
    beforeAll(async () => {
      runs = new CaseRuns(await fixtureNamed(`${form} second message`));
      await Promise.all([runs.discover(), runs.read()]);
    });
    assertCase(() => runs, { keys: false });
  },
);
