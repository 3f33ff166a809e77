// Every config of the generated corpus through check, discover and read: check must answer FAILED and the
// others a config_error, each naming the field, with no stack trace, no hang and no planted secret anywhere in
// stdout or stderr.
import { badConfigCorpus, plantedSecrets } from '../bad-configs.js';
import { catalog } from '../common.js';
import type { SuiteContext } from '../context.js';
import { recordTrial, type ScenarioRow } from '../ledger.js';
import {
  hasStackTrace,
  ofType,
  type RunResult,
  runConnector,
  traceErrors,
  userFacingText,
} from '../run-cli.js';

/** How many runs go at once: each is a short-lived process, mostly start-up. */
const PARALLEL = 2;

function problemsOf(command: string, field: string, result: RunResult): string[] {
  const problems: string[] = [];
  if (result.timedOut) return ['hung past its deadline'];
  const everything = `${result.stdout}\n${result.stderr}`;
  const leaked = plantedSecrets.filter((secret) => everything.includes(secret));
  if (leaked.length > 0) problems.push(`printed a planted secret (${leaked.length})`);
  if (result.badLines.length > 0) problems.push('stdout lines that are not JSON');
  if (hasStackTrace(userFacingText(result))) problems.push('a stack trace where a user reads');
  let message: string | undefined;
  if (command === 'check') {
    const status = ofType(result.messages, 'CONNECTION_STATUS')[0]?.connectionStatus as
      | { status?: string; message?: string }
      | undefined;
    if (status?.status !== 'FAILED') problems.push(`check answered ${status?.status ?? 'nothing'}`);
    message = status?.message;
  } else {
    const error = traceErrors(result.messages)[0];
    if (error?.failure_type !== 'config_error')
      problems.push(`${command} gave ${error?.failure_type ?? 'no error'}`);
    if (result.exitCode !== 1) problems.push(`${command} exited ${result.exitCode}`);
    message = error?.message;
  }
  if (message !== undefined && !message.includes(field)) problems.push(`the message does not name ${field}`);
  return problems;
}

export async function badConfigs(ctx: SuiteContext, row: ScenarioRow): Promise<void> {
  const corpus = badConfigCorpus();
  // The short version takes an evenly spread sample, so every kind of field stays in it.
  const chosen = ctx.short ? corpus.filter((_, i) => i % 30 === 0) : corpus;
  const jobs = chosen.flatMap((bad) =>
    (['check', 'discover', 'read'] as const).map((command) => ({ bad, command })),
  );
  let next = 0;
  const worker = async () => {
    for (;;) {
      const job = jobs[next++];
      if (job === undefined) return;
      const result = await runConnector({
        command: job.command,
        config: { json: job.bad.config },
        ...(job.command === 'read'
          ? { catalog: { json: catalog('faults-config-topic', 'incremental') } }
          : {}),
        timeoutMs: 60_000,
      });
      recordTrial(row, `${job.command}, ${job.bad.name}`, problemsOf(job.command, job.bad.field, result));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  ctx.log(`  ${chosen.length} of ${corpus.length} bad configs, ${jobs.length} runs`);
}
