// Benchmark harness (bench engineer).
// Times the built connector's full-refresh `read` against a bare kafkajs loop and `kcat -C -J -e` on the same
// seeded topics, in one run, alternating (ABBA order, so drift on a shared machine hits every tool alike).
// Every run is checked: exit code 0 and exactly the seeded number of records on stdout; a run that reads less
// fails the benchmark. Scenarios:
//   json  - 18-field nested JSON values of 1 KB: the connector (nested layout), the connector (flatten), the
//           kafkajs loop and kcat, all on the same topic
//   avro  - the same values in Avro through the registry: the connector, the kafkajs loop and kcat
//   protobuf - the same values in Protobuf through the registry: the connector, the kafkajs loop and kcat
//           (not in the default set)
//   rss   - the connector's peak RSS at 1M and 10M small messages (one run each)
//
//   pnpm turbo build --filter source-kafka...
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/run.ts [--messages=100000] [--runs=3]
//   flags (or BENCH_* env): --messages --message-bytes --partitions --runs --warmup
//                           --scenarios=json,avro,protobuf,rss --rss-counts=1000000,10000000 --rss-bytes=100
//                           --config-json='{"max_poll_records":2000}' (merged over every connector config)
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { type BrokerConnection, readApicurioConnection, readBrokerConnection } from '@source-kafka/testkit';
import {
  BenchError,
  benchDir,
  builtAt,
  builtMain,
  connectorConfig,
  fullRefreshCatalog,
  GENERATED_BY,
  isMain,
  registryFormat,
  requireBuiltApp,
  resultsDir,
  runSettings,
  type SeedMarker,
  setting,
  shippedNodeFlags,
  type TimedRun,
  timedRun,
  timestamp,
  toolVersion,
  writeConnectorInputs,
} from './common.js';
import { seed } from './seed.js';
import { seedAvro } from './seed-avro.js';
import { seedProtobuf } from './seed-protobuf.js';
import { markdownTable, type RunSample, summarize, type ToolSummary } from './stats.js';

export interface Tool {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** A fixed string found once on each stdout line that carries one record. */
  readonly countPattern: string;
}

export function kcatTool(conn: BrokerConnection, topic: string): Tool {
  return {
    name: 'kcat -C -J -e',
    command: 'kcat',
    args: ['-C', '-J', '-e', '-q', '-o', 'beginning', '-b', conn.plaintext.brokers.join(','), '-t', topic],
    // The envelope key; inside the escaped payload string it would read \"partition\".
    countPattern: '"partition":',
  };
}

export function connectorTool(
  configPath: string,
  catalogPath: string,
  nodeFlags: readonly string[] = [],
): Tool {
  return {
    name: 'source-kafka read',
    command: process.execPath,
    args: [
      ...shippedNodeFlags(),
      ...nodeFlags,
      builtMain,
      'read',
      '--config',
      configPath,
      '--catalog',
      catalogPath,
    ],
    countPattern: '"type":"RECORD"',
  };
}

/** Runs a tool once and fails loudly unless it exited 0 having emitted exactly `expected` records. */
export async function verifiedRun(tool: Tool, expected: number): Promise<TimedRun> {
  const run = await timedRun(tool.command, tool.args, tool.countPattern);
  if (run.exitCode !== 0 || run.countedLines !== expected) {
    throw new BenchError(
      'bad_run',
      `${tool.name}: exit code ${run.exitCode}, ${run.countedLines} records on stdout, expected ${expected}.\n` +
        `stderr tail:\n${run.stderrTail}`,
    );
  }
  return run;
}

const sample = (run: TimedRun): RunSample => ({
  wallSeconds: run.wallSeconds,
  cpuSeconds: run.userSeconds + run.systemSeconds,
  peakRssMb: run.peakRssMb,
});

function describeRun(tool: Tool, run: TimedRun, label: string): string {
  return (
    `${label} ${tool.name}: ${run.wallSeconds.toFixed(2)} s, ${run.countedLines} records, ` +
    `cpu ${(run.userSeconds + run.systemSeconds).toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`
  );
}

/** The bare kafkajs loop (bench/kafkajs-lines.ts): one JSON line per message, the value as a string. */
export function kafkajsTool(conn: BrokerConnection, topic: string): Tool {
  return {
    name: 'kafkajs eachBatch, JSON lines',
    command: process.execPath,
    args: [
      '--conditions=source-kafka-source',
      '--import',
      'tsx',
      join(benchDir, 'kafkajs-lines.ts'),
      `--topic=${topic}`,
      `--brokers=${conn.plaintext.brokers.join(',')}`,
    ],
    countPattern: '"offset":',
  };
}

interface Scenario {
  readonly name: string;
  readonly topic: string;
  readonly messages: number;
  readonly payloadBytes: number;
  readonly tools: readonly Tool[];
  readonly kcat: Tool;
}

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly rows: readonly ToolSummary[];
  readonly baseline: ToolSummary;
  readonly samples: ReadonlyMap<string, RunSample[]>;
}

async function runScenario(scenario: Scenario, runs: number, warmup: number): Promise<ScenarioResult> {
  const selected = scenario.tools;
  for (let w = 0; w < warmup; w++) {
    for (const tool of selected)
      console.error(describeRun(tool, await verifiedRun(tool, scenario.messages), `${scenario.name} warmup`));
  }
  const samples = new Map<string, RunSample[]>(selected.map((tool) => [tool.name, []]));
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? selected : [...selected].reverse();
    for (const tool of order) {
      const run = await verifiedRun(tool, scenario.messages);
      samples.get(tool.name)!.push(sample(run));
      console.error(describeRun(tool, run, `${scenario.name} run ${i + 1}/${runs}`));
    }
  }
  const rows = selected.map((tool) =>
    summarize(tool.name, samples.get(tool.name)!, scenario.messages, scenario.payloadBytes),
  );
  const baseline = rows[selected.indexOf(scenario.kcat)]!;
  return { scenario, rows, baseline, samples };
}

interface RssResult {
  readonly messages: number;
  readonly messageBytes: number;
  readonly run: RunSample;
}

async function main(): Promise<void> {
  const settings = runSettings();
  const scenarios = setting('scenarios', 'json,avro,rss').split(',');
  const unknown = scenarios.filter((s) => !['json', 'avro', 'protobuf', 'rss'].includes(s));
  if (unknown.length > 0) throw new BenchError('bad_setting', `unknown scenario(s): ${unknown.join(', ')}`);
  requireBuiltApp();
  const conn = readBrokerConnection();
  const started = new Date();
  const loadBefore = loadavg();
  const dirs: string[] = [];
  const results: ScenarioResult[] = [];
  const rss: RssResult[] = [];
  const descriptions: string[] = [];
  const connectorFor = async (config: Record<string, unknown>, topic: string, name: string) => {
    const inputs = await writeConnectorInputs(
      { ...config, ...settings.configExtra },
      fullRefreshCatalog(topic),
    );
    dirs.push(inputs.dir);
    return { ...connectorTool(inputs.configPath, inputs.catalogPath), name };
  };
  try {
    if (scenarios.includes('json')) {
      const marker: SeedMarker = await seed(conn, settings, false);
      const base = connectorConfig(conn, marker.topic, {});
      const kcat = kcatTool(conn, marker.topic);
      const tools = [
        await connectorFor(base, marker.topic, 'source-kafka read, JSON nested'),
        await connectorFor(
          { ...base, record_layout: { value_layout: 'flatten' } },
          marker.topic,
          'source-kafka read, JSON flatten',
        ),
        kafkajsTool(conn, marker.topic),
        kcat,
      ];
      descriptions.push(
        `- JSON topic \`${marker.topic}\`: ${marker.messages.toLocaleString('en-US')} values × ${marker.messageBytes} B (18 fields, nested objects and arrays) over ${marker.partitions} partitions, uncompressed, keys \`k-<n>\` (seeded ${marker.seededAt}).`,
      );
      const scenario = {
        name: 'JSON',
        topic: marker.topic,
        messages: marker.messages,
        payloadBytes: marker.payloadBytes,
        tools,
        kcat,
      };
      results.push(await runScenario(scenario, settings.runs, settings.warmup));
    }
    for (const format of ['avro', 'protobuf'] as const) {
      if (!scenarios.includes(format)) continue;
      const registry = readApicurioConnection();
      const name = format === 'avro' ? 'Avro' : 'Protobuf';
      const marker = await (format === 'avro' ? seedAvro : seedProtobuf)(conn, registry, settings);
      const kcat = kcatTool(conn, marker.topic);
      const config = connectorConfig(
        conn,
        marker.topic,
        registryFormat(format === 'avro' ? 'AVRO' : 'PROTOBUF', registry.ccompatUrl),
      );
      const tools = [
        await connectorFor(config, marker.topic, `source-kafka read, ${name}`),
        kafkajsTool(conn, marker.topic),
        kcat,
      ];
      descriptions.push(
        `- ${name} topic \`${marker.topic}\`: the same ${marker.messages.toLocaleString('en-US')} values in ${name} (Confluent's serializer, schema in Apicurio), ${(marker.payloadBytes / marker.messages).toFixed(0)} B per message with key, ${marker.partitions} partitions (seeded ${marker.seededAt}).`,
      );
      const scenario = {
        name,
        topic: marker.topic,
        messages: marker.messages,
        payloadBytes: marker.payloadBytes,
        tools,
        kcat,
      };
      results.push(await runScenario(scenario, settings.runs, settings.warmup));
    }
    if (scenarios.includes('rss')) {
      const counts = setting('rss-counts', '1000000,10000000').split(',').map(Number);
      const bytes = Number(setting('rss-bytes', '100'));
      for (const messages of counts) {
        const marker = await seed(
          conn,
          { messages, messageBytes: bytes, partitions: settings.partitions },
          false,
        );
        const tool = await connectorFor(
          connectorConfig(conn, marker.topic, {}),
          marker.topic,
          'source-kafka read',
        );
        const run = await verifiedRun(tool, messages);
        console.error(describeRun(tool, run, `rss ${messages}`));
        rss.push({ messages, messageBytes: bytes, run: sample(run) });
      }
    }

    const report = renderReport({
      conn,
      started,
      loadBefore,
      loadAfter: loadavg(),
      runs: settings.runs,
      warmup: settings.warmup,
      configExtra: settings.configExtra,
      descriptions,
      results,
      rss,
    });
    mkdirSync(resultsDir, { recursive: true });
    const base = join(resultsDir, `${timestamp(started)}-${settings.messages}x${settings.messageBytes}`);
    writeFileSync(`${base}.md`, `<!-- ${GENERATED_BY} -->\n${report}`);
    const raw = {
      generatedBy: GENERATED_BY,
      node: process.version,
      settings,
      scenarios: results.map((r) => ({
        name: r.scenario.name,
        topic: r.scenario.topic,
        samples: Object.fromEntries(r.samples),
      })),
      rss,
    };
    writeFileSync(`${base}.json`, `${JSON.stringify(raw, null, 2)}\n`);
    process.stdout.write(report);
    console.error(`results: ${base}.md`);
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}

function kcatVersion(): string {
  const line = toolVersion('kcat', ['-V'], /Version \S+ .*librdkafka \S+/);
  const match = /Version (\S+) .*(librdkafka \S+)/.exec(line);
  return match === null ? `kcat ${line}` : `kcat ${match[1]} (${match[2]})`;
}

interface ReportInput {
  readonly conn: BrokerConnection;
  readonly started: Date;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  readonly configExtra: Readonly<Record<string, unknown>>;
  readonly descriptions: readonly string[];
  readonly results: readonly ScenarioResult[];
  readonly rss: readonly RssResult[];
}

const goals: Record<string, number> = {
  'source-kafka read, JSON nested': 1.0,
  'source-kafka read, JSON flatten': 0.6,
  'source-kafka read, Avro': 0.6,
};

function renderReport(input: ReportInput): string {
  const load = (l: readonly number[]): string => l.map((n) => n.toFixed(2)).join(' ');
  const lines = [
    `## source-kafka read vs a bare kafkajs loop and kcat — ${input.started.toISOString()}`,
    '',
    ...input.descriptions,
    `- Broker: Kafka ${input.conn.kafkaVersion}, PLAINTEXT ${input.conn.plaintext.brokers.join(',')}, same machine.`,
    `- Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), shared; load average before ${load(input.loadBefore)}, after ${load(input.loadAfter)}.`,
    `- Tools: Node ${process.version} running \`dist/main.js\` (built ${builtAt()}, with its shebang's flags \`${shippedNodeFlags().join(' ')}\`) and the kafkajs loop (bench/kafkajs-lines.ts, through tsx); ${kcatVersion()}.`,
    `- Runs: ${input.warmup} untimed warm-up of each, then ${input.runs} timed runs of each, alternating in ABBA order within a topic.`,
    '- Each run: stdout piped into `grep -c -F` (a C-speed /dev/null that counts record lines), and the run fails unless the count equals the seeded messages. Wall time from spawn to exit (includes start-up); peak RSS and CPU from GNU time.',
    '- MB/s counts message payload (keys + values as stored), not output bytes, so the tools share a numerator.',
    `- Connector config: PLAINTEXT, subscribe to the topic, start earliest, \`max_records_process: 0\`, the rest defaults${Object.keys(input.configExtra).length > 0 ? `, plus ${JSON.stringify(input.configExtra)}` : ''}; catalog: the one stream, full_refresh.`,
    '',
  ];
  for (const result of input.results) {
    lines.push(
      `### ${result.scenario.name} — medians, with (min–max)`,
      '',
      markdownTable(result.rows, result.baseline),
      '',
    );
    for (const row of result.rows) {
      const goal = goals[row.tool];
      if (goal === undefined) continue;
      const ratio = row.recordsPerSecond.median / result.baseline.recordsPerSecond.median;
      const cpuRatio = row.recordsPerCpuSecond.median / result.baseline.recordsPerCpuSecond.median;
      lines.push(
        `- ${row.tool}: **${ratio.toFixed(2)}×** kcat by wall time (goal ≥ ${goal.toFixed(1)}×): ${ratio >= goal ? 'met' : 'NOT met'}; ${cpuRatio.toFixed(2)}× by CPU time; peak RSS worst run ${row.peakRssMb.max.toFixed(0)} MB (goal ≤ 256): ${row.peakRssMb.max <= 256 ? 'met' : 'NOT met'}.`,
      );
    }
    lines.push('');
  }
  if (input.rss.length > 0) {
    lines.push(
      '### Peak RSS with many small messages (one run each)',
      '',
      '| messages | bytes each | wall s | records/s | peak RSS MB |',
      '|---:|---:|---:|---:|---:|',
      ...input.rss.map(
        (r) =>
          `| ${r.messages.toLocaleString('en-US')} | ${r.messageBytes} | ${r.run.wallSeconds.toFixed(1)} | ${Math.round(r.messages / r.run.wallSeconds).toLocaleString('en-US')} | ${r.run.peakRssMb.toFixed(0)} |`,
      ),
      '',
    );
    const first = input.rss[0]!;
    const last = input.rss[input.rss.length - 1]!;
    if (input.rss.length > 1) {
      const growth = last.run.peakRssMb / first.run.peakRssMb;
      lines.push(
        `- Growth from ${first.messages.toLocaleString('en-US')} to ${last.messages.toLocaleString('en-US')} messages: **${growth.toFixed(2)}×** (goal ≤ 1.2×): ${growth <= 1.2 ? 'met' : 'NOT met'}.`,
        '',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

if (isMain(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof BenchError ? `bench: ${error.message}` : error);
    process.exitCode = 1;
  }
}
