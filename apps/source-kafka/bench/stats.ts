// Benchmark harness (bench engineer).
// Medians and the markdown table of a benchmark run; pure, so the runner's arithmetic stays in one place.

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** One timed, verified run of one tool. */
export interface RunSample {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

export interface ToolSummary {
  readonly tool: string;
  readonly runs: number;
  readonly wallSeconds: Spread;
  readonly recordsPerSecond: Spread;
  readonly mbPerSecond: Spread;
  readonly peakRssMb: Spread;
  readonly cpuSeconds: Spread;
  /** Records per second of CPU (user + system): steadier than wall time on a shared machine. */
  readonly recordsPerCpuSecond: Spread;
}

export function summarize(
  tool: string,
  samples: readonly RunSample[],
  records: number,
  payloadBytes: number,
): ToolSummary {
  return {
    tool,
    runs: samples.length,
    wallSeconds: spread(samples.map((s) => s.wallSeconds)),
    recordsPerSecond: spread(samples.map((s) => records / s.wallSeconds)),
    mbPerSecond: spread(samples.map((s) => payloadBytes / 1e6 / s.wallSeconds)),
    peakRssMb: spread(samples.map((s) => s.peakRssMb)),
    cpuSeconds: spread(samples.map((s) => s.cpuSeconds)),
    recordsPerCpuSecond: spread(samples.map((s) => records / s.cpuSeconds)),
  };
}

function cell(s: Spread, digits: number): string {
  const f = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

export function markdownTable(rows: readonly ToolSummary[], baseline: ToolSummary): string {
  const lines = [
    '| tool | runs | wall s | records/s | MB/s | peak RSS MB | CPU s (user+sys) | vs kcat | records per CPU s | vs kcat, CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const ratio = row.recordsPerSecond.median / baseline.recordsPerSecond.median;
    const cpuRatio = row.recordsPerCpuSecond.median / baseline.recordsPerCpuSecond.median;
    lines.push(
      `| ${row.tool} | ${row.runs} | ${cell(row.wallSeconds, 2)} | ${cell(row.recordsPerSecond, 0)} | ${cell(
        row.mbPerSecond,
        1,
      )} | ${cell(row.peakRssMb, 0)} | ${cell(row.cpuSeconds, 2)} | ${ratio.toFixed(2)}× | ${cell(
        row.recordsPerCpuSecond,
        0,
      )} | ${cpuRatio.toFixed(2)}× |`,
    );
  }
  return lines.join('\n');
}
