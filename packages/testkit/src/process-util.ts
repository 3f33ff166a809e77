import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { BrokerError, brokerErrorCodes } from './errors.js';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to completion with a deadline; the error names the tool and carries its output tail. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs: number; readonly what: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(
            new BrokerError(brokerErrorCodes.toolMissing, `${options.what}: "${command}" is not installed`, {
              cause: error,
            }),
          );
          return;
        }
        const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
        const reason = error.killed
          ? `timed out after ${options.timeoutMs} ms`
          : `exited with ${String(code)}`;
        reject(
          new BrokerError(brokerErrorCodes.startFailed, `${options.what}: ${command} ${reason}\n${output}`, {
            cause: error,
          }),
        );
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when the pid is alive and not a zombie waiting to be reaped. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means it exists but belongs to someone else: still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z';
  } catch {
    // No /proc (not Linux): trust kill(0).
    return true;
  }
}

export async function commandLineOf(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** Last lines of a file, or a note that it could not be read. */
export async function tailOf(path: string, lines: number): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${path})`;
  }
}
