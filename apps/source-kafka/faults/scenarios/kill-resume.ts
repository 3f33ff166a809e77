// SIGKILL at random points, each run resuming from the last STATE the one before wrote, with new messages
// produced between runs; a last run reads to the end. Nothing produced may be missing from the union of all
// runs, and no run may write a record that a STATE it resumed from (or wrote itself) already covers.
import { createTopic } from '@source-kafka/testkit';
import { between, catalog, ledgerMessages, plaintextConfig, produceIds, stateFile } from '../common.js';
import type { SuiteContext } from '../context.js';
import { accountRun, lostIds, recordTrial, type ScenarioRow } from '../ledger.js';
import { finalStatuses, hasStackTrace, runConnector } from '../run-cli.js';

export async function killAndResume(ctx: SuiteContext, row: ScenarioRow): Promise<void> {
  const chains = ctx.short ? 1 : 3;
  const links = ctx.short ? 5 : 20;
  for (let chain = 0; chain < chains; chain++) {
    const topic = await createTopic(ctx.broker, { prefix: 'faults-kill', partitions: 3 });
    const config = plaintextConfig(ctx.broker, topic, { checkpoint: { every_records: 250 } });
    const produced = await produceIds(ctx.broker, topic, 'm', 3_000);
    const seen = new Set<string>();
    let state: Readonly<Record<string, string>> = {};
    const runOnce = async (kill: 'records' | 'time' | 'none') => {
      // A record count inside what is left to read, so the kill lands mid-read.
      const killAt = between(ctx.random, 1, Math.max(1, produced.length - seen.size));
      const result = await runConnector({
        command: 'read',
        config: { json: config },
        catalog: { json: catalog(topic, 'incremental') },
        ...(Object.keys(state).length > 0 ? { state: { json: stateFile(topic, state) } } : {}),
        timeoutMs: 180_000,
        killWhen:
          kill === 'records'
            ? (messages) => messages.filter((m) => m.type === 'RECORD').length >= killAt
            : undefined,
        // Up to 1.5 s after the start: the kill may land before the read opens, while it joins, or mid-read.
        killAfterMs: kill === 'time' ? between(ctx.random, 50, 1_500) : undefined,
      });
      const account = accountRun(state, ledgerMessages(result.messages, topic));
      for (const m of ledgerMessages(result.messages, topic)) {
        if (m.kind === 'record' && m.record.id !== undefined) seen.add(m.record.id);
      }
      state = account.checkpoint;
      const records = result.messages.filter((m) => m.type === 'RECORD').length;
      ctx.log(
        `    ${kill === 'none' ? 'final read' : `kill by ${kill}`}: ${records} records, killed ${result.killed}`,
      );
      const problems: string[] = [];
      if (result.timedOut) problems.push('hung past its deadline');
      if (result.badLines.length > 0) problems.push(`${result.badLines.length} stdout line(s) not JSON`);
      if (hasStackTrace(result.stderr)) problems.push('a stack trace on stderr');
      if (!result.killed && !result.timedOut) {
        if (result.exitCode !== 0) problems.push(`exit ${result.exitCode} without a kill`);
        if (finalStatuses(result.messages).get(topic) !== 'COMPLETE') problems.push('stream not COMPLETE');
      }
      if (account.duplicatesBeyondCheckpoint > 0) {
        problems.push(`${account.duplicatesBeyondCheckpoint} record(s) a checkpoint covered`);
      }
      return { problems, duplicates: account.duplicatesBeyondCheckpoint };
    };
    for (let link = 0; link < links; link++) {
      const added = between(ctx.random, 0, 1_500);
      produced.push(...(await produceIds(ctx.broker, topic, `c${chain}l${link}`, added)));
      const kill = ctx.random() < 0.35 ? 'time' : 'records';
      const { problems, duplicates } = await runOnce(kill);
      recordTrial(row, `chain ${chain} kill ${link} (${kill})`, problems, { duplicates });
    }
    const last = await runOnce('none');
    const lost = lostIds(produced, seen);
    if (lost.length > 0)
      last.problems.push(`${lost.length} produced message(s) never read (e.g. ${lost[0]})`);
    recordTrial(row, `chain ${chain} final read`, last.problems, {
      lost: lost.length,
      duplicates: last.duplicates,
    });
    ctx.log(`  chain ${chain}: ${links} kills, ${produced.length} messages, ${lost.length} lost`);
  }
}
