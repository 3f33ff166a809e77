// Benchmark harness (bench engineer).
// Runs the built connector's full-refresh `read` once under `node --cpu-prof` on the seeded topic (checked
// like a timed run: exit 0 and every record out), then writes the top self-time functions to
// bench/results/<stamp>-profile.md. The raw .cpuprofile stays in bench/results/profile-<stamp>/ (git-ignored;
// open it in Chrome DevTools for the full tree).
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/profile.ts [--messages=100000] [--top=5] [--scenario=json|avro|protobuf]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readApicurioConnection, readBrokerConnection } from '@source-kafka/testkit';
import {
  appDir,
  BenchError,
  connectorConfig,
  fullRefreshCatalog,
  GENERATED_BY,
  isMain,
  registryFormat,
  requireBuiltApp,
  resultsDir,
  runSettings,
  setting,
  timestamp,
  writeConnectorInputs,
} from './common.js';
import { type CpuProfile, summarizeCpuProfile, summaryMarkdown } from './cpuprofile-summary.js';
import { connectorTool, verifiedRun } from './run.js';
import { seed } from './seed.js';
import { seedAvro } from './seed-avro.js';
import { seedProtobuf } from './seed-protobuf.js';

async function main(): Promise<void> {
  const settings = runSettings();
  requireBuiltApp();
  const conn = readBrokerConnection();
  const scenario = setting('scenario', 'json');
  if (!['json', 'avro', 'protobuf'].includes(scenario))
    throw new BenchError('bad_setting', `unknown scenario: ${scenario}`);
  const registry = scenario === 'json' ? undefined : readApicurioConnection();
  const seedRegistry = scenario === 'avro' ? seedAvro : seedProtobuf;
  const marker = registry ? await seedRegistry(conn, registry, settings) : await seed(conn, settings, false);
  const type = scenario === 'avro' ? 'AVRO' : 'PROTOBUF';
  const extra = registry
    ? { ...settings.configExtra, ...registryFormat(type, registry.ccompatUrl) }
    : settings.configExtra;
  const stamp = timestamp();
  const profileDir = join(resultsDir, `profile-${stamp}`);
  mkdirSync(profileDir, { recursive: true });
  const inputs = await writeConnectorInputs(
    connectorConfig(conn, marker.topic, extra),
    fullRefreshCatalog(marker.topic),
  );
  try {
    const tool = connectorTool(inputs.configPath, inputs.catalogPath, [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
    ]);
    const run = await verifiedRun(tool, marker.messages);
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined)
      throw new BenchError('no_profile', `node wrote no .cpuprofile into ${profileDir}`);
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    const summary = summarizeCpuProfile(profile, { top: Number(setting('top', '5')) });
    const report = [
      `## CPU profile of source-kafka read — ${new Date().toISOString()}`,
      '',
      `One full-refresh read of \`${marker.topic}\` (${marker.messages.toLocaleString('en-US')} × ${marker.messageBytes} B, ${marker.partitions} partitions) under \`node --cpu-prof\`: ${run.wallSeconds.toFixed(2)} s wall, ${run.countedLines} records, peak RSS ${run.peakRssMb.toFixed(0)} MB. Profile: \`${relative(appDir, join(profileDir, file))}\`.`,
      '',
      summaryMarkdown(summary),
    ].join('\n');
    writeFileSync(join(resultsDir, `${stamp}-profile.md`), `<!-- ${GENERATED_BY} -->\n${report}`);
    process.stdout.write(report);
  } finally {
    await rm(inputs.dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof BenchError ? `bench: ${error.message}` : error);
    process.exitCode = 1;
  }
}
