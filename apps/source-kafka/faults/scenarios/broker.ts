// The broker itself fails mid-read: SIGTERM (a clean shutdown, as in a rolling restart), SIGKILL (a crash) or
// SIGSTOP (a frozen process), then comes back after a few seconds or after a long pause. This broker is the
// suite's own (other ports, other folder), never the shared one. Within the configured outage time the sync
// must ride the fault out and complete with every record; past it the sync must not claim COMPLETE without
// every record, must end with a transient_error, and the next sync must pick up with nothing lost.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BrokerConnection, brokerStatus, createTopic, restartBroker } from '@source-kafka/testkit';
import { catalog, ledgerMessages, plaintextConfig, produceIds, stateFile } from '../common.js';
import type { SuiteContext } from '../context.js';
import { faultBrokerSettings, startFaultBroker, stopFaultBroker } from '../environment.js';
import { accountRun, lostIds, recordTrial, type ScenarioRow } from '../ledger.js';
import {
  finalStatuses,
  hasStackTrace,
  nonRecordOutput,
  type RunResult,
  runConnector,
  traceErrors,
} from '../run-cli.js';

/**
 * error_handling.broker_outage_seconds, left at its default in the config the reads get. A broker killed and
 * restarted is away for the pause plus its own start-up (10-20 s here), which the outage time must cover.
 */
const OUTAGE_SECONDS = 60;
const SHORT_PAUSE_MS = 5_000;
const LONG_PAUSE_MS = (OUTAGE_SECONDS + 20) * 1_000;

type Fault = 'SIGTERM' | 'SIGKILL' | 'SIGSTOP';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function brokerFaults(ctx: SuiteContext, row: ScenarioRow): Promise<void> {
  const settings = faultBrokerSettings();
  const conn = await startFaultBroker(settings, ctx.log);
  const trials: Array<[Fault, number]> = ctx.short
    ? [
        ['SIGSTOP', SHORT_PAUSE_MS],
        ['SIGKILL', SHORT_PAUSE_MS],
      ]
    : (['SIGTERM', 'SIGKILL', 'SIGSTOP'] as const).flatMap(
        (f): Array<[Fault, number]> => [
          [f, SHORT_PAUSE_MS],
          [f, LONG_PAUSE_MS],
        ],
      );
  try {
    for (const [fault, pauseMs] of trials) {
      await oneTrial(ctx, row, conn, settings, fault, pauseMs);
    }
    if (!ctx.short) {
      for (const mode of ['full_refresh', 'incremental'] as const)
        await readAfterRestart(ctx, row, conn, settings, mode);
    }
  } finally {
    await stopFaultBroker(settings, ctx.log);
  }
}

async function inject(
  ctx: SuiteContext,
  settings: ReturnType<typeof faultBrokerSettings>,
  fault: Fault,
  pauseMs: number,
): Promise<void> {
  const status = await brokerStatus(settings);
  if (!status.running) throw new Error('the fault broker is not running');
  const pid = status.state.pid;
  process.kill(pid, fault);
  if (fault === 'SIGSTOP') {
    await sleep(pauseMs);
    process.kill(pid, 'SIGCONT');
    return;
  }
  for (let waited = 0; alive(pid) && waited < 120_000; waited += 200) await sleep(200);
  if (alive(pid)) throw new Error(`the fault broker did not exit after ${fault}`);
  await sleep(pauseMs);
  await restartBroker(settings, (line) => ctx.log(`  [fault broker] ${line}`));
}

async function oneTrial(
  ctx: SuiteContext,
  row: ScenarioRow,
  conn: BrokerConnection,
  settings: ReturnType<typeof faultBrokerSettings>,
  fault: Fault,
  pauseMs: number,
): Promise<void> {
  const name = `${fault}, back after ${pauseMs / 1000} s`;
  const topic = await createTopic(conn, { prefix: 'faults-broker', partitions: 3 });
  const produced = await produceIds(conn, topic, 'b', ctx.short ? 40_000 : 80_000);
  const config = plaintextConfig(conn, topic, {
    checkpoint: { every_records: 2_000 },
  });
  let faulted: Promise<void> | undefined;
  const first = await runConnector({
    command: 'read',
    config: { json: config },
    catalog: { json: catalog(topic, 'incremental') },
    timeoutMs: pauseMs + 240_000,
    onMessage: (_message, all) => {
      if (faulted === undefined && all.filter((m) => m.type === 'RECORD').length >= 1_000) {
        faulted = inject(ctx, settings, fault, pauseMs);
      }
    },
  });
  const injected = await faulted?.then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  const problems: string[] = [];
  if (faulted === undefined) problems.push('the read ended before the fault could be injected');
  if (injected !== undefined) problems.push(`injecting the fault failed: ${injected}`);
  const runs: RunResult[] = [first];
  const status = finalStatuses(first.messages).get(topic);
  const rideOut = pauseMs <= OUTAGE_SECONDS * 1_000;
  const describe = (r: RunResult) =>
    `exit ${r.exitCode}, ${finalStatuses(r.messages).get(topic) ?? 'no status'}${traceErrors(r.messages)[0] ? `, ${traceErrors(r.messages)[0]?.failure_type}: ${traceErrors(r.messages)[0]?.message?.slice(0, 160)}` : ''}`;
  if (first.timedOut) problems.push('the read hung past its deadline');
  if (hasStackTrace(first.stderr)) problems.push('a stack trace on stderr');
  if (rideOut && (first.exitCode !== 0 || status !== 'COMPLETE')) {
    problems.push(`not ridden out: ${describe(first)}`);
  }
  if (!rideOut && status !== 'COMPLETE') {
    const error = traceErrors(first.messages)[0];
    if (error?.failure_type !== 'transient_error')
      problems.push(`ended without a transient_error: ${describe(first)}`);
  }
  const firstIds = new Set(
    ledgerMessages(first.messages, topic).flatMap((m) => (m.kind === 'record' ? [m.record.id ?? ''] : [])),
  );
  if (status === 'COMPLETE') {
    const missing = lostIds(produced, firstIds).length;
    if (missing > 0) problems.push(`COMPLETE with ${missing} record(s) not read`);
  }
  let state = accountRun({}, ledgerMessages(first.messages, topic));
  let duplicates = state.duplicatesBeyondCheckpoint;
  const seen = new Set(firstIds);
  if (status !== 'COMPLETE' || first.exitCode !== 0) {
    // The next sync, once the broker is back, resumes from the last STATE and must finish the job.
    const resume = await runConnector({
      command: 'read',
      config: { json: config },
      catalog: { json: catalog(topic, 'incremental') },
      state: { json: stateFile(topic, state.checkpoint) },
      timeoutMs: 240_000,
    });
    runs.push(resume);
    const messages = ledgerMessages(resume.messages, topic);
    const account = accountRun(state.checkpoint, messages);
    duplicates += account.duplicatesBeyondCheckpoint;
    state = account;
    for (const m of messages) if (m.kind === 'record' && m.record.id !== undefined) seen.add(m.record.id);
    if (resume.exitCode !== 0 || finalStatuses(resume.messages).get(topic) !== 'COMPLETE') {
      problems.push(`the next sync did not complete: ${describe(resume)}`);
    }
  }
  const lost = lostIds(produced, seen).length;
  if (lost > 0) problems.push(`${lost} record(s) never read`);
  if (duplicates > 0) problems.push(`${duplicates} record(s) a checkpoint covered`);
  ctx.log(
    `    ${name}: ${runs.map((r) => `${describe(r)} in ${Math.round(r.durationMs / 1000)} s`).join(' | then ')}`,
  );
  const logDir = process.env.FAULTS_LOG_DIR;
  if (logDir !== undefined && logDir !== '') {
    // Everything but the records of each run, for reading a failure afterwards.
    writeFileSync(
      join(logDir, `broker-${fault}-${pauseMs}.log`),
      runs.map((r, i) => `--- run ${i}\n${nonRecordOutput(r)}`).join('\n'),
    );
  }
  recordTrial(row, name, problems, { lost, duplicates });
}

/**
 * A sync started the moment a killed broker answers metadata again, while its group coordinator may still be
 * loading: it must wait that out (within the outage time) and read everything.
 */
async function readAfterRestart(
  ctx: SuiteContext,
  row: ScenarioRow,
  conn: BrokerConnection,
  settings: ReturnType<typeof faultBrokerSettings>,
  mode: 'full_refresh' | 'incremental',
): Promise<void> {
  const topic = await createTopic(conn, { prefix: 'faults-restarted', partitions: 3 });
  const produced = await produceIds(conn, topic, 'r', 5_000);
  const status = await brokerStatus(settings);
  if (!status.running) throw new Error('the fault broker is not running');
  process.kill(status.state.pid, 'SIGKILL');
  for (let waited = 0; alive(status.state.pid) && waited < 60_000; waited += 200) await sleep(200);
  await restartBroker(settings, (line) => ctx.log(`  [fault broker] ${line}`));
  const result = await runConnector({
    command: 'read',
    config: { json: plaintextConfig(conn, topic) },
    catalog: { json: catalog(topic, mode) },
    timeoutMs: 240_000,
  });
  const seen = new Set(
    ledgerMessages(result.messages, topic).flatMap((m) => (m.kind === 'record' ? [m.record.id ?? ''] : [])),
  );
  const lost = lostIds(produced, seen).length;
  const problems: string[] = [];
  if (result.exitCode !== 0 || finalStatuses(result.messages).get(topic) !== 'COMPLETE') {
    problems.push(
      `exit ${result.exitCode}, ${traceErrors(result.messages)[0]?.message?.slice(0, 160) ?? 'no error'}`,
    );
  }
  if (lost > 0) problems.push(`${lost} record(s) not read`);
  ctx.log(`    ${mode} read right after a restart: exit ${result.exitCode}, ${seen.size} records`);
  recordTrial(row, `${mode} read right after a restart`, problems, { lost });
}
