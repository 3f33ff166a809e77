// The fault suite: `bash scripts/faults [--short] [--only <scenario>,...]`. Runs the built connector CLI under
// injected faults against the real broker and registry, and prints one table: trials, passed, failed, lost
// records and duplicates beyond a checkpoint, per scenario. Exits 1 unless every trial passed with nothing
// lost and nothing duplicated. FAULTS_SEED fixes the random choices (printed at the start).

import { writeFileSync } from 'node:fs';
import { seededRandom } from './common.js';
import type { SuiteContext } from './context.js';
import { leaseSharedServices } from './environment.js';
import { formatTable, newRow, type ScenarioRow, suitePassed } from './ledger.js';
import { badConfigs } from './scenarios/bad-configs.js';
import { brokerFaults } from './scenarios/broker.js';
import { killAndResume } from './scenarios/kill-resume.js';
import { payloads } from './scenarios/payloads.js';
import { faultyStates } from './scenarios/states.js';
import { stdoutFaults } from './scenarios/stdout.js';

type Run = (ctx: SuiteContext, row: ScenarioRow) => Promise<void>;

const scenarios: ReadonlyArray<readonly [string, Run]> = [
  ['sigkill and resume', killAndResume],
  ['bad configs', badConfigs],
  ['fuzzed payloads', payloads],
  ['slow and closed stdout', stdoutFaults],
  ['faulty states', faultyStates],
  ['broker faults', brokerFaults],
];

interface Args {
  readonly short: boolean;
  readonly only: string[] | undefined;
  /** Where to write the totals in the shape of vitest's JSON report, so scripts/test counts the trials. */
  readonly report: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  let short = false;
  let only: string[] | undefined;
  let report: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--short') short = true;
    else if (arg === '--only') only = (argv[++i] ?? '').split(',').map((s) => s.trim());
    else if (arg === '--report') report = argv[++i];
    else if (arg === '--help') {
      console.log(
        `usage: bash scripts/faults [--short] [--only <scenario>,...] [--report <file.json>]\nscenarios: ${scenarios.map(([n]) => `"${n}"`).join(', ')}`,
      );
      process.exit(0);
    } else {
      console.error(`unknown argument ${arg}`);
      process.exit(2);
    }
  }
  return { short, only, report };
}

async function main(): Promise<void> {
  const { short, only, report } = parseArgs(process.argv.slice(2));
  const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
  const log = (line: string) => console.error(line);
  log(`fault suite (${short ? 'short' : 'full'}), FAULTS_SEED=${seed}`);
  const services = await leaseSharedServices(log);
  const rows: ScenarioRow[] = [];
  try {
    const ctx: SuiteContext = {
      broker: services.broker,
      registry: services.registry,
      random: seededRandom(seed),
      short,
      log,
    };
    for (const [name, run] of scenarios) {
      if (only !== undefined && !only.some((o) => name.includes(o))) continue;
      const row = newRow(name);
      rows.push(row);
      const started = Date.now();
      log(`- ${name}`);
      try {
        await run(ctx, row);
      } catch (error) {
        // The harness itself failed (e.g. the broker did not come back): the scenario fails, the suite goes on.
        row.trials++;
        row.failed++;
        row.failures.push(
          `the scenario broke off: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      log(`  ${row.passed}/${row.trials} passed in ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    await services.release();
  }
  console.log(formatTable(rows));
  const passed = suitePassed(rows);
  console.log(passed ? 'fault suite: passed' : 'fault suite: FAILED');
  process.exitCode = passed ? 0 : 1;
  if (report !== undefined) {
    const failed = rows.reduce((n, r) => n + r.failed, 0);
    writeFileSync(
      report,
      JSON.stringify({
        numPassedTests: rows.reduce((n, r) => n + r.passed, 0),
        // A lost record or a duplicate fails the run even when every trial passed.
        numFailedTests: failed + (passed || failed > 0 ? 0 : 1),
        numPendingTests: 0,
        numTodoTests: 0,
        success: passed,
      }),
    );
  }
}

await main();
