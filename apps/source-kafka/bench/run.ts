// Benchmark harness (bench engineer).
// Times the built connector's full-refresh `read` against `kcat -C -J -e` on the same seeded topic, in the
// same run, alternating (ABBA order, so drift on a shared machine hits both tools alike). Every run is checked:
// exit code 0 and exactly the seeded number of records on stdout; a run that reads less fails the benchmark.
//
//   pnpm turbo build --filter source-kafka...
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/run.ts [--messages=100000] [--runs=5]
//   flags (or BENCH_* env): --messages --message-bytes --partitions --runs --warmup --tools=connector,kcat
//                           --config-json='{"max_poll_records":2000}' (merged over the generated config)
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { type BrokerConnection, readBrokerConnection } from '@source-kafka/testkit';
import {
  BenchError,
  builtAt,
  builtMain,
  connectorConfig,
  fullRefreshCatalog,
  GENERATED_BY,
  isMain,
  requireBuiltApp,
  resultsDir,
  runSettings,
  type SeedMarker,
  setting,
  type TimedRun,
  timedRun,
  timestamp,
  toolVersion,
  writeConnectorInputs,
} from './common.js';
import { seed } from './seed.js';
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
    args: [...nodeFlags, builtMain, 'read', '--config', configPath, '--catalog', catalogPath],
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

async function main(): Promise<void> {
  const settings = runSettings();
  const tools = setting('tools', 'connector,kcat').split(',');
  if (!tools.includes('kcat') || tools.some((t) => t !== 'kcat' && t !== 'connector')) {
    throw new BenchError('bad_setting', '--tools must be "connector,kcat" or "kcat": kcat is the baseline');
  }
  const withConnector = tools.includes('connector');
  if (withConnector) requireBuiltApp();
  const conn = readBrokerConnection();
  const marker: SeedMarker = await seed(conn, settings, false);
  const inputs = await writeConnectorInputs(
    connectorConfig(conn, marker.topic, settings.configExtra),
    fullRefreshCatalog(marker.topic),
  );
  try {
    const kcat = kcatTool(conn, marker.topic);
    const connector = connectorTool(inputs.configPath, inputs.catalogPath);
    const selected = [...(withConnector ? [connector] : []), kcat];
    const loadBefore = loadavg();
    const started = new Date();

    for (let w = 0; w < settings.warmup; w++) {
      for (const tool of selected)
        console.error(describeRun(tool, await verifiedRun(tool, marker.messages), 'warmup'));
    }
    const samples = new Map<Tool, RunSample[]>(selected.map((tool) => [tool, []]));
    for (let i = 0; i < settings.runs; i++) {
      const order = i % 2 === 0 ? selected : [...selected].reverse();
      for (const tool of order) {
        const run = await verifiedRun(tool, marker.messages);
        samples.get(tool)!.push(sample(run));
        console.error(describeRun(tool, run, `run ${i + 1}/${settings.runs}`));
      }
    }

    const summaries = new Map<Tool, ToolSummary>(
      selected.map((tool) => [
        tool,
        summarize(tool.name, samples.get(tool)!, marker.messages, marker.payloadBytes),
      ]),
    );
    const baseline = summaries.get(kcat)!;
    const report = renderReport({
      conn,
      marker,
      runs: settings.runs,
      warmup: settings.warmup,
      started,
      loadBefore,
      loadAfter: loadavg(),
      configExtra: settings.configExtra,
      rows: [...summaries.values()],
      baseline,
      connector: summaries.get(connector),
    });
    mkdirSync(resultsDir, { recursive: true });
    const base = join(resultsDir, `${timestamp(started)}-${marker.messages}x${marker.messageBytes}`);
    writeFileSync(`${base}.md`, `<!-- ${GENERATED_BY} -->\n${report}`);
    const raw = {
      generatedBy: GENERATED_BY,
      marker,
      settings,
      samples: Object.fromEntries([...samples].map(([t, s]) => [t.name, s])),
    };
    writeFileSync(`${base}.json`, `${JSON.stringify(raw, null, 2)}\n`);
    process.stdout.write(report);
    console.error(`results: ${base}.md`);
  } finally {
    await rm(inputs.dir, { recursive: true, force: true });
  }
}

function kcatVersion(): string {
  const line = toolVersion('kcat', ['-V'], /Version \S+ .*librdkafka \S+/);
  const match = /Version (\S+) .*(librdkafka \S+)/.exec(line);
  return match === null ? `kcat ${line}` : `kcat ${match[1]} (${match[2]})`;
}

interface ReportInput {
  readonly conn: BrokerConnection;
  readonly marker: SeedMarker;
  readonly runs: number;
  readonly warmup: number;
  readonly started: Date;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly configExtra: Readonly<Record<string, unknown>>;
  readonly rows: readonly ToolSummary[];
  readonly baseline: ToolSummary;
  readonly connector: ToolSummary | undefined;
}

function renderReport(input: ReportInput): string {
  const { marker, connector, baseline } = input;
  const load = (l: readonly number[]): string => l.map((n) => n.toFixed(2)).join(' ');
  const lines = [
    `## source-kafka read vs kcat — ${input.started.toISOString()}`,
    '',
    `- Topic: \`${marker.topic}\`: ${marker.messages.toLocaleString('en-US')} JSON messages × ${marker.messageBytes} B over ${marker.partitions} partitions, uncompressed, keys \`k-<n>\` (seeded ${marker.seededAt}).`,
    `- Broker: Kafka ${input.conn.kafkaVersion}, PLAINTEXT ${input.conn.plaintext.brokers.join(',')}, same machine.`,
    `- Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), shared; load average before ${load(input.loadBefore)}, after ${load(input.loadAfter)}.`,
    `- Tools: node ${process.version} running \`dist/main.js\`${connector === undefined ? '' : ` (built ${builtAt()})`}; ${kcatVersion()}.`,
    `- Runs: ${input.warmup} untimed warm-up of each, then ${input.runs} timed runs of each, alternating in ABBA order.`,
    '- Each run: stdout piped into `grep -c -F` (a C-speed /dev/null that counts record lines), and the run fails unless the count equals the seeded messages. Wall time from spawn to exit (includes node/kcat start-up); peak RSS and CPU from GNU time.',
    `- MB/s counts message payload (keys + values, ${(marker.payloadBytes / 1e6).toFixed(0)} MB), not output bytes, so both tools share a numerator.`,
    `- Connector config: PLAINTEXT, subscribe to the topic, JSON values, start earliest, \`max_records_process: 0\`, the rest defaults (so offsets are committed to the group at each checkpoint)${Object.keys(input.configExtra).length > 0 ? `, plus ${JSON.stringify(input.configExtra)}` : ''}; catalog: the one stream, full_refresh.`,
    '',
    'Medians, with (min–max):',
    '',
    markdownTable(input.rows, baseline),
    '',
  ];
  if (connector !== undefined) {
    const ratio = connector.recordsPerSecond.median / baseline.recordsPerSecond.median;
    const rss = connector.peakRssMb.max;
    lines.push(
      `- Throughput vs kcat: **${ratio.toFixed(2)}×** (goal ≥ 0.30×): ${ratio >= 0.3 ? 'met' : 'NOT met'}.`,
      `- Connector peak RSS, worst run: **${rss.toFixed(0)} MB** (goal ≤ 256 MB): ${rss <= 256 ? 'met' : 'NOT met'}.`,
      '',
    );
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
