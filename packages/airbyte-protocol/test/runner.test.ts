import { validateConnectorSpecification } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../src/redactor.js';
import {
  collect,
  errorTraces,
  eventsCatalog,
  inputFiles,
  onlyErrorTrace,
  runFixture,
  spawnFixture,
} from './run-fixture.js';

// Child processes with tsx take a second or two each on a busy machine.
const SLOW = 60_000;
const PASSWORD = 'pa$$w0rd-"quoted"-secret';
const TOKEN = 'tok-9f8e7d6c5b4a';

function config(behaviour: string, extra: Record<string, unknown> = {}) {
  return { behaviour, password: PASSWORD, records: 3, auth: { token: TOKEN }, ...extra };
}

/** `read` of the fixture connector with this config and the events catalog. */
function readWith(connectorConfig: Record<string, unknown>) {
  const files = inputFiles({ 'config.json': connectorConfig, 'catalog.json': eventsCatalog });
  return runFixture(['read', '--config', files['config.json']!, '--catalog', files['catalog.json']!]);
}

function expectNoSecrets(run: { stdout: string; stderr: string }): void {
  for (const secret of [PASSWORD, JSON.stringify(PASSWORD).slice(1, -1), TOKEN]) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

describe.concurrent('runConnector as a child process', { timeout: SLOW }, () => {
  it('spec prints one SPEC message that validates as a ConnectorSpecification', async () => {
    const run = await runFixture(['spec']);
    expect(run.code).toBe(0);
    expect(run.messages.map((m) => m.type)).toEqual(['SPEC']);
    expect(validateConnectorSpecification(run.messages[0]!.spec)).toEqual([]);
    expect(run.stderr).toBe('');
  });

  it('check answers SUCCEEDED for a working config, with DEBUG logs under --debug', async () => {
    const files = inputFiles({ 'config.json': config('ok') });
    const run = await runFixture(['check', '--config', files['config.json']!, '--debug']);
    expect(run.code).toBe(0);
    expect(run.messages.at(-1)).toEqual({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'SUCCEEDED' },
    });
    expect(run.messages).toContainEqual({ type: 'LOG', log: { level: 'DEBUG', message: 'checking' } });
  });

  it('check turns a thrown config error into FAILED with the message, and exits 0', async () => {
    const files = inputFiles({ 'config.json': config('check-config') });
    const run = await runFixture(['check', '--config', files['config.json']!]);
    expect(run.code).toBe(0);
    expect(run.messages).toEqual([
      {
        type: 'CONNECTION_STATUS',
        connectionStatus: { status: 'FAILED', message: "Field 'records' must be a positive integer." },
      },
    ]);
  });

  it.each([
    ['check-fails', 'system_error', `Authentication failed for password ${REDACTED}`],
    ['check-transient', 'transient_error', 'connect ECONNREFUSED 127.0.0.1:1'],
  ])(
    'check turns an unexpected or transient error (%s) into a TRACE %s and exit 1, as the CDK does',
    async (behaviour, failureType, message) => {
      const files = inputFiles({ 'config.json': config(behaviour) });
      const run = await runFixture(['check', '--config', files['config.json']!]);
      expect(run.code).toBe(1);
      expect(run.messages.map((m) => m.type)).toEqual(['TRACE']);
      expect(run.messages[0]?.trace).toMatchObject({
        type: 'ERROR',
        error: { message, failure_type: failureType },
      });
      expectNoSecrets(run);
    },
  );

  it('check passes on a FAILED status the connector returns', async () => {
    const files = inputFiles({ 'config.json': config('check-status') });
    const run = await runFixture(['check', '--config', files['config.json']!]);
    expect(run.messages.at(-1)).toEqual({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'FAILED', message: 'Topic list is empty.' },
    });
  });

  it('check answers FAILED, not a crash, when the config file is missing or not JSON', async () => {
    const files = inputFiles({ 'broken.json': '{"password": "hunter2-in-a-broken-file",' });
    const missing = await runFixture(['check', '--config', `${files.dir}/absent.json`]);
    expect(missing.code).toBe(0);
    expect(missing.messages).toEqual([
      {
        type: 'CONNECTION_STATUS',
        connectionStatus: {
          status: 'FAILED',
          message: `The --config file '${files.dir}/absent.json' does not exist.`,
        },
      },
    ]);
    const broken = await runFixture(['check', '--config', files['broken.json']!]);
    expect(broken.messages.at(-1)?.connectionStatus).toEqual({
      status: 'FAILED',
      message: `The --config file '${files['broken.json']}' is not valid JSON.`,
    });
    expect(broken.stdout).not.toContain('hunter2');
  });

  it('check answers FAILED for bad flags too', async () => {
    const run = await runFixture(['check']);
    expect(run.code).toBe(0);
    expect(run.messages).toHaveLength(1);
    expect(run.messages[0]).toMatchObject({
      type: 'CONNECTION_STATUS',
      connectionStatus: {
        status: 'FAILED',
        message: expect.stringMatching(/^The 'check' command needs --config <file>\./),
      },
    });
  });

  it('check reports a parseConfig error as FAILED', async () => {
    const files = inputFiles({ 'config.json': config('parse-fails') });
    const run = await runFixture(['check', '--config', files['config.json']!]);
    expect(run.messages.at(-1)?.connectionStatus).toEqual({
      status: 'FAILED',
      message: "Field 'records' must be a number.",
    });
  });

  it('discover prints the CATALOG', async () => {
    const files = inputFiles({ 'config.json': config('ok') });
    const run = await runFixture(['discover', '--config', files['config.json']!]);
    expect(run.code).toBe(0);
    expect(run.messages).toHaveLength(1);
    expect(run.messages[0]).toMatchObject({
      type: 'CATALOG',
      catalog: { streams: [{ name: 'events', is_resumable: true, source_defined_cursor: true }] },
    });
  });

  it('read emits logs, statuses, an estimate, records in order and a final state', async () => {
    const run = await readWith(config('ok', { records: 5 }));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const records = run.messages.filter((m) => m.type === 'RECORD').map((m) => m.record);
    expect(records.map((r) => (r as { data: { i: number } }).data.i)).toEqual([0, 1, 2, 3, 4]);
    const state = run.messages.filter((m) => m.type === 'STATE');
    expect(state).toEqual([
      {
        type: 'STATE',
        state: {
          type: 'STREAM',
          stream: { stream_descriptor: { name: 'events' }, stream_state: { next: 5 } },
          sourceStats: { recordCount: 5 },
        },
      },
    ]);
    const statuses = run.messages
      .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS')
      .map((m) => (m.trace as { stream_status: { status: string } }).stream_status.status);
    expect(statuses).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('read resumes from the list-of-STATE-messages form and accepts the legacy single object', async () => {
    const files = inputFiles({
      'config.json': config('ok', { records: 2 }),
      'catalog.json': eventsCatalog,
      'state.json': [
        { type: 'STREAM', stream: { stream_descriptor: { name: 'events' }, stream_state: { next: 40 } } },
      ],
      'legacy.json': { events: { next: 7 } },
    });
    const base = ['read', '--config', files['config.json']!, '--catalog', files['catalog.json']!, '--state'];
    const listed = await runFixture([...base, files['state.json']!]);
    expect(listed.messages).toContainEqual({
      type: 'LOG',
      log: { level: 'INFO', message: 'streams=1 start=40 stateMessages=1' },
    });
    expect(listed.messages.filter((m) => m.type === 'RECORD')).toHaveLength(2);
    const legacy = await runFixture([...base, files['legacy.json']!]);
    expect(legacy.code).toBe(0);
    expect(legacy.messages).toContainEqual({
      type: 'LOG',
      log: { level: 'INFO', message: 'streams=1 start=0 stateMessages=1' },
    });
  });

  it.each([
    [['bogus'], "Unknown command 'bogus'."],
    [[], 'No command given.'],
    [['discover'], "The 'discover' command needs --config <file>."],
    [['read', '--config', 'x.json'], "The 'read' command needs --catalog <file>."],
    [['spec', '--verbose'], "Unknown option '--verbose'"],
    [['spec', 'extra'], "Unexpected argument 'extra' after 'spec'."],
  ])('bad argv %j is a config_error trace and exit 1', async (args, expected) => {
    const run = await runFixture(args);
    expect(run.code).toBe(1);
    const error = onlyErrorTrace(run);
    expect(error.failure_type).toBe('config_error');
    expect(error.message.startsWith(expected)).toBe(true);
    expect(error.message).toContain('usage: spec | check --config F');
    expect(error.message).not.toContain('\n');
  });

  it('a missing, empty or non-JSON input file is a config_error naming the flag and path', async () => {
    const files = inputFiles({
      'config.json': config('ok'),
      'empty.json': '  ',
      'catalog.json': `{"streams": [ {"stream": "${PASSWORD}"`,
    });
    const missing = await runFixture(['discover', '--config', `${files.dir}/nope.json`]);
    expect(missing.code).toBe(1);
    expect(onlyErrorTrace(missing)).toMatchObject({
      failure_type: 'config_error',
      message: `The --config file '${files.dir}/nope.json' does not exist.`,
    });
    const empty = await runFixture(['discover', '--config', files['empty.json']!]);
    expect(onlyErrorTrace(empty).message).toBe(`The --config file '${files['empty.json']}' is empty.`);
    const directory = await runFixture(['discover', '--config', files.dir!]);
    expect(onlyErrorTrace(directory).message).toBe(
      `The --config file '${files.dir}' is a directory, not a file.`,
    );
    const badCatalog = await runFixture([
      'read',
      '--config',
      files['config.json']!,
      '--catalog',
      files['catalog.json']!,
    ]);
    expect(badCatalog.code).toBe(1);
    expect(onlyErrorTrace(badCatalog)).toMatchObject({
      failure_type: 'config_error',
      message: `The --catalog file '${files['catalog.json']}' is not valid JSON.`,
    });
    expectNoSecrets(badCatalog);
  });

  it('a malformed catalog is a config_error naming the field', async () => {
    const files = inputFiles({
      'config.json': config('ok'),
      'catalog.json': { streams: [{ ...eventsCatalog.streams[0], sync_mode: 'sometimes' }] },
    });
    const run = await runFixture([
      'read',
      '--config',
      files['config.json']!,
      '--catalog',
      files['catalog.json']!,
    ]);
    expect(run.code).toBe(1);
    expect(onlyErrorTrace(run)).toMatchObject({
      failure_type: 'config_error',
      message:
        'Invalid configured catalog: catalog.streams[0].sync_mode must be one of "full_refresh", "incremental".',
    });
  });

  it('a malformed state file is a config_error naming the entry', async () => {
    const files = inputFiles({
      'config.json': config('ok'),
      'catalog.json': eventsCatalog,
      'state.json': [{ type: 'STREAM', stream: { stream_state: {} } }],
    });
    const run = await runFixture([
      'read',
      '--config',
      files['config.json']!,
      '--catalog',
      files['catalog.json']!,
      '--state',
      files['state.json']!,
    ]);
    expect(run.code).toBe(1);
    expect(onlyErrorTrace(run)).toMatchObject({
      failure_type: 'config_error',
      message: "Invalid state: state[0].stream: missing required field 'stream_descriptor'.",
    });
  });

  it.each([
    ['throw-config', 'config_error', "Field 'records' must be a positive integer."],
    ['throw-retriable', 'transient_error', 'Connection to broker lost'],
    ['throw-errno', 'transient_error', 'connect ECONNREFUSED 127.0.0.1:1'],
    ['throw-system', 'system_error', "Cannot read properties of undefined (reading 'offset')"],
    ['throw-custom', 'transient_error', 'Quota exhausted'],
  ])('a thrown %s error becomes a %s trace and exit 1', async (behaviour, failureType, message) => {
    const run = await readWith(config(behaviour));
    expect(run.code).toBe(1);
    const error = onlyErrorTrace(run);
    expect(error.failure_type).toBe(failureType);
    // The user sees one sentence; the stack goes to stack_trace only.
    expect(error.message).toBe(message);
    expect(error.stack_trace).toMatch(/\n\s+at /);
    expect(error.internal_message).toContain(message);
    expect(run.stderr).toBe('');
  });

  it('masks a secret in the message, internal_message and stack_trace of a trace', async () => {
    const files = inputFiles({ 'config.json': config('throw-secret') });
    const run = await runFixture(['discover', '--config', files['config.json']!]);
    expect(run.code).toBe(1);
    const error = onlyErrorTrace(run);
    expect(error.message).toBe(`Authentication failed for password ${REDACTED}`);
    expect(error.internal_message).toContain(`server said: bad credentials "${REDACTED}"`);
    expect(error.stack_trace).toContain(REDACTED);
    expectNoSecrets(run);
  });

  it("masks a secret nested in a oneOf branch in the connector's logs", async () => {
    const run = await readWith(config('log-secret'));
    expect(run.code).toBe(0);
    expect(run.messages).toContainEqual({
      type: 'LOG',
      log: { level: 'INFO', message: `connecting with token ${REDACTED}` },
    });
    expectNoSecrets(run);
  });

  it('an uncaught exception in a background task becomes a trace, flushed, with exit 1', async () => {
    const run = await readWith(config('uncaught'));
    expect(run.code).toBe(1);
    expect(errorTraces(run)).toEqual([
      expect.objectContaining({
        failure_type: 'system_error',
        message: `background task crashed with ${REDACTED}`,
      }),
    ]);
    expectNoSecrets(run);
  });

  it('a crash while the read goes on writing ends the output with its trace, and exits 1', async () => {
    const run = await readWith(config('crash-while-writing'));
    expect(run.code).toBe(1);
    const types = run.messages.map((m) => m.type);
    expect(types.filter((t) => t === 'RECORD').length).toBeGreaterThan(0);
    expect(run.messages.at(-1)).toMatchObject({
      type: 'TRACE',
      trace: { type: 'ERROR', error: { message: 'background task crashed' } },
    });
  });

  it('a read whose promise never settles still ends with a trace instead of silence', async () => {
    const run = await readWith(config('never-settles'));
    expect(run.code).toBe(1);
    expect(onlyErrorTrace(run)).toMatchObject({
      failure_type: 'system_error',
      message:
        "The connector stopped before the 'read' command finished: an awaited promise never settled, or process.exit was called early.",
    });
  });

  it('on SIGTERM aborts the read, keeps the final state and status, flushes, and exits 143', async () => {
    const files = inputFiles({
      'config.json': config('wait-for-signal', { records: 1000 }),
      'catalog.json': eventsCatalog,
    });
    const child = spawnFixture([
      'read',
      '--config',
      files['config.json']!,
      '--catalog',
      files['catalog.json']!,
    ]);
    let signalled = false;
    const run = await collect(child, (stdout) => {
      if (!signalled && stdout.includes('"type":"RECORD"')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    expect(signalled).toBe(true);
    expect(run.code).toBe(143);
    const types = run.messages.map((m) => m.type);
    expect(types.filter((t) => t === 'RECORD')).toHaveLength(1);
    expect(run.messages).toContainEqual({
      type: 'LOG',
      log: { level: 'WARN', message: 'Received SIGTERM; stopping and flushing output.' },
    });
    expect(types.at(-2)).toBe('STATE');
    expect(run.messages.at(-1)).toMatchObject({
      type: 'TRACE',
      trace: { stream_status: { status: 'INCOMPLETE' } },
    });
  });

  it('on SIGTERM ends a connector that ignores the abort after the grace period, flushing what it logged', async () => {
    const files = inputFiles({ 'config.json': config('ignore-signal'), 'catalog.json': eventsCatalog });
    const child = spawnFixture(
      ['read', '--config', files['config.json']!, '--catalog', files['catalog.json']!],
      {
        FIXTURE_GRACE_MS: '300',
      },
    );
    let signalled = false;
    const run = await collect(child, (stdout) => {
      if (!signalled && stdout.includes('"type":"RECORD"')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    expect(run.code).toBe(143);
    expect(run.messages.slice(-2)).toEqual([
      { type: 'LOG', log: { level: 'WARN', message: 'Received SIGTERM; stopping and flushing output.' } },
      { type: 'LOG', log: { level: 'WARN', message: 'abort seen, still busy' } },
    ]);
  });
});
