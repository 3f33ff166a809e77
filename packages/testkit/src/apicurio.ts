import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureApicurio, ensureJava21 } from './apicurio-distribution.js';
import {
  type ApicurioSettings,
  apicurioSettingsFrom,
  apicurioSystemProperties,
} from './apicurio-settings.js';
import { ApicurioError, apicurioErrorCodes } from './errors.js';
import {
  awaitReady,
  type Log,
  type ManagedService,
  releaseService,
  type ServiceOwner,
  type ServiceStatus,
  type StartedService,
  servicePaths,
  serviceStatus,
  startService,
  stopOrphanedService,
  stopService,
  writeJsonAtomically,
} from './managed-service.js';
import { portInUse } from './port-in-use.js';
import { tailOf } from './process-util.js';

/** Who started the registry: a person keeps it; a test run stops it when the last test run using it ends. */
export type ApicurioOwner = ServiceOwner;

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

export type StartedApicurio = StartedService<ApicurioState, ApicurioConnection>;

const STOP_GRACE_MS = 30_000;

function paths(runDir: string) {
  return { ...servicePaths(runDir), tmp: join(runDir, 'tmp') };
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

/** The run folder rides on the command line, so a recycled pid is never taken for our registry. */
function runDirMarker(runDir: string): string {
  return `-Dsource-kafka.registry.run-dir=${runDir}`;
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

/** The registry of these settings, for the lifecycle it shares with the broker. */
function apicurioService(settings: ApicurioSettings): ManagedService<ApicurioState, ApicurioConnection> {
  const service: ManagedService<ApicurioState, ApicurioConnection> = {
    runDir: settings.runDir,
    noun: 'registry',
    stopGraceMs: STOP_GRACE_MS,
    // The run folder rides on the command line, so a recycled pid is never taken for our registry.
    isOwnCommandLine: (commandLine, state) => commandLine.includes(runDirMarker(state.runDir)),
    connectionOf: async () => connectionFor(settings),
    probe: probeApicurio,
    launch: (owner, log) => launch(service, settings, owner, log),
    stopping: (live) => `Stopping Apicurio Registry (pid ${live.pid})`,
    stopFailed: (message) => new ApicurioError(apicurioErrorCodes.stopFailed, message),
  };
  return service;
}

async function launch(
  service: ManagedService<ApicurioState, ApicurioConnection>,
  settings: ApicurioSettings,
  owner: ApicurioOwner,
  log: Log,
): Promise<StartedApicurio> {
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
  const stdoutTail = () => tailOf(join(p.logs, 'stdout.log'), 40);
  await awaitReady(
    service,
    pid,
    {
      deadline: spawnedAt + settings.startTimeoutMs,
      pollMs: 250,
      probe: () => probeApicurio(connection),
      failure: async (exited, failure) =>
        new ApicurioError(
          apicurioErrorCodes.startFailed,
          exited
            ? `Apicurio Registry exited during start-up.\n${await stdoutTail()}`
            : `Apicurio Registry did not answer within ${settings.startTimeoutMs} ms: ${failure}\n${await stdoutTail()}`,
        ),
    },
    log,
  );
  const state: ApicurioState = { ...base, startupMs: Date.now() - spawnedAt };
  await writeJsonAtomically(p.state, state);
  await writeJsonAtomically(p.connection, connection);
  log(`Apicurio Registry ready in ${state.startupMs} ms: ${connection.ccompatUrl}`);
  return { connection, state, startedNow: true };
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
  return startService(apicurioService(settings), options.owner, log, options.leaseHolder);
}

/** Stops the registry of these settings, whoever started it. Resolves false when none was running. */
export async function stopApicurio(
  settings = apicurioSettingsFrom(process.env),
  log: Log = console.error,
): Promise<boolean> {
  return stopService(apicurioService(settings), log);
}

/** Drops this process's lease; a test-run registry stops once no live lease remains. */
export async function releaseApicurio(
  holder: number,
  settings = apicurioSettingsFrom(process.env),
  log: Log = console.error,
): Promise<'stopped' | 'left-running'> {
  return releaseService(apicurioService(settings), holder, log);
}

export type ApicurioStatus = ServiceStatus<ApicurioState>;

export async function apicurioStatus(settings = apicurioSettingsFrom(process.env)): Promise<ApicurioStatus> {
  return serviceStatus(apicurioService(settings));
}

/** Stops a registry a test run started and no live test run uses any more (after a killed run). */
export async function stopOrphanedApicurio(
  settings = apicurioSettingsFrom(process.env),
  log: Log = console.error,
): Promise<boolean> {
  return stopOrphanedService(apicurioService(settings), log);
}
