// Runs the built connector CLI (dist/main.js) as Airbyte would, with the faults the suite injects: a kill at
// some point, a slow reader, a reader that goes away, and a deadline that turns a hang into a failed trial.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mainJs = join(appDir, 'dist', 'main.js');

export type Message = Record<string, unknown> & { type: string };

/** A file's JSON value, or its exact text when the suite feeds the connector something that is not JSON. */
export type FileInput = { readonly raw: string } | { readonly json: unknown };

export interface RunOptions {
  readonly command: 'check' | 'discover' | 'read' | 'spec';
  readonly config?: FileInput;
  readonly catalog?: FileInput;
  readonly state?: FileInput;
  /** The run fails as a hang past this. */
  readonly timeoutMs: number;
  /** Kill with SIGKILL when this returns true for the messages so far, or after `killAfterMs`. */
  readonly killWhen?: ((messages: readonly Message[]) => boolean) | undefined;
  readonly killAfterMs?: number | undefined;
  /** Called on each stdout message as it arrives (e.g. to signal the broker mid-read). */
  readonly onMessage?: ((message: Message, all: readonly Message[]) => void) | undefined;
  /** slow: stop reading stdout for `slowPauseMs` every `slowEvery` lines; closed: close it after `closeAfter` lines. */
  readonly stdout?:
    | { readonly mode: 'slow'; readonly every: number; readonly pauseMs: number }
    | { readonly mode: 'closed'; readonly afterLines: number }
    | undefined;
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly messages: Message[];
  /** Stdout lines that are not a JSON object with a string `type`. */
  readonly badLines: string[];
  readonly killed: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

function writeInput(dir: string, name: string, input: FileInput): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, 'raw' in input ? input.raw : JSON.stringify(input.json));
  return path;
}

export function runConnector(options: RunOptions): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'source-kafka-faults-'));
  const flags: string[] = [];
  for (const name of ['config', 'catalog', 'state'] as const) {
    const input = options[name];
    if (input !== undefined) flags.push(`--${name}`, writeInput(dir, name, input));
  }
  const started = Date.now();
  const child = spawn(process.execPath, [mainJs, options.command, ...flags], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  });
  const messages: Message[] = [];
  const badLines: string[] = [];
  let stdout = '';
  let stderr = '';
  let pending = '';
  let lines = 0;
  let killed = false;
  let timedOut = false;
  let stdoutClosed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const onLine = (line: string) => {
    if (killed && options.killWhen !== undefined) return;
    if (line.trim() === '') return;
    lines++;
    let message: Message | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object' && typeof (parsed as Message).type === 'string') {
        message = parsed as Message;
      }
    } catch {
      message = undefined;
    }
    if (message === undefined) {
      badLines.push(line.slice(0, 200));
      return;
    }
    messages.push(message);
    options.onMessage?.(message, messages);
    if (options.killWhen?.(messages) === true) kill();
  };
  const out = child.stdout;
  out.setEncoding('utf8');
  out.on('data', (chunk: string) => {
    if (stdoutClosed) return;
    stdout += chunk;
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    const mode = options.stdout;
    if (mode?.mode === 'slow' && lines >= mode.every) {
      lines = 0;
      out.pause();
      setTimeout(() => out.resume(), mode.pauseMs);
    } else if (mode?.mode === 'closed' && lines >= mode.afterLines && !stdoutClosed) {
      // The platform's end of the pipe goes away: further writes get EPIPE.
      stdoutClosed = true;
      out.destroy();
    }
  });
  out.on('error', () => undefined);
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const killTimer = options.killAfterMs === undefined ? undefined : setTimeout(kill, options.killAfterMs);
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  return new Promise((done) => {
    child.on('close', (exitCode, signal) => {
      clearTimeout(deadline);
      if (killTimer !== undefined) clearTimeout(killTimer);
      if (pending !== '') onLine(pending);
      rmSync(dir, { recursive: true, force: true });
      done({
        exitCode,
        signal,
        stdout,
        stderr,
        messages,
        badLines,
        killed,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}

export const ofType = (messages: readonly Message[], type: string): Message[] =>
  messages.filter((m) => m.type === type);

export interface TraceError {
  readonly message?: string;
  readonly failure_type?: string;
}

export function traceErrors(messages: readonly Message[]): TraceError[] {
  return ofType(messages, 'TRACE')
    .map((m) => m.trace as { type?: string; error?: TraceError })
    .filter((t) => t.type === 'ERROR' && t.error !== undefined)
    .map((t) => t.error!);
}

/** The last status of each stream. */
export function finalStatuses(messages: readonly Message[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of ofType(messages, 'TRACE')) {
    const trace = m.trace as {
      type?: string;
      stream_status?: { stream_descriptor: { name: string }; status: string };
    };
    if (trace.type === 'STREAM_STATUS' && trace.stream_status !== undefined) {
      out.set(trace.stream_status.stream_descriptor.name, trace.stream_status.status);
    }
  }
  return out;
}

/** A JS stack frame ("    at fn (file:line)") anywhere a user reads: stderr, or a message shown to them. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+(:\d+:\d+|\(native\)|<anonymous>)/.test(text);
}

/** Where a user reads: stderr, LOG messages, TRACE error messages, CONNECTION_STATUS. The stack_trace field is excluded. */
export function userFacingText(result: Pick<RunResult, 'messages' | 'stderr'>): string {
  const parts = [result.stderr];
  for (const m of result.messages) {
    if (m.type === 'LOG') parts.push(String((m.log as { message?: unknown }).message));
    if (m.type === 'CONNECTION_STATUS') parts.push(JSON.stringify(m.connectionStatus));
  }
  for (const e of traceErrors(result.messages)) parts.push(String(e.message));
  return parts.join('\n');
}

/** Everything but RECORD lines: a record carries the payload on purpose, nothing else may. */
export function nonRecordOutput(result: Pick<RunResult, 'messages' | 'stderr' | 'badLines'>): string {
  return [
    result.stderr,
    ...result.badLines,
    ...result.messages.filter((m) => m.type !== 'RECORD').map((m) => JSON.stringify(m)),
  ].join('\n');
}
