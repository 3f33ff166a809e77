// Runs the connector CLI as a child process from source (no build needed) and parses its output.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BrokerConnection } from '@source-kafka/testkit';
import { assertAirbyteMessages } from '@source-kafka/testkit/airbyte-schema';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nodeArgs = ['--conditions=source-kafka-source', '--import', 'tsx', join(appDir, 'src/main.ts')];

export type Message = Record<string, unknown> & { type: string };

export interface CliResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every stdout line, each validated against #/definitions/AirbyteMessage. */
  readonly messages: Message[];
}

export interface CliFiles {
  readonly config?: unknown;
  readonly catalog?: unknown;
  readonly state?: unknown;
}

/** Writes the JSON inputs to a fresh folder, removed when the child exits, and passes them as flags. */
function spawnCli(command: string, files: CliFiles): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'source-kafka-e2e-'));
  const flags: string[] = [];
  for (const [name, value] of Object.entries(files)) {
    if (value === undefined) continue;
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(value));
    flags.push(`--${name}`, path);
  }
  const child = spawn(process.execPath, [...nodeArgs, command, ...flags], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.on('close', () => rmSync(dir, { recursive: true, force: true }));
  return child;
}

/** Runs one command to the end. Fails the test if any stdout line is not a valid AirbyteMessage. */
export async function runCli(command: string, files: CliFiles = {}): Promise<CliResult> {
  const child = spawnCli(command, files);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('close', (code, sig) => done([code, sig])),
  );
  const messages = assertAirbyteMessages(stdout.split('\n')) as Message[];
  return { exitCode, signal, stdout, stderr, messages };
}

/**
 * Runs `read` and sends `signal` as soon as `shouldKill` returns true for the messages seen so far. After
 * SIGKILL it returns the messages read before the kill (what a platform would have received); after SIGTERM
 * it goes on reading what the connector still writes while it stops.
 */
export async function runCliUntil(
  files: CliFiles,
  shouldKill: (seen: readonly Message[]) => boolean,
  signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL',
): Promise<{ messages: Message[]; killed: boolean; exitCode: number | null }> {
  const child = spawnCli('read', files);
  const messages: Message[] = [];
  let killed = false;
  const lines = createInterface({ input: child.stdout! });
  const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  for await (const line of lines) {
    if ((killed && signal === 'SIGKILL') || line.trim() === '') continue;
    messages.push(...(assertAirbyteMessages([line]) as Message[]));
    if (!killed && shouldKill(messages)) {
      child.kill(signal);
      killed = true;
      if (signal === 'SIGKILL') lines.close();
    }
  }
  return { messages, killed, exitCode: await closed };
}

/** Why a run failed, for an assertion message: its TRACE errors and the tail of its stderr. */
export function failureOf(result: Pick<CliResult, 'messages' | 'stderr'>): string {
  const errors = ofType<{ error?: { message?: string; failure_type?: string } }>(result.messages, 'TRACE')
    .map((trace) => trace.error)
    .filter((error) => error !== undefined)
    .map((error) => `${error.failure_type}: ${error.message}`);
  return [...errors, result.stderr.slice(-2000)].join('\n');
}

const payloadKey: Record<string, string> = { CONNECTION_STATUS: 'connectionStatus' };

/** The payloads of the messages of one type, e.g. the `catalog` of every CATALOG message. */
export const ofType = <T = Record<string, unknown>>(messages: readonly Message[], type: string): T[] =>
  messages.filter((m) => m.type === type).map((m) => m[payloadKey[type] ?? type.toLowerCase()] as T);

export interface RecordOut {
  stream: string;
  data: Record<string, unknown>;
}

export const recordsOf = (messages: readonly Message[]): RecordOut[] =>
  messages.filter((m) => m.type === 'RECORD').map((m) => m.record as RecordOut);

export interface StateOut {
  type: string;
  stream: {
    stream_descriptor: { name: string };
    stream_state: { version: number; partitions: Record<string, string> };
  };
  sourceStats?: { recordCount?: number };
}

export const statesOf = (messages: readonly Message[]): StateOut[] =>
  messages.filter((m) => m.type === 'STATE').map((m) => m.state as StateOut);

/** The input state for a next run: the last STATE of each stream, as the platform would keep it. */
export function stateInput(messages: readonly Message[]): StateOut[] {
  const last = new Map<string, StateOut>();
  for (const state of statesOf(messages)) last.set(state.stream.stream_descriptor.name, state);
  return [...last.values()];
}

export const logsOf = (messages: readonly Message[]): Array<{ level: string; message: string }> =>
  ofType(messages, 'LOG');

export function traceErrors(messages: readonly Message[]): Array<Record<string, unknown>> {
  return messages
    .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ERROR')
    .map((m) => (m.trace as { error: Record<string, unknown> }).error);
}

export function streamStatuses(messages: readonly Message[]): string[] {
  return messages
    .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS')
    .map((m) => {
      const s = (m.trace as { stream_status: { stream_descriptor: { name: string }; status: string } })
        .stream_status;
      return `${s.stream_descriptor.name}:${s.status}`;
    });
}

/** A configured catalog reading the given streams, each in the given mode. */
export function catalogFor(streams: Record<string, 'full_refresh' | 'incremental'>): unknown {
  return {
    streams: Object.entries(streams).map(([name, mode]) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: mode,
      destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite',
    })),
  };
}

/** A source config on the broker's PLAINTEXT listener, reading the matching topics from their start. */
export function plaintextConfig(
  conn: BrokerConnection,
  topicPattern: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    bootstrap_servers: conn.plaintext.brokers.join(','),
    subscription: { subscription_type: 'subscribe', topic_pattern: topicPattern },
    protocol: { security_protocol: 'PLAINTEXT' },
    start_position: { position: 'earliest' },
    request_timeout_ms: 10_000,
    // One group per test topic: offsets are committed to it, and no other consumer is active in it.
    group_id: `group-${topicPattern}`,
    ...extra,
  };
}
