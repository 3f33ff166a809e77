// The platform's end of stdout: a reader that stalls now and then must still get every record (the read waits
// for it, bounded memory), and a reader that goes away must end the connector promptly, without a stack trace.
import { createTopic } from '@source-kafka/testkit';
import { catalog, ledgerMessages, plaintextConfig, produceIds } from '../common.js';
import type { SuiteContext } from '../context.js';
import { lostIds, recordTrial, type ScenarioRow } from '../ledger.js';
import { finalStatuses, hasStackTrace, runConnector } from '../run-cli.js';

export async function stdoutFaults(ctx: SuiteContext, row: ScenarioRow): Promise<void> {
  const topic = await createTopic(ctx.broker, { prefix: 'faults-stdout', partitions: 2 });
  const produced = await produceIds(ctx.broker, topic, 's', ctx.short ? 5_000 : 40_000);
  const config = plaintextConfig(ctx.broker, topic);
  const slowRuns = ctx.short ? 1 : 3;
  for (let i = 0; i < slowRuns; i++) {
    const result = await runConnector({
      command: 'read',
      config: { json: config },
      catalog: { json: catalog(topic, 'full_refresh') },
      timeoutMs: 300_000,
      stdout: { mode: 'slow', every: 500, pauseMs: 150 + i * 200 },
    });
    const seen = new Set<string>();
    for (const m of ledgerMessages(result.messages, topic)) {
      if (m.kind === 'record' && m.record.id !== undefined) seen.add(m.record.id);
    }
    const lost = lostIds(produced, seen).length;
    const problems: string[] = [];
    if (result.timedOut) problems.push('hung past its deadline');
    if (result.exitCode !== 0) problems.push(`exit ${result.exitCode}`);
    if (finalStatuses(result.messages).get(topic) !== 'COMPLETE') problems.push('stream not COMPLETE');
    if (lost > 0) problems.push(`${lost} record(s) missing`);
    recordTrial(row, `slow stdout ${i}`, problems, { lost });
  }
  const closedRuns = ctx.short ? 2 : 6;
  for (let i = 0; i < closedRuns; i++) {
    const afterLines = [1, 5, 50, 400, 2_000, 4_000][i % 6]!;
    const result = await runConnector({
      command: 'read',
      config: { json: config },
      catalog: { json: catalog(topic, 'full_refresh') },
      timeoutMs: 60_000,
      stdout: { mode: 'closed', afterLines },
    });
    const problems: string[] = [];
    if (result.timedOut) problems.push('kept running with its stdout closed');
    if (hasStackTrace(result.stderr)) problems.push('a stack trace on stderr');
    // Nobody hears a success any more: exiting 0 would tell a supervisor that the sync went through.
    if (result.exitCode === 0 && !result.timedOut) problems.push('exit 0 with its output lost');
    recordTrial(row, `stdout closed after ${afterLines} lines`, problems);
  }
}
