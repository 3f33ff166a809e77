// Benchmark harness (bench engineer).
// Shared pieces of the benchmark scripts: settings, the seeded-topic marker, the connector's inputs, and a
// timed child-process runner that measures wall time, CPU time and peak RSS without touching the data.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrokerConnection, withAdmin } from '@source-kafka/testkit';

/** First line of every generated results file, so its origin is plain. */
export const GENERATED_BY = 'Benchmark harness (bench engineer).';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const appDir = resolve(benchDir, '..');
export const resultsDir = join(benchDir, 'results');
export const builtMain = join(appDir, 'dist', 'main.js');
const cacheDir = join(benchDir, '.cache');

export class BenchError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchError';
    this.code = code;
  }
}

/** What to seed; every field can be set by environment variable or `--flag=value`. */
export interface SeedSettings {
  readonly messages: number;
  readonly messageBytes: number;
  readonly partitions: number;
}

export interface RunSettings extends SeedSettings {
  readonly runs: number;
  readonly warmup: number;
  /** Extra raw config fields merged over the generated connector config (BENCH_CONFIG_JSON). */
  readonly configExtra: Readonly<Record<string, unknown>>;
}

/** `--messages=100000` wins over BENCH_MESSAGES=100000, which wins over the default. */
export function setting(name: string, fallback: string, argv: readonly string[] = process.argv): string {
  const flag = `--${name}=`;
  const fromFlag = argv.find((arg) => arg.startsWith(flag));
  if (fromFlag !== undefined) return fromFlag.slice(flag.length);
  return process.env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback;
}

function positiveInteger(name: string, fallback: number, min = 1): number {
  const raw = setting(name, String(fallback)).replaceAll('_', '');
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new BenchError('bad_setting', `--${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

export function seedSettings(): SeedSettings {
  return {
    messages: positiveInteger('messages', 1_000_000),
    messageBytes: positiveInteger('message-bytes', 1024, 200),
    partitions: positiveInteger('partitions', 6),
  };
}

export function runSettings(): RunSettings {
  const rawExtra = setting('config-json', '{}');
  let configExtra: unknown;
  try {
    configExtra = JSON.parse(rawExtra);
  } catch (error) {
    throw new BenchError('bad_setting', '--config-json must be a JSON object', { cause: error });
  }
  if (typeof configExtra !== 'object' || configExtra === null || Array.isArray(configExtra)) {
    throw new BenchError('bad_setting', '--config-json must be a JSON object');
  }
  return {
    ...seedSettings(),
    runs: positiveInteger('runs', 5),
    warmup: positiveInteger('warmup', 1, 0),
    configExtra: configExtra as Record<string, unknown>,
  };
}

/** What the seeder leaves behind so reruns reuse the topic instead of writing 1 GB again. */
export interface SeedMarker extends SeedSettings {
  readonly topic: string;
  readonly brokers: readonly string[];
  readonly seededAt: string;
  /** Sum of the message payload bytes (keys + values), the numerator of MB/s. */
  readonly payloadBytes: number;
}

export function markerPath(seed: SeedSettings): string {
  // v2: the 18-field nested value; a marker of the older 7-field topic is not reused.
  return join(cacheDir, `seed-v2-${seed.messages}x${seed.messageBytes}-p${seed.partitions}.json`);
}

export function readMarker(seed: SeedSettings): SeedMarker | undefined {
  const path = markerPath(seed);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as SeedMarker;
}

export function writeMarker(marker: SeedMarker): void {
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(markerPath(marker), `${JSON.stringify(marker, null, 2)}\n`);
}

/** Messages readable now (high watermark minus log start, summed over partitions), or undefined if no topic. */
export async function readableMessages(conn: BrokerConnection, topic: string): Promise<number | undefined> {
  return withAdmin(conn, async (admin) => {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return undefined;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
  });
}

/** Java-regex safe: the connector matches the whole name, so an escaped literal selects exactly this topic. */
export function escapeTopicPattern(topic: string): string {
  return topic.replace(/[.\\+*?^$()[\]{}|-]/g, '\\$&');
}

/** The raw Airbyte config the connector gets: PLAINTEXT, subscribe to one topic, JSON values, no record cap. */
export function connectorConfig(
  conn: BrokerConnection,
  topic: string,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    bootstrap_servers: conn.plaintext.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: escapeTopicPattern(topic) },
    protocol: { security_protocol: 'PLAINTEXT' },
    MessageFormat: { deserialization_type: 'JSON' },
    start_position: { position: 'earliest' },
    // The Java default caps a sync at 100k records; 0 lifts the cap so one run reads the whole topic.
    max_records_process: 0,
    ...extra,
  };
}

/**
 * The connector's config extra for a registry topic, TopicNameStrategy through the test registry: Avro in the
 * Java connector's shape (the registry inside MessageFormat), Protobuf in the shape only this connector has.
 */
export function registryFormat(type: 'AVRO' | 'PROTOBUF', registryUrl: string): Record<string, unknown> {
  if (type === 'AVRO') {
    return {
      MessageFormat: {
        deserialization_type: type,
        deserialization_strategy: 'TopicNameStrategy',
        schema_registry_url: registryUrl,
      },
    };
  }
  return {
    MessageFormat: { deserialization_type: type, deserialization_strategy: 'TopicNameStrategy' },
    schema_registry: { url: registryUrl },
  };
}

export function fullRefreshCatalog(topic: string): unknown {
  return {
    streams: [
      {
        stream: { name: topic, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: 'full_refresh',
        destination_sync_mode: 'overwrite',
      },
    ],
  };
}

/** Writes config and catalog to a fresh folder; returns their paths. */
export async function writeConnectorInputs(
  config: unknown,
  catalog: unknown,
): Promise<{ dir: string; configPath: string; catalogPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'source-kafka-bench-'));
  const configPath = join(dir, 'config.json');
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(configPath, JSON.stringify(config));
  writeFileSync(catalogPath, JSON.stringify(catalog));
  return { dir, configPath, catalogPath };
}

export function requireBuiltApp(): void {
  if (!existsSync(builtMain)) {
    throw new BenchError(
      'not_built',
      `${builtMain} is missing. Build first: pnpm turbo build --filter source-kafka...`,
    );
  }
}

/**
 * The Node flags on dist/main.js' shebang line (`#!/usr/bin/env -S node <flags>`): the image and the package's
 * bin run the file through it, so the benchmark passes the same flags to measure what ships.
 */
export function shippedNodeFlags(): string[] {
  const first = readFileSync(builtMain, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env(?: -S)? node((?: --\S+)*)\s*$/.exec(first);
  if (match === null)
    throw new BenchError('bad_shebang', `${builtMain} starts with an unexpected line: ${first}`);
  return match[1]!
    .trim()
    .split(' ')
    .filter((flag) => flag !== '');
}

/** When dist/main.js was built, so a result can be tied to a build. */
export function builtAt(): string {
  return statSync(builtMain).mtime.toISOString();
}

export interface TimedRun {
  readonly wallSeconds: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  readonly peakRssMb: number;
  readonly exitCode: number;
  /** Lines of stdout that contained the count pattern (RECORD messages, or kcat JSON envelopes). */
  readonly countedLines: number;
  /** The tail of stderr, for a failed run. */
  readonly stderrTail: string;
}

const TIME_FORMAT = 'BENCH_TIME %e %U %S %M %x';

/** 'exit', not 'close': the measured child's stdout belongs to the counter, so it never closes here. */
function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code, signal) => done(code ?? (signal === null ? 1 : 128)));
  });
}

/**
 * Runs `command` under GNU time and streams its stdout straight into `grep -c -F pattern` (fd to fd, this
 * process never sees the data), so every timed run is also a count check at C speed, and both tools pay the
 * same sink. Wall time is measured here, from spawn until both processes have exited.
 */
export async function timedRun(
  command: string,
  args: readonly string[],
  countPattern: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<TimedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'source-kafka-bench-time-'));
  const timeFile = join(dir, 'time.txt');
  try {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', TIME_FORMAT, '-o', timeFile, command, ...args], {
      cwd: options.cwd ?? appDir,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const counter = spawn('grep', ['-c', '-F', countPattern], { stdio: [child.stdout!, 'pipe', 'inherit'] });
    // The counter holds its own copy of the pipe; closing ours lets the child see EPIPE if the counter dies.
    child.stdout!.destroy();
    let stderr = '';
    const stderrDone = once(child.stderr!.setEncoding('utf8'), 'end');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let counted = '';
    const countedDone = once(counter.stdout!.setEncoding('utf8'), 'end');
    counter.stdout!.on('data', (chunk: string) => {
      counted += chunk;
    });
    const [exitCode] = await Promise.all([waitForExit(child), waitForExit(counter), stderrDone, countedDone]);
    const wallSeconds = (performance.now() - started) / 1000;
    const timeLine = (await readFile(timeFile, 'utf8')).split('\n').find((l) => l.startsWith('BENCH_TIME '));
    if (timeLine === undefined) throw new BenchError('no_time', `GNU time wrote no result for ${command}`);
    const [, , user, system, maxRssKb] = timeLine.split(' ');
    return {
      wallSeconds,
      userSeconds: Number(user),
      systemSeconds: Number(system),
      peakRssMb: Number(maxRssKb) / 1024,
      exitCode,
      countedLines: Number(counted.trim() || '0'),
      stderrTail: stderr,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function toolVersion(command: string, args: readonly string[], pick: RegExp): string {
  try {
    const out = execFileSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pick.exec(out)?.[0] ?? out.trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function timestamp(date: Date = new Date()): string {
  return date
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
}

/** True when the module at `moduleUrl` is the script node was asked to run. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === moduleUrl;
}
