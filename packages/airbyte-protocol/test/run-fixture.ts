// Runs test/fixtures/connector.ts as a child process, the way the platform runs a connector.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAirbyteOutput } from '@source-kafka/testkit/airbyte-schema';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_CONNECTOR = join(here, 'fixtures/connector.ts');
const NODE_ARGS = ['--conditions=source-kafka-source', '--import', 'tsx'];

export interface FixtureRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every stdout line, parsed and validated against #/definitions/AirbyteMessage. */
  readonly messages: Array<Record<string, unknown> & { type: string }>;
}

export function spawnFixture(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, FIXTURE_CONNECTOR, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: join(here, '..'),
    env: { ...process.env, ...env },
  });
}

export function collect(child: ChildProcess, onLine?: (line: string) => void): Promise<FixtureRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    const before = stdout.length;
    stdout += text;
    if (onLine && stdout.slice(before).includes('\n')) onLine(stdout);
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      try {
        const messages = assertAirbyteOutput(stdout) as FixtureRun['messages'];
        resolve({ code, signal, stdout, stderr, messages });
      } catch (error) {
        reject(error);
      }
    });
  });
}

export function runFixture(args: readonly string[]): Promise<FixtureRun> {
  return collect(spawnFixture(args));
}

/** A fresh folder holding the given JSON (or raw text) files; returns their paths by name. */
export function inputFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'airbyte-protocol-test-'));
  const paths: Record<string, string> = { dir };
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    paths[name] = path;
  }
  return paths;
}

export const eventsCatalog = {
  streams: [
    {
      stream: {
        name: 'events',
        json_schema: { type: 'object' },
        supported_sync_modes: ['full_refresh', 'incremental'],
      },
      sync_mode: 'incremental',
      destination_sync_mode: 'append',
    },
  ],
};

type Trace = {
  type: string;
  error?: { message: string; failure_type: string; internal_message?: string; stack_trace?: string };
};

export function errorTraces(run: FixtureRun): NonNullable<Trace['error']>[] {
  return run.messages
    .filter((m) => m.type === 'TRACE' && (m.trace as Trace).type === 'ERROR')
    .map((m) => (m.trace as Trace).error!);
}

export function onlyErrorTrace(run: FixtureRun): NonNullable<Trace['error']> {
  const traces = errorTraces(run);
  if (traces.length !== 1) throw new Error(`expected one TRACE ERROR, got ${traces.length}:\n${run.stdout}`);
  return traces[0]!;
}
