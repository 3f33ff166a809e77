// In-process runs (manageProcess: false); the child-process tests are in test/runner.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { assertAirbyteOutput } from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it } from 'vitest';
import type { Connector } from './contract.js';
import { runConnector } from './runner.js';

const fixedClock = { now: () => 1_700_000_000_000 };

function connector(overrides: Partial<Connector<{ token: string }>> = {}): Connector<{ token: string }> {
  return {
    spec: () => ({
      connectionSpecification: {
        type: 'object',
        properties: { token: { type: 'string', airbyte_secret: true } },
      },
    }),
    check: () => undefined,
    discover: () => ({ streams: [] }),
    read: async () => {},
    ...overrides,
  };
}

async function run(c: Connector<{ token: string }>, argv: string[]) {
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const code = await runConnector(c, { argv, output, clock: fixedClock, manageProcess: false });
  return { code, messages: assertAirbyteOutput(text) };
}

function configFile(config: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'runner-in-process-')), 'config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('runConnector in-process', () => {
  it('resolves with 0 and writes the spec', async () => {
    const { code, messages } = await run(connector(), ['spec']);
    expect(code).toBe(0);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.type).toBe('SPEC');
  });

  it('uses the injected clock and masks the secret in a discover failure', async () => {
    const failing = connector({
      discover: (config) => {
        throw Object.assign(new Error(`token ${config.token} rejected`), { code: 'ETIMEDOUT' });
      },
    });
    const { code, messages } = await run(failing, [
      'discover',
      '--config',
      configFile({ token: 'tk-12345' }),
    ]);
    expect(code).toBe(1);
    expect(messages).toEqual([
      {
        type: 'TRACE',
        trace: {
          type: 'ERROR',
          emitted_at: fixedClock.now(),
          error: expect.objectContaining({
            message: 'token ********** rejected',
            failure_type: 'transient_error',
          }),
        },
      },
    ]);
    expect(JSON.stringify(messages)).not.toContain('tk-12345');
  });

  it('masks values from secretValues() as well', async () => {
    const c = connector({
      secretValues: () => ['derived-secret'],
      read: async (_config, _catalog, _state, { logger }) => logger.info('using derived-secret'),
    });
    const catalogPath = configFile({ streams: [] });
    const { code, messages } = await run(c, ['read', '--config', configFile({}), '--catalog', catalogPath]);
    expect(code).toBe(0);
    expect(messages).toEqual([{ type: 'LOG', log: { level: 'INFO', message: 'using **********' } }]);
  });

  it.each(['check', 'discover'])(
    '%s logs one WARN naming unknown config fields, and goes on',
    async (command) => {
      const { code, messages } = await run(connector(), [
        command,
        '--config',
        configFile({ token: 'secret-value-1', tokne: 'secret-value-2', extra: { a: 1 } }),
      ]);
      expect(code).toBe(0);
      const logs = messages
        .filter((m) => m.type === 'LOG')
        .map((m) => m.log as { level: string; message: string });
      expect(logs.filter((log) => log.level === 'WARN').map((log) => log.message)).toEqual([
        "The config has field(s) this connector does not know, ignored: 'tokne' (did you mean 'token'?), 'extra'.",
      ]);
      expect(messages.at(-1)?.type).toBe(command === 'check' ? 'CONNECTION_STATUS' : 'CATALOG');
    },
  );

  it('logs no warning for a config of known fields', async () => {
    const { messages } = await run(connector(), ['check', '--config', configFile({ token: 't' })]);
    expect(messages.filter((m) => m.type === 'LOG')).toEqual([]);
  });

  it('names the stream a failure is about in the TRACE error, from the error or the streamOf hook', async () => {
    const aboutOrders = Object.assign(new Error('cannot decode offset 7'), {
      failureType: 'config_error',
      streamDescriptor: { name: 'orders' },
    });
    const viaProperty = await run(
      connector({
        discover: () => {
          throw new Error('wrapped', { cause: aboutOrders });
        },
      }),
      ['discover', '--config', configFile({ token: 't' })],
    );
    expect(viaProperty.code).toBe(1);
    expect(viaProperty.messages[0]?.trace).toMatchObject({
      error: { message: 'wrapped', stream_descriptor: { name: 'orders' } },
    });
    const viaHook = await run(
      connector({
        discover: () => {
          throw new Error('offsets lost in topic payments');
        },
        streamOf: () => ({ name: 'payments', namespace: 'kafka' }),
      }),
      ['discover', '--config', configFile({ token: 't' })],
    );
    expect(viaHook.messages[0]?.trace).toMatchObject({
      error: { stream_descriptor: { name: 'payments', namespace: 'kafka' } },
    });
    const unrelated = await run(
      connector({
        discover: () => {
          throw new Error('disk full');
        },
      }),
      ['discover', '--config', configFile({ token: 't' })],
    );
    const trace = unrelated.messages[0]?.trace as { error: object } | undefined;
    expect(trace?.error).toBeDefined();
    expect(trace?.error).not.toHaveProperty('stream_descriptor');
  });

  it.each([
    [['--help'], /^usage: demo <command> \[flags\]\n/],
    [['read', '--help'], /^usage: demo /],
    [['--version'], /^demo 1\.2\.3\n$/],
  ])('%j prints plain text and exits 0, not a config error', async (argv, expected) => {
    const output = new PassThrough();
    let text = '';
    output.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    const code = await runConnector(connector(), {
      argv,
      output,
      manageProcess: false,
      program: { name: 'demo', version: '1.2.3' },
    });
    expect(code).toBe(0);
    expect(text).toMatch(expected);
    expect(text).not.toContain('config_error');
  });
});
