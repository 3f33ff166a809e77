// Benchmark harness: discover with schema inference on a large topic reads only its sample.
// Seeds (or reuses) the same topic as run.ts, then times the built connector's `discover` with the default
// sample size and with inference off (the cost of listing the topic alone), alternating, under GNU time. Each
// inferring run must print exactly one LOG line saying it read the expected number of messages, so a run that
// read more (or less) than its sample fails instead of being timed.
//
//   pnpm turbo build --filter source-kafka...
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/discover.ts [--messages=1000000] [--runs=3]
import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrokerConnection } from '@source-kafka/testkit';
import {
  BenchError,
  builtAt,
  builtMain,
  connectorConfig,
  isMain,
  requireBuiltApp,
  resultsDir,
  runSettings,
  setting,
  timedRun,
  timestamp,
  writeConnectorInputs,
} from './common.js';
import { seed } from './seed.js';
import { spread } from './stats.js';

interface Variant {
  readonly name: string;
  readonly sampleSize: number;
  readonly configPath: string;
  /** A fixed string found on exactly one stdout line of a good run. */
  readonly countPattern: string;
}

async function main(): Promise<void> {
  const settings = runSettings();
  const runs = settings.runs;
  const sampleSize = Number(setting('sample-size', '1000'));
  requireBuiltApp();
  const conn = readBrokerConnection();
  const marker = await seed(conn, settings, false);
  const perPartition = Math.ceil(sampleSize / marker.partitions);
  const expectedRead = Math.min(marker.messages, perPartition * marker.partitions);
  const variants: Variant[] = [];
  const dirs: string[] = [];
  for (const size of [sampleSize, 0]) {
    const inputs = await writeConnectorInputs(
      connectorConfig(conn, marker.topic, { ...settings.configExtra, schema_inference_sample_size: size }),
      {},
    );
    dirs.push(inputs.dir);
    variants.push({
      name: size === 0 ? 'discover, inference off' : `discover, sample ${size}`,
      sampleSize: size,
      configPath: inputs.configPath,
      countPattern:
        size === 0 ? '"type":"CATALOG"' : `value: schema inference read ${expectedRead} message(s) and typed`,
    });
  }
  try {
    // One untimed run whose catalog is checked: the inferred schema is typed, not any JSON.
    const stdout = execFileSync(
      process.execPath,
      [builtMain, 'discover', '--config', variants[0]!.configPath],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const catalogLine = stdout.split('\n').find((line) => line.includes('"type":"CATALOG"'));
    if (
      catalogLine === undefined ||
      !catalogLine.includes('"created_at":{"type":"string","format":"date-time"')
    ) {
      throw new BenchError('bad_run', `discover did not print a typed catalog:\n${stdout.slice(-2000)}`);
    }
    const samples = new Map<Variant, { wall: number[]; rss: number[]; cpu: number[] }>(
      variants.map((v) => [v, { wall: [], rss: [], cpu: [] }]),
    );
    for (let i = 0; i < runs; i++) {
      for (const variant of variants) {
        const run = await timedRun(
          process.execPath,
          [builtMain, 'discover', '--config', variant.configPath],
          variant.countPattern,
        );
        if (run.exitCode !== 0 || run.countedLines !== 1) {
          throw new BenchError(
            'bad_run',
            `${variant.name}: exit code ${run.exitCode}, ${run.countedLines} lines matching "${variant.countPattern}".\n${run.stderrTail}`,
          );
        }
        console.error(
          `run ${i + 1} ${variant.name}: ${run.wallSeconds.toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`,
        );
        const s = samples.get(variant)!;
        s.wall.push(run.wallSeconds);
        s.rss.push(run.peakRssMb);
        s.cpu.push(run.userSeconds + run.systemSeconds);
      }
    }
    const fmt = (values: number[], digits: number) => {
      const s = spread(values);
      return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
    };
    const rows = variants.map((v) => {
      const s = samples.get(v)!;
      const read = v.sampleSize === 0 ? 0 : expectedRead;
      return `| ${v.name} | ${read.toLocaleString('en-US')} | ${fmt(s.wall, 2)} | ${fmt(s.cpu, 2)} | ${fmt(s.rss, 0)} |`;
    });
    const report = [
      `# discover with schema inference, ${marker.messages.toLocaleString('en-US')} messages of ${marker.messageBytes} B over ${marker.partitions} partitions`,
      '',
      `Topic ${marker.topic}; build ${builtAt()}; ${runs} runs each, alternating; medians (min–max).`,
      '',
      '| run | messages read | wall s | cpu s | peak RSS MB |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n');
    const path = join(resultsDir, `${timestamp()}-discover-${marker.messages}x${marker.messageBytes}.md`);
    await writeFile(path, report);
    console.log(report);
    console.error(`written to ${path}`);
  } finally {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
