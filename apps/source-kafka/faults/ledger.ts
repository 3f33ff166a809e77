// The fault suite's bookkeeping of what was produced and what came out, over every run of a chain of reads:
// a record is lost when no run wrote it, and a duplicate beyond a checkpoint when a run wrote it although a
// STATE the platform had already received (the run's input state, or an earlier STATE of the same run) covers
// its offset. Repeats after the last STATE before a kill are at-least-once delivery, not counted.

export interface OutRecord {
  readonly partition: number;
  readonly offset: string;
  /** The id the suite planted in the message (its key), or undefined when the record has none. */
  readonly id: string | undefined;
}

/** One stdout message of a read, reduced to what the ledger needs, in output order. */
export type OutMessage =
  | { readonly kind: 'record'; readonly record: OutRecord }
  | { readonly kind: 'state'; readonly partitions: Readonly<Record<string, string>> };

export interface RunAccount {
  /** Records of this run at offsets a checkpoint already covered when they were written. */
  readonly duplicatesBeyondCheckpoint: number;
  /** The checkpoint after this run: its input state moved by every STATE it wrote. */
  readonly checkpoint: Readonly<Record<string, string>>;
}

/** Accounts one run of one stream, given the state it started from. */
export function accountRun(
  input: Readonly<Record<string, string>>,
  messages: readonly OutMessage[],
): RunAccount {
  const checkpoint = new Map<string, bigint>(Object.entries(input).map(([p, o]) => [p, BigInt(o)]));
  let duplicates = 0;
  for (const message of messages) {
    if (message.kind === 'state') {
      // A STATE replaces the stream's state as a whole: a partition it leaves out is read from the start again.
      checkpoint.clear();
      for (const [p, o] of Object.entries(message.partitions)) checkpoint.set(p, BigInt(o));
      continue;
    }
    const covered = checkpoint.get(String(message.record.partition));
    if (covered !== undefined && BigInt(message.record.offset) < covered) duplicates++;
  }
  return {
    duplicatesBeyondCheckpoint: duplicates,
    checkpoint: Object.fromEntries([...checkpoint].map(([p, o]) => [p, o.toString()])),
  };
}

/** The produced ids no run wrote. */
export function lostIds(produced: Iterable<string>, seen: ReadonlySet<string>): string[] {
  const lost: string[] = [];
  for (const id of produced) if (!seen.has(id)) lost.push(id);
  return lost;
}

export interface ScenarioRow {
  readonly scenario: string;
  trials: number;
  passed: number;
  failed: number;
  lost: number;
  duplicates: number;
  /** The first few failures, said plainly, for the lines under the table. */
  readonly failures: string[];
}

export function newRow(scenario: string): ScenarioRow {
  return { scenario, trials: 0, passed: 0, failed: 0, lost: 0, duplicates: 0, failures: [] };
}

/** Records one trial: it passed when `problems` is empty. */
export function recordTrial(
  row: ScenarioRow,
  name: string,
  problems: readonly string[],
  counts: { lost?: number; duplicates?: number } = {},
): void {
  row.trials++;
  row.lost += counts.lost ?? 0;
  row.duplicates += counts.duplicates ?? 0;
  if (problems.length === 0) {
    row.passed++;
    return;
  }
  row.failed++;
  if (row.failures.length < 8) row.failures.push(`${name}: ${problems.join('; ')}`);
}

/** The one table the suite prints, plus a line per failure kept. */
export function formatTable(rows: readonly ScenarioRow[]): string {
  const header = ['scenario', 'trials', 'passed', 'failed', 'lost records', 'duplicates beyond a checkpoint'];
  const total = newRow('total');
  for (const r of rows) {
    total.trials += r.trials;
    total.passed += r.passed;
    total.failed += r.failed;
    total.lost += r.lost;
    total.duplicates += r.duplicates;
  }
  const body = [...rows, total].map((r) => [
    r.scenario,
    String(r.trials),
    String(r.passed),
    String(r.failed),
    String(r.lost),
    String(r.duplicates),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(header), rule, ...body.slice(0, -1).map(line), rule, line(body.at(-1)!)];
  const failures = rows.flatMap((r) => r.failures.map((f) => `  ${r.scenario}: ${f}`));
  if (failures.length > 0) out.push('', 'Failures (first of each scenario):', ...failures);
  return out.join('\n');
}

/** The suite passes when no trial failed, nothing was lost and nothing came out again beyond a checkpoint. */
export function suitePassed(rows: readonly ScenarioRow[]): boolean {
  return rows.every((r) => r.failed === 0 && r.lost === 0 && r.duplicates === 0 && r.trials > 0);
}
