// Writes the registry format matrix's topics and prints their cases as JSON on stdout. Run as a child
// process by registry-formats.int.test.ts: the official Confluent serializers (CommonJS, with cloud KMS
// drivers in their dependency tree) load in plain Node but not through vitest's module runner.
import { readApicurioConnection, readBrokerConnection } from '@source-kafka/testkit';
import { type FixtureCase, FORMS, type ProducedFixtures, STRATEGIES } from './registry-cases.js';
import { fixtureContext, produceCase, produceSecondMessageCase } from './registry-fixtures.js';

const ctx = await fixtureContext(readBrokerConnection(), readApicurioConnection());
const out: ProducedFixtures = { cases: [], failures: [] };
// One case failing to produce fails only its own tests.
async function attempt(name: string, produce: () => Promise<FixtureCase>): Promise<void> {
  try {
    out.cases.push(await produce());
  } catch (error) {
    out.failures.push({
      name,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}
for (const form of FORMS) {
  for (const strategy of STRATEGIES) {
    await attempt(`${form} × ${strategy}`, () => produceCase(ctx, form, strategy));
  }
}
for (const form of ['protobuf-descriptor', 'protobuf-text'] as const) {
  await attempt(`${form} second message`, () => produceSecondMessageCase(ctx, form));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
