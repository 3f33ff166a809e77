// Benchmark harness (bench engineer).
// Summarises a V8 .cpuprofile (from `node --cpu-prof`) into the functions with the most self time, mapped
// back through source maps to the TypeScript line, plus the share of each area (kafkajs, our packages, node
// internals, GC). Hand-written because it is ~100 lines over a stable JSON format; Node's own SourceMap
// class does the mapping.
//
//   node --conditions=source-kafka-source --import tsx apps/source-kafka/bench/cpuprofile-summary.ts <file.cpuprofile> [--top=5]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDir, isMain, setting } from './common.js';

const repoRoot = resolve(appDir, '..', '..');

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based. */
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  /** Microseconds since the previous sample. */
  readonly timeDeltas?: readonly number[];
}

export interface HotSpot {
  readonly functionName: string;
  /** `path:line` relative to the repo (TypeScript source where a source map says so). */
  readonly location: string;
  readonly area: string;
  readonly selfMs: number;
  readonly selfPercent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly hotSpots: readonly HotSpot[];
  readonly areas: ReadonlyArray<{
    readonly area: string;
    readonly selfMs: number;
    readonly selfPercent: number;
  }>;
}

/** Self time per profile node: each sample lasts until the next one. */
function selfTimeByNode(profile: CpuProfile): Map<number, number> {
  const byNode = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples !== undefined && timeDeltas !== undefined && samples.length === timeDeltas.length) {
    for (let i = 0; i < samples.length; i++) {
      const duration = timeDeltas[i + 1] ?? 0;
      byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + duration);
    }
    return byNode;
  }
  // Older profiles: only hit counts, spread evenly over the profile's duration.
  const hits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const perHit = hits === 0 ? 0 : (profile.endTime - profile.startTime) / hits;
  for (const node of profile.nodes) byNode.set(node.id, (node.hitCount ?? 0) * perHit);
  return byNode;
}

export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  // The deserializers' C code (json-scan, avro-json); a module's URL names only its hash.
  if (url.startsWith('wasm://')) return 'WebAssembly (packages/deserializers)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg !== null) return pkg[1]!;
  const workspace = /\/(packages\/[^/]+|apps\/[^/]+)\//.exec(path);
  return workspace?.[1] ?? relative(repoRoot, path);
}

const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapFor(path: string): SourceMap | undefined {
  if (!sourceMaps.has(path)) {
    const mapPath = `${path}.map`;
    sourceMaps.set(
      path,
      existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')) as never) : undefined,
    );
  }
  return sourceMaps.get(path);
}

/** `file:line`, 1-based, through the build's source map when there is one. */
export function locationOf(frame: CallFrame): string {
  if (frame.url === '') return '';
  if (!frame.url.startsWith('file://')) return `${frame.url}:${frame.lineNumber + 1}`;
  const path = fileURLToPath(frame.url);
  const entry = sourceMapFor(path)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry !== undefined && 'originalSource' in entry) {
    const source = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : resolve(path, '..', entry.originalSource);
    return `${relative(repoRoot, source)}:${entry.originalLine + 1}`;
  }
  return `${relative(repoRoot, path)}:${frame.lineNumber + 1}`;
}

export function summarizeCpuProfile(
  profile: CpuProfile,
  options: { top?: number; skipIdle?: boolean } = {},
): ProfileSummary {
  const top = options.top ?? 5;
  const selfByNode = selfTimeByNode(profile);
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, { frame: CallFrame; micros: number }>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfByNode) {
    const frame = frames.get(id);
    if (frame === undefined || micros === 0) continue;
    if ((options.skipIdle ?? true) && frame.functionName === '(idle)') continue;
    total += micros;
    const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
    const entry = byFunction.get(key) ?? { frame, micros: 0 };
    entry.micros += micros;
    byFunction.set(key, entry);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  }
  const percent = (micros: number): number => (total === 0 ? 0 : (100 * micros) / total);
  const hotSpots = [...byFunction.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top)
    .map(({ frame, micros }) => ({
      functionName: frame.functionName || '(anonymous)',
      location: locationOf(frame),
      area: areaOf(frame),
      selfMs: micros / 1000,
      selfPercent: percent(micros),
    }));
  const areas = [...byArea]
    .sort((a, b) => b[1] - a[1])
    .map(([area, micros]) => ({ area, selfMs: micros / 1000, selfPercent: percent(micros) }));
  return { totalMs: total / 1000, hotSpots, areas };
}

export function summaryMarkdown(summary: ProfileSummary, areaCount = 6): string {
  const lines = [
    `Sampled CPU time (idle excluded): ${(summary.totalMs / 1000).toFixed(2)} s.`,
    '',
    '| # | function | where | area | self ms | self % |',
    '|---:|---|---|---|---:|---:|',
    ...summary.hotSpots.map(
      (h, i) =>
        `| ${i + 1} | \`${h.functionName}\` | ${h.location === '' ? '—' : `\`${h.location}\``} | ${h.area} | ${h.selfMs.toFixed(0)} | ${h.selfPercent.toFixed(1)} |`,
    ),
    '',
    `Self time by area: ${summary.areas
      .slice(0, areaCount)
      .map((a) => `${a.area} ${a.selfPercent.toFixed(1)}%`)
      .join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const file = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  if (file === undefined) {
    console.error('usage: cpuprofile-summary.ts <file.cpuprofile> [--top=5]');
    process.exitCode = 2;
  } else {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    process.stdout.write(summaryMarkdown(summarizeCpuProfile(profile, { top: Number(setting('top', '5')) })));
  }
}
