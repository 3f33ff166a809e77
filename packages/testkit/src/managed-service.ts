import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withFileLock } from './lock.js';
import { commandLineOf, isAlive, sleep } from './process-util.js';

/**
 * The lifecycle the test broker and the test registry share: a detached process recorded in a run folder,
 * guarded by a file lock, kept alive by the leases of the test runs using it and stopped by whoever owns it.
 * What differs between them (ports, command line, readiness probe, files) stays in broker.ts and apicurio.ts.
 */

/** Who started the service: a person (the CLI's `start`) keeps it; a test run stops it when the last user leaves. */
export type ServiceOwner = 'cli' | 'test-run';

export type Log = (line: string) => void;

/** What every service's state.json holds; each service adds its own fields. */
export interface ServiceState {
  readonly pid: number;
  readonly owner: ServiceOwner;
  readonly startedAt: string;
}

export interface StartedService<S extends ServiceState, C> {
  readonly connection: C;
  readonly state: S;
  /** False when an already running service was reused. */
  readonly startedNow: boolean;
}

export type ServiceStatus<S extends ServiceState> =
  | { readonly running: false; readonly runDir: string }
  | {
      readonly running: true;
      readonly runDir: string;
      readonly state: S;
      readonly answering: boolean;
      readonly leaseHolders: readonly number[];
    };

export interface ManagedService<S extends ServiceState, C> {
  readonly runDir: string;
  /** "broker" or "registry": how log lines and errors name it. */
  readonly noun: string;
  /** How long a SIGTERM may take before SIGKILL. */
  readonly stopGraceMs: number;
  /** Whether `commandLine` (of the live pid in `state`) is this service, so a recycled pid is never ours. */
  readonly isOwnCommandLine: (commandLine: string, state: S) => boolean;
  /** The connection of a live service, or null when it has none on record. */
  readonly connectionOf: (live: S) => Promise<C | null>;
  /** Resolves to why the service does not answer, or undefined when it does. */
  readonly probe: (connection: C) => Promise<string | undefined>;
  /** Throws when a live service must not be reused (e.g. it runs another version). */
  readonly checkReusable?: (live: S) => void;
  /**
   * Why a live service is out of date for this code (e.g. it lacks a listener), or undefined when it is
   * not. A stale service nobody else uses is restarted, keeping its owner; one that others use is an error.
   */
  readonly staleReason?: (live: S) => string | undefined;
  /** The error for a stale service that other test runs still use. */
  readonly staleInUse?: (message: string) => Error;
  /** Starts a fresh service in an emptied run folder (under the lock) and waits until it answers. */
  readonly launch: (owner: ServiceOwner, log: Log) => Promise<StartedService<S, C>>;
  /** The log line announcing a stop. */
  readonly stopping: (live: S) => string;
  readonly stopFailed: (message: string) => Error;
}

const KILL_WAIT_MS = 15_000;
const LOCK_TIMEOUT_MS = 10 * 60_000;

/** The files every service keeps in its run folder; the lock sits beside it, so emptying the folder keeps it. */
export function servicePaths(runDir: string) {
  return {
    state: join(runDir, 'state.json'),
    connection: join(runDir, 'connection.json'),
    logs: join(runDir, 'logs'),
    leases: join(runDir, 'leases'),
    lock: `${runDir}.lock`,
  };
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(value, null, 2)}\n`);
  await rename(partial, path);
}

async function readState<S extends ServiceState>(runDir: string): Promise<S | undefined> {
  try {
    return JSON.parse(await readFile(servicePaths(runDir).state, 'utf8')) as S;
  } catch {
    return undefined;
  }
}

async function findLive<S extends ServiceState, C>(service: ManagedService<S, C>): Promise<S | undefined> {
  const state = await readState<S>(service.runDir);
  if (state === undefined || !(await isAlive(state.pid))) return undefined;
  const commandLine = await commandLineOf(state.pid);
  return commandLine === undefined || service.isOwnCommandLine(commandLine, state) ? state : undefined;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(200);
  }
  return !(await isAlive(pid));
}

function capitalized(noun: string): string {
  return `${noun.charAt(0).toUpperCase()}${noun.slice(1)}`;
}

/** SIGTERM, wait for the controlled shutdown, then SIGKILL. */
export async function terminate<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  pid: number,
  log: Log,
): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitForExit(pid, service.stopGraceMs)) return;
  log(`${capitalized(service.noun)} pid ${pid} ignored SIGTERM for ${service.stopGraceMs} ms; killing it`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await waitForExit(pid, KILL_WAIT_MS))) {
    throw service.stopFailed(`${capitalized(service.noun)} pid ${pid} is still alive after SIGKILL`);
  }
}

async function answers<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  live: S,
): Promise<{ readonly connection: C | null; readonly answering: boolean }> {
  const connection = await service.connectionOf(live);
  return { connection, answering: connection !== null && (await service.probe(connection)) === undefined };
}

/** Starts the service, or reuses the live one of this run folder. Safe to call concurrently. */
export async function startService<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  owner: ServiceOwner,
  log: Log,
  leaseHolder: number | undefined,
): Promise<StartedService<S, C>> {
  const p = servicePaths(service.runDir);
  await mkdir(dirname(service.runDir), { recursive: true });
  return withFileLock(p.lock, LOCK_TIMEOUT_MS, async () => {
    let started: StartedService<S, C> | undefined;
    let launchAs = owner;
    const live = await findLive(service);
    if (live !== undefined) {
      service.checkReusable?.(live);
      const stale = service.staleReason?.(live);
      if (stale !== undefined) {
        const users = (await liveLeaseHolders(p.leases)).filter((pid) => pid !== leaseHolder);
        if (users.length > 0) {
          const message =
            `The ${service.noun} running in ${service.runDir} (pid ${live.pid}) cannot serve this test run: ${stale}. ` +
            `Test runs ${users.join(', ')} still use it; once they end it is restarted, or stop it now with the CLI's "stop" ` +
            '(or use another port base).';
          throw service.staleInUse?.(message) ?? new Error(message);
        }
        log(`${capitalized(service.noun)} pid ${live.pid} is out of date (${stale}); restarting it`);
        await terminate(service, live.pid, log);
        launchAs = live.owner;
      } else {
        const { connection, answering } = await answers(service, live);
        if (connection !== null && answering) {
          started = { connection, state: live, startedNow: false };
        } else {
          log(`${capitalized(service.noun)} pid ${live.pid} is alive but does not answer; restarting it`);
          await terminate(service, live.pid, log);
        }
      }
    }
    started ??= await service.launch(launchAs, log);
    if (leaseHolder !== undefined) {
      await mkdir(p.leases, { recursive: true });
      await writeFile(join(p.leases, String(leaseHolder)), started.state.startedAt);
    }
    return started;
  });
}

async function stopLocked<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  log: Log,
): Promise<boolean> {
  const p = servicePaths(service.runDir);
  const live = await findLive(service);
  await rm(p.connection, { force: true });
  if (live === undefined) {
    await rm(p.state, { force: true });
    return false;
  }
  log(service.stopping(live));
  await terminate(service, live.pid, log);
  await rm(p.state, { force: true });
  await rm(p.leases, { recursive: true, force: true });
  return true;
}

/** Stops the service, whoever started it. Resolves false when none was running. */
export async function stopService<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  log: Log,
): Promise<boolean> {
  if (!existsSync(service.runDir)) return false;
  return withFileLock(servicePaths(service.runDir).lock, LOCK_TIMEOUT_MS, () => stopLocked(service, log));
}

/** A lease is keyed by a live pid, so a killed test process leaves nothing that a gc cannot clean up. */
async function liveLeaseHolders(leasesDir: string): Promise<number[]> {
  const names = await readdir(leasesDir).catch(() => [] as string[]);
  const alive: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && (await isAlive(pid))) alive.push(pid);
  }
  return alive;
}

/**
 * Drops this process's lease. A service a test run started stops once no live lease remains; one a person
 * started is never stopped here.
 */
export async function releaseService<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  holder: number,
  log: Log,
): Promise<'stopped' | 'left-running'> {
  const p = servicePaths(service.runDir);
  return withFileLock(p.lock, LOCK_TIMEOUT_MS, async () => {
    await rm(join(p.leases, String(holder)), { force: true });
    const state = await readState<S>(service.runDir);
    if (state === undefined || state.owner !== 'test-run') return 'left-running';
    const others = (await liveLeaseHolders(p.leases)).filter((pid) => pid !== holder);
    if (others.length > 0) {
      log(`Leaving the ${service.noun} running for ${others.length} other test run(s)`);
      return 'left-running';
    }
    await stopLocked(service, log);
    return 'stopped';
  });
}

export async function serviceStatus<S extends ServiceState, C>(
  service: ManagedService<S, C>,
): Promise<ServiceStatus<S>> {
  const live = await findLive(service);
  if (live === undefined) return { running: false, runDir: service.runDir };
  return {
    running: true,
    runDir: service.runDir,
    state: live,
    answering: (await answers(service, live)).answering,
    leaseHolders: await liveLeaseHolders(servicePaths(service.runDir).leases),
  };
}

/**
 * Stops a service that a test run started and no live test run uses any more (e.g. after vitest was killed
 * before its teardown). Services started by a person are left alone.
 */
export async function stopOrphanedService<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  log: Log,
): Promise<boolean> {
  if (!existsSync(service.runDir)) return false;
  const p = servicePaths(service.runDir);
  return withFileLock(p.lock, LOCK_TIMEOUT_MS, async () => {
    const state = await readState<S>(service.runDir);
    if (state === undefined || state.owner !== 'test-run') return false;
    if ((await liveLeaseHolders(p.leases)).length > 0) return false;
    return stopLocked(service, log);
  });
}

/**
 * Waits until a just spawned service answers. Throws `failure(exited, reason)` when it exits first or the
 * deadline passes (after stopping it), always with the state file removed.
 */
export async function awaitReady<S extends ServiceState, C>(
  service: ManagedService<S, C>,
  pid: number,
  ready: {
    readonly deadline: number;
    readonly pollMs: number;
    readonly probe: () => Promise<string | undefined>;
    readonly failure: (exited: boolean, reason: string) => Promise<Error>;
  },
  log: Log,
): Promise<void> {
  const p = servicePaths(service.runDir);
  let reason: string | undefined = 'not probed yet';
  while (Date.now() < ready.deadline) {
    if (!(await isAlive(pid))) {
      await rm(p.state, { force: true });
      throw await ready.failure(true, '');
    }
    reason = await ready.probe();
    if (reason === undefined) return;
    await sleep(ready.pollMs);
  }
  await terminate(service, pid, log).catch(() => undefined);
  await rm(p.state, { force: true });
  throw await ready.failure(false, reason ?? '');
}
