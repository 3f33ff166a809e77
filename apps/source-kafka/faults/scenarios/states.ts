// Faulty state inputs: what a platform, a person or a bug could pass as --state. A malformed state is a
// config_error naming the stream or the state (never a silent restart, never a stack trace); an odd but
// readable one (offsets past the end, unknown streams, empty lists) reads as documented.
import { createTopic } from '@source-kafka/testkit';
import { catalog, ledgerMessages, plaintextConfig, produceIds } from '../common.js';
import type { SuiteContext } from '../context.js';
import { accountRun, lostIds, recordTrial, type ScenarioRow } from '../ledger.js';
import {
  type FileInput,
  finalStatuses,
  hasStackTrace,
  runConnector,
  traceErrors,
  userFacingText,
} from '../run-cli.js';

interface StateCase {
  readonly name: string;
  readonly state: (stream: string) => FileInput;
  /** error: a config_error; all: every message read; from: read from these offsets on (nothing below them). */
  readonly expect: 'error' | 'all' | { readonly from: Record<string, string> };
}

const streamState = (stream: string, stream_state: unknown) => ({
  json: [{ type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state } }],
});

const cases: readonly StateCase[] = [
  { name: 'not JSON', state: () => ({ raw: 'this is not json' }), expect: 'error' },
  {
    name: 'truncated JSON',
    state: (s) => ({ raw: JSON.stringify(streamState(s, {}).json).slice(0, 40) }),
    expect: 'error',
  },
  { name: 'an empty file', state: () => ({ raw: '' }), expect: 'error' },
  { name: 'an empty list', state: () => ({ json: [] }), expect: 'all' },
  { name: 'null', state: () => ({ json: null }), expect: 'all' },
  { name: 'a number', state: () => ({ json: 42 }), expect: 'error' },
  {
    name: 'version 2',
    state: (s) => streamState(s, { version: 2, partitions: { '0': '1' } }),
    expect: 'error',
  },
  { name: 'no partitions', state: (s) => streamState(s, { version: 1 }), expect: 'error' },
  {
    name: 'a negative offset',
    state: (s) => streamState(s, { version: 1, partitions: { '0': '-1' } }),
    expect: 'error',
  },
  {
    name: 'a word as offset',
    state: (s) => streamState(s, { version: 1, partitions: { '0': 'ten' } }),
    expect: 'error',
  },
  {
    name: 'an exponent offset',
    state: (s) => streamState(s, { version: 1, partitions: { '0': '1e3' } }),
    expect: 'error',
  },
  {
    name: 'a fractional offset',
    state: (s) => streamState(s, { version: 1, partitions: { '0': 1.5 } }),
    expect: 'error',
  },
  {
    name: 'a word as partition',
    state: (s) => streamState(s, { version: 1, partitions: { zero: '1' } }),
    expect: 'error',
  },
  {
    name: 'partitions as a list',
    state: (s) => streamState(s, { version: 1, partitions: ['1'] }),
    expect: 'error',
  },
  {
    name: 'offsets far past the end (a recreated topic)',
    state: (s) => streamState(s, { version: 1, partitions: { '0': '99999999999999999999', '1': '5000000' } }),
    expect: 'all',
  },
  {
    name: 'a partition the topic does not have',
    state: (s) => streamState(s, { version: 1, partitions: { '0': '10', '7': '3' } }),
    expect: { from: { '0': '10' } },
  },
  {
    name: 'a number as offset',
    state: (s) => streamState(s, { version: 1, partitions: { '0': 20, '1': 30 } }),
    expect: { from: { '0': '20', '1': '30' } },
  },
  {
    name: 'state of another stream only',
    state: () => streamState('faults-no-such-stream', { version: 1, partitions: { '0': '5' } }),
    expect: 'all',
  },
  {
    name: 'a STATE line as the connector writes it',
    state: (s) => ({
      raw: `${JSON.stringify({ type: 'STATE', state: streamState(s, { version: 1, partitions: { '0': '3', '1': '4' } }).json[0] })}\n`,
    }),
    expect: { from: { '0': '3', '1': '4' } },
  },
  { name: 'a legacy state object', state: () => ({ json: { cursor: 5 } }), expect: 'error' },
];

export async function faultyStates(ctx: SuiteContext, row: ScenarioRow): Promise<void> {
  const topic = await createTopic(ctx.broker, { prefix: 'faults-state', partitions: 2 });
  const produced = await produceIds(ctx.broker, topic, 'st', 400);
  const config = plaintextConfig(ctx.broker, topic);
  const chosen = ctx.short ? cases.filter((_, i) => i % 2 === 0) : cases;
  for (const c of chosen) {
    const result = await runConnector({
      command: 'read',
      config: { json: config },
      catalog: { json: catalog(topic, 'incremental') },
      state: c.state(topic),
      timeoutMs: 60_000,
    });
    const problems: string[] = [];
    if (result.timedOut) problems.push('hung past its deadline');
    if (hasStackTrace(userFacingText(result))) problems.push('a stack trace where a user reads');
    if (result.badLines.length > 0) problems.push('stdout lines that are not JSON');
    const error = traceErrors(result.messages)[0];
    let lost = 0;
    let duplicates = 0;
    if (c.expect === 'error') {
      if (result.exitCode !== 1) problems.push(`exit ${result.exitCode}, expected 1`);
      if (error?.failure_type !== 'config_error') problems.push(`gave ${error?.failure_type ?? 'no error'}`);
      if (error?.message !== undefined && !/state/i.test(error.message))
        problems.push('the error does not say state');
    } else {
      if (result.exitCode !== 0) problems.push(`exit ${result.exitCode}: ${error?.message ?? ''}`);
      if (finalStatuses(result.messages).get(topic) !== 'COMPLETE') problems.push('stream not COMPLETE');
      const messages = ledgerMessages(result.messages, topic);
      const from = c.expect === 'all' ? {} : c.expect.from;
      duplicates = accountRun(from, messages).duplicatesBeyondCheckpoint;
      if (duplicates > 0) problems.push(`${duplicates} record(s) below the state offsets`);
      if (c.expect === 'all') {
        const seen = new Set(messages.flatMap((m) => (m.kind === 'record' ? [m.record.id ?? ''] : [])));
        lost = lostIds(produced, seen).length;
        if (lost > 0) problems.push(`${lost} message(s) not read`);
      }
    }
    recordTrial(row, c.name, problems, { lost, duplicates });
  }
}
