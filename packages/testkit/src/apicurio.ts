import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureApicurio, ensureJava21 } from './apicurio-distribution.js';
import {
  type ApicurioSettings,
  apicurioSettingsFrom,
  apicurioSystemProperties,
} from './apicurio-settings.js';
import { ApicurioError, apicurioErrorCodes } from './errors.js';
import { withFileLock } from './lock.js';
import { portInUse } from './probe.js';
import { commandLineOf, isAlive, sleep, tailOf } from './process-util.js';

/** Who started the registry: a person keeps it; a test run stops it when the last test run using it ends. */
export type ApicurioOwner = 'cli' | 'test-run';

/** How tests reach the registry (`inject('registry')`). */
export interface ApicurioConnection {
  readonly version: string;
  /** Root of the registry, e.g. http://127.0.0.1:18081 (its native API is under /apis/registry/v3). */
  readonly url: string;
  /** The Confluent-compatible API: what Confluent clients and the connector's schema_registry.url take. */
  readonly ccompatUrl: string;
  readonly logDir: string;
}

export interface ApicurioState {
  readonly pid: number;
  readonly version: string;
  readonly port: number;
  readonly owner: ApicurioOwner;
  readonly startedAt: string;
  /** Milliseconds from spawn until the Confluent-compatible API answered. */
  readonly startupMs: number;
  readonly runDir: string;
}

export interface StartedApicurio {
  readonly connection: ApicurioConnection;
  readonly state: ApicurioState;
  /** False when an already running registry was reused. */
  readonly startedNow: boolean;
}

type Log = (line: string) => void;

const STOP_GRACE_MS = 30_000;
const KILL_WAIT_MS = 15_000;
const LOCK_TIMEOUT_MS = 10 * 60_000;

function paths(runDir: string) {
  return {
    state: join(runDir, 'state.json'),
    connection: join(runDir, 'connection.json'),
    logs: join(runDir, 'logs'),
    tmp: join(runDir, 'tmp'),
    leases: join(runDir, 'leases'),
    lock: `${runDir}.lock`,
  };
}

/** Where the connection file of the registry configured by `env` lives. */
export function apicurioConnectionFilePath(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const explicit = env.SOURCE_KAFKA_REGISTRY_CONNECTION;
  if (explicit !== undefined && explicit !== '') return explicit;
  return paths(apicurioSettingsFrom(env).runDir).connection;
}

/** Reads the connection file, for scripts and child processes outside vitest. */
export function readApicurioConnection(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ApicurioConnection {
  const path = apicurioConnectionFilePath(env);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ApicurioConnection;
  } catch (error) {
    throw new ApicurioError(
      apicurioErrorCodes.notRunning,
      `No registry connection file at ${path}. Start the test registry with "pnpm registry start".`,
      { cause: error },
    );
  }
}

async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(value, null, 2)}\n`);
  await rename(partial, path);
}

async function readState(runDir: string): Promise<ApicurioState | undefined> {
  try {
    return JSON.parse(await readFile(paths(runDir).state, 'utf8')) as ApicurioState;
  } catch {
    return undefined;
  }
}

/** The run folder rides on the command line, so a recycled pid is never taken for our registry. */
function runDirMarker(runDir: string): string {
  return `-Dsource-kafka.registry.run-dir=${runDir}`;
}

async function isOurProcess(state: ApicurioState): Promise<boolean> {
  if (!(await isAlive(state.pid))) return false;
  const commandLine = await commandLineOf(state.pid);
  return commandLine === undefined || commandLine.includes(runDirMarker(state.runDir));
}

function connectionFor(settings: ApicurioSettings): ApicurioConnection {
  const url = `http://127.0.0.1:${settings.port}`;
  return {
    version: settings.version,
    url,
    ccompatUrl: `${url}/apis/ccompat/v7`,
    logDir: paths(settings.runDir).logs,
  };
}

/** Asks the Confluent-compatible API for its subjects; resolves to an error message, or undefined. */
export async function probeApicurio(connection: ApicurioConnection): Promise<string | undefined> {
  try {
    const response = await fetch(`${connection.ccompatUrl}/subjects`, {
      signal: AbortSignal.timeout(3_000),
    });
    await response.arrayBuffer();
    return response.ok ? undefined : `GET /subjects answered ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(200);
  }
  return !(await isAlive(pid));
}

async function terminate(pid: number, log: Log): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitForExit(pid, STOP_GRACE_MS)) return;
  log(`Registry pid ${pid} ignored SIGTERM for ${STOP_GRACE_MS} ms; killing it`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await waitForExit(pid, KILL_WAIT_MS))) {
    throw new ApicurioError(
      apicurioErrorCodes.stopFailed,
      `Registry pid ${pid} is still alive after SIGKILL`,
    );
  }
}

async function launch(settings: ApicurioSettings, owner: ApicurioOwner, log: Log): Promise<StartedApicurio> {
  const p = paths(settings.runDir);
  for (const port of [settings.port, settings.managementPort]) {
    if (await portInUse(port)) {
      throw new ApicurioError(
        apicurioErrorCodes.portInUse,
        `Port ${port} is already in use by another process. Stop it, or move the registry with SOURCE_KAFKA_REGISTRY_PORT=<port> (it uses that port and the next).`,
      );
    }
  }
  const [distribution, java] = await Promise.all([
    ensureApicurio(settings.version, settings.cacheDir, log),
    ensureJava21(settings.javaHome, settings.cacheDir, log),
  ]);
  await rm(settings.runDir, { recursive: true, force: true });
  await mkdir(p.logs, { recursive: true });
  await mkdir(p.tmp, { recursive: true });
  await mkdir(p.leases, { recursive: true });

  const out = openSync(join(p.logs, 'stdout.log'), 'a');
  const args = [
    `-Xmx${settings.heap}`,
    '-Xms64m',
    // One test registry on a small machine: the serial collector and a small code cache keep it lean.
    '-XX:+UseSerialGC',
    '-XX:ReservedCodeCacheSize=64m',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    runDirMarker(settings.runDir),
    ...apicurioSystemProperties(settings, p.tmp),
    '-jar',
    distribution.runJar,
  ];
  const spawnedAt = Date.now();
  const child = spawn(java, args, {
    cwd: dirname(distribution.runJar),
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) {
    throw new ApicurioError(apicurioErrorCodes.startFailed, `Could not spawn ${java} for Apicurio Registry`);
  }
  child.unref();
  const base = {
    pid,
    version: settings.version,
    port: settings.port,
    owner,
    startedAt: new Date(spawnedAt).toISOString(),
    runDir: settings.runDir,
  };
  await writeJsonAtomically(p.state, { ...base, startupMs: -1 });
  log(`Apicurio Registry ${settings.version} starting (pid ${pid}, ${java}), logs in ${p.logs}`);

  const connection = connectionFor(settings);
  const deadline = spawnedAt + settings.startTimeoutMs;
  let failure: string | undefined = 'not probed yet';
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) {
      await rm(p.state, { force: true });
      throw new ApicurioError(
        apicurioErrorCodes.startFailed,
        `Apicurio Registry exited during start-up.\n${await tailOf(join(p.logs, 'stdout.log'), 40)}`,
      );
    }
    failure = await probeApicurio(connection);
    if (failure === undefined) break;
    await sleep(250);
  }
  if (failure !== undefined) {
    await terminate(pid, log).catch(() => undefined);
    await rm(p.state, { force: true });
    throw new ApicurioError(
      apicurioErrorCodes.startFailed,
      `Apicurio Registry did not answer within ${settings.startTimeoutMs} ms: ${failure}\n${await tailOf(join(p.logs, 'stdout.log'), 40)}`,
    );
  }
  const state: ApicurioState = { ...base, startupMs: Date.now() - spawnedAt };
  await writeJsonAtomically(p.state, state);
  await writeJsonAtomically(p.connection, connection);
  log(`Apicurio Registry ready in ${state.startupMs} ms: ${connection.ccompatUrl}`);
  return { connection, state, startedNow: true };
}

async function findLive(settings: ApicurioSettings): Promise<ApicurioState | undefined> {
  const state = await readState(settings.runDir);
  if (state === undefined || !(await isOurProcess(state))) return undefined;
  return state;
}

export interface StartApicurioOptions {
  readonly settings?: ApicurioSettings;
  readonly owner: ApicurioOwner;
  readonly log?: Log;
  /** Registers this process as a user, so a test-run registry outlives it while others use it. */
  readonly leaseHolder?: number;
}

/** Starts the registry, or reuses the live one of these settings. Safe to call concurrently. */
export async function startApicurio(options: StartApicurioOptions): Promise<StartedApicurio> {
  const settings = options.settings ?? apicurioSettingsFrom(process.env);
  const log = options.log ?? ((line: string) => console.error(line));
  const p = paths(settings.runDir);
  await mkdir(dirname(settings.runDir), { recursive: true });
  return withFileLock(p.lock, LOCK_TIMEOUT_MS, async () => {
    let started: StartedApicurio | undefined;
    const live = await findLive(settings);
    if (live !== undefined) {
      const connection = connectionFor(settings);
      if ((await probeApicurio(connection)) === undefined) {
        started = { connection, state: live, startedNow: false };
      } else {
        log(`Registry pid ${live.pid} is alive but does not answer; restarting it`);
        await terminate(live.pid, log);
      }
    }
    started ??= await launch(settings, options.owner, log);
    if (options.leaseHolder !== undefined) {
      await mkdir(p.leases, { recursive: true });
      await writeFile(join(p.leases, String(options.leaseHolder)), started.state.startedAt);
    }
    return started;
  });
}

async function stopLocked(settings: ApicurioSettings, log: Log): Promise<boolean> {
  const p = paths(settings.runDir);
  const live = await findLive(settings);
  await rm(p.connection, { force: true });
  if (live === undefined) {
    await rm(p.state, { force: true });
    return false;
  }
  log(`Stopping Apicurio Registry (pid ${live.pid})`);
  await terminate(live.pid, log);
  await rm(p.state, { force: true });
  await rm(p.leases, { recursive: true, force: true });
  return true;
}

/** Stops the registry of these settings, whoever started it. Resolves false when none was running. */
export async function stopApicurio(
  settings = apicurioSettingsFrom(process.env),
  log: Log = console.error,
): Promise<boolean> {
  if (!existsSync(settings.runDir)) return false;
  return withFileLock(paths(settings.runDir).lock, LOCK_TIMEOUT_MS, () => stopLocked(settings, log));
}

async function liveLeaseHolders(leasesDir: string): Promise<number[]> {
  const names = await readdir(leasesDir).catch(() => [] as string[]);
  const alive: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && (await isAlive(pid))) alive.push(pid);
  }
  return alive;
}

/** Drops this process's lease; a test-run registry stops once no live lease remains. */
export async function releaseApicurio(
  holder: number,
  settings = apicurioSettingsFrom(process.env),
  log: Log = console.error,
): Promise<'stopped' | 'left-running'> {
  return withFileLock(paths(settings.runDir).lock, LOCK_TIMEOUT_MS, async () => {
    const p = paths(settings.runDir);
    await rm(join(p.leases, String(holder)), { force: true });
    const state = await readState(settings.runDir);
    if (state === undefined || state.owner !== 'test-run') return 'left-running';
    const others = (await liveLeaseHolders(p.leases)).filter((pid) => pid !== holder);
    if (others.length > 0) {
      log(`Leaving the registry running for ${others.length} other test run(s)`);
      return 'left-running';
    }
    await stopLocked(settings, log);
    return 'stopped';
  });
}

export type ApicurioStatus =
  | { readonly running: false; readonly runDir: string }
  | {
      readonly running: true;
      readonly runDir: string;
      readonly state: ApicurioState;
      readonly answering: boolean;
      readonly leaseHolders: readonly number[];
    };

export async function apicurioStatus(settings = apicurioSettingsFrom(process.env)): Promise<ApicurioStatus> {
  const live = await findLive(settings);
  if (live === undefined) return { running: false, runDir: settings.runDir };
  return {
    running: true,
    runDir: settings.runDir,
    state: live,
    answering: (await probeApicurio(connectionFor(settings))) === undefined,
    leaseHolders: await liveLeaseHolders(paths(settings.runDir).leases),
  };
}

/** Stops a registry a test run started and no live test run uses any more (after a killed run). */
export async function stopOrphanedApicurio(
  settings = apicurioSettingsFrom(process.env),
  log: Log = console.error,
): Promise<boolean> {
  if (!existsSync(settings.runDir)) return false;
  return withFileLock(paths(settings.runDir).lock, LOCK_TIMEOUT_MS, async () => {
    const state = await readState(settings.runDir);
    if (state === undefined || state.owner !== 'test-run') return false;
    if ((await liveLeaseHolders(paths(settings.runDir).leases)).length > 0) return false;
    return stopLocked(settings, log);
  });
}
