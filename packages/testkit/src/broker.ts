import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerConnection, TlsMaterial } from './connection.js';
import { ensureKafkaJars, type KafkaDistribution } from './distribution.js';
import { BrokerError, brokerErrorCodes } from './errors.js';
import { withFileLock } from './lock.js';
import { portInUse, probeAllListeners, probeListener } from './probe.js';
import { commandLineOf, isAlive, runTool, sleep, tailOf } from './process-util.js';
import {
  log4jConfig,
  SASL_MECHANISMS,
  scramFormatArgs,
  serverProperties,
  TEST_USERS,
} from './server-config.js';
import { type BrokerPorts, type BrokerSettings, brokerSettingsFrom } from './settings.js';
import { generateTls } from './tls.js';

/** Who started the broker: a person (`pnpm broker start`) keeps it; a test run stops it when the last user leaves. */
export type BrokerOwner = 'cli' | 'test-run';

export interface BrokerState {
  readonly pid: number;
  readonly kafkaVersion: string;
  readonly ports: BrokerPorts;
  readonly owner: BrokerOwner;
  readonly startedAt: string;
  readonly propertiesPath: string;
}

export interface StartedBroker {
  readonly connection: BrokerConnection;
  readonly state: BrokerState;
  /** False when an already running broker was reused. */
  readonly startedNow: boolean;
}

export type Log = (line: string) => void;

const STOP_GRACE_MS = 60_000;
const KILL_WAIT_MS = 15_000;
const LOCK_TIMEOUT_MS = 10 * 60_000;

function paths(runDir: string) {
  return {
    state: join(runDir, 'state.json'),
    connection: join(runDir, 'connection.json'),
    logs: join(runDir, 'logs'),
    data: join(runDir, 'data'),
    tls: join(runDir, 'tls'),
    leases: join(runDir, 'leases'),
    properties: join(runDir, 'server.properties'),
    log4j: join(runDir, 'log4j.properties'),
    lock: `${runDir}.lock`,
  };
}

/** Where the connection file of the broker configured by `env` lives. */
export function connectionFilePath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const explicit = env.SOURCE_KAFKA_BROKER_CONNECTION;
  if (explicit !== undefined && explicit !== '') return explicit;
  return paths(brokerSettingsFrom(env).runDir).connection;
}

/**
 * Reads the connection details written by the broker script, for child processes and scripts outside vitest.
 * Honours SOURCE_KAFKA_BROKER_CONNECTION (a path), else the run folder of SOURCE_KAFKA_BROKER_PORT.
 */
export function readBrokerConnection(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BrokerConnection {
  const path = connectionFilePath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BrokerError(
      brokerErrorCodes.notRunning,
      `No broker connection file at ${path}. Start the test broker with "pnpm broker start".`,
      { cause: error },
    );
  }
  return JSON.parse(text) as BrokerConnection;
}

async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(value, null, 2)}\n`);
  await rename(partial, path);
}

async function readState(runDir: string): Promise<BrokerState | undefined> {
  try {
    return JSON.parse(await readFile(paths(runDir).state, 'utf8')) as BrokerState;
  } catch {
    return undefined;
  }
}

/** The pid in the state file is our broker only if it runs kafka.Kafka on this run folder's properties. */
async function isOurProcess(state: BrokerState): Promise<boolean> {
  if (!(await isAlive(state.pid))) return false;
  const commandLine = await commandLineOf(state.pid);
  return (
    commandLine === undefined ||
    (commandLine.includes('kafka.Kafka') && commandLine.includes(state.propertiesPath))
  );
}

async function readTls(dir: string): Promise<TlsMaterial> {
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  return {
    caPath: join(dir, 'ca.pem'),
    caPem: await read('ca.pem'),
    otherCaPath: join(dir, 'other-ca.pem'),
    otherCaPem: await read('other-ca.pem'),
    clientCertPath: join(dir, 'client.pem'),
    clientCertPem: await read('client.pem'),
    clientKeyPath: join(dir, 'client.key'),
    clientKeyPem: await read('client.key'),
  };
}

function connectionFor(
  kafkaVersion: string,
  ports: BrokerPorts,
  tls: TlsMaterial,
  logDir: string,
): BrokerConnection {
  const at = (port: number) => [`127.0.0.1:${port}`];
  const mechanisms = [...SASL_MECHANISMS];
  return {
    kafkaVersion,
    plaintext: { brokers: at(ports.plaintext) },
    saslPlaintext: { brokers: at(ports.saslPlaintext), users: TEST_USERS, mechanisms },
    ssl: { brokers: at(ports.ssl), tls },
    mtls: { brokers: at(ports.mtls), tls },
    saslSsl: { brokers: at(ports.saslSsl), users: TEST_USERS, mechanisms, tls },
    controller: { brokers: at(ports.controller) },
    logDir,
  };
}

async function logTail(runDir: string): Promise<string> {
  const { logs } = paths(runDir);
  return [
    `--- ${join(logs, 'server.log')} (last 40 lines)`,
    await tailOf(join(logs, 'server.log'), 40),
    `--- ${join(logs, 'stdout.log')} (last 20 lines)`,
    await tailOf(join(logs, 'stdout.log'), 20),
  ].join('\n');
}

function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

function jvmArgs(settings: BrokerSettings, distribution: KafkaDistribution, runDir: string): string[] {
  const p = paths(runDir);
  const logConfig = distribution.log4j2
    ? `-Dlog4j2.configurationFile=${p.log4j}`
    : `-Dlog4j.configuration=file:${p.log4j}`;
  return [
    `-Xmx${settings.heap}`,
    '-Xms128m',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${p.logs}`,
    logConfig,
    '-cp',
    `${distribution.libDir}/*`,
  ];
}

async function findLiveBroker(settings: BrokerSettings): Promise<BrokerState | undefined> {
  const state = await readState(settings.runDir);
  if (state === undefined || !(await isOurProcess(state))) return undefined;
  return state;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(200);
  }
  return !(await isAlive(pid));
}

/** SIGTERM, wait for the controlled shutdown, then SIGKILL. */
async function terminate(pid: number, log: Log): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitForExit(pid, STOP_GRACE_MS)) return;
  log(`Broker pid ${pid} ignored SIGTERM for ${STOP_GRACE_MS} ms; killing it`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await waitForExit(pid, KILL_WAIT_MS))) {
    throw new BrokerError(brokerErrorCodes.stopFailed, `Broker pid ${pid} is still alive after SIGKILL`);
  }
}

async function launch(settings: BrokerSettings, owner: BrokerOwner, log: Log): Promise<StartedBroker> {
  const { runDir, ports, kafkaVersion } = settings;
  const p = paths(runDir);
  for (const [name, port] of Object.entries(ports)) {
    if (await portInUse(port)) {
      throw new BrokerError(
        brokerErrorCodes.portInUse,
        `Port ${port} (${name} listener) is already in use by another process. Stop it, or move the broker with SOURCE_KAFKA_BROKER_PORT=<base>.`,
      );
    }
  }
  const distribution = await ensureKafkaJars(kafkaVersion, settings.cacheDir, log);

  // Everything but the lock is rebuilt from scratch: no stale data, certificates or logs survive a restart.
  await rm(runDir, { recursive: true, force: true });
  await mkdir(p.logs, { recursive: true });
  await mkdir(p.data, { recursive: true });
  await mkdir(p.leases, { recursive: true });
  const tls = await generateTls(p.tls);
  await writeFile(
    p.properties,
    serverProperties({
      ports,
      dataDir: p.data,
      keystorePath: tls.keystorePath,
      keystorePassword: tls.keystorePassword,
      caPath: tls.caPath,
      users: TEST_USERS,
    }),
  );
  await writeFile(p.log4j, log4jConfig(join(p.logs, 'server.log'), distribution.log4j2));

  const clusterId = randomBytes(16).toString('base64url');
  await runTool(
    javaCommand(),
    [
      ...jvmArgs({ ...settings, heap: '256m' }, distribution, runDir),
      'kafka.tools.StorageTool',
      'format',
      // `=` form: a base64url id may start with "-", which would read as an option.
      `--cluster-id=${clusterId}`,
      `--config=${p.properties}`,
      ...scramFormatArgs(TEST_USERS),
    ],
    { timeoutMs: 120_000, what: `formatting KRaft storage for Kafka ${kafkaVersion}` },
  );

  const out = openSync(join(p.logs, 'stdout.log'), 'a');
  const child = spawn(
    javaCommand(),
    [...jvmArgs(settings, distribution, runDir), 'kafka.Kafka', p.properties],
    {
      detached: true,
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) {
    throw new BrokerError(
      brokerErrorCodes.startFailed,
      `Could not spawn ${javaCommand()} for the Kafka broker`,
    );
  }
  child.unref();
  const state: BrokerState = {
    pid,
    kafkaVersion,
    ports,
    owner,
    startedAt: new Date().toISOString(),
    propertiesPath: p.properties,
  };
  await writeJsonAtomically(p.state, state);
  log(`Kafka ${kafkaVersion} starting (pid ${pid}), logs in ${p.logs}`);

  const connection = connectionFor(kafkaVersion, ports, await readTls(p.tls), p.logs);
  const deadline = Date.now() + settings.startTimeoutMs;
  let failures: string[] = ['not probed yet'];
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) {
      await rm(p.state, { force: true });
      throw new BrokerError(
        brokerErrorCodes.startFailed,
        `Kafka ${kafkaVersion} exited during start-up.\n${await logTail(runDir)}`,
      );
    }
    failures = await probeAllListeners(connection);
    if (failures.length === 0) break;
    await sleep(500);
  }
  if (failures.length > 0) {
    await terminate(pid, log).catch(() => undefined);
    await rm(p.state, { force: true });
    throw new BrokerError(
      brokerErrorCodes.startFailed,
      `Kafka ${kafkaVersion} did not answer metadata requests within ${settings.startTimeoutMs} ms:\n${failures.join('\n')}\n${await logTail(runDir)}`,
    );
  }
  await writeJsonAtomically(p.connection, connection);
  log(`Kafka ${kafkaVersion} ready: PLAINTEXT ${connection.plaintext.brokers[0]}`);
  return { connection, state, startedNow: true };
}

async function startLocked(settings: BrokerSettings, owner: BrokerOwner, log: Log): Promise<StartedBroker> {
  const p = paths(settings.runDir);
  const live = await findLiveBroker(settings);
  if (live !== undefined) {
    if (settings.versionExplicit && live.kafkaVersion !== settings.kafkaVersion) {
      throw new BrokerError(
        brokerErrorCodes.versionMismatch,
        `A Kafka ${live.kafkaVersion} broker already runs on port ${live.ports.plaintext} but KAFKA_VERSION=${settings.kafkaVersion}. Stop it with "pnpm broker stop", or pick other ports with SOURCE_KAFKA_BROKER_PORT.`,
      );
    }
    const connection = JSON.parse(
      await readFile(p.connection, 'utf8').catch(() => 'null'),
    ) as BrokerConnection | null;
    if (connection !== null && (await probeListener(connection, 'plaintext')) === undefined) {
      // A broker started by an older testkit wrote no controller address; its state has the port.
      const controller = { brokers: [`127.0.0.1:${live.ports.controller}`] };
      return { connection: { ...connection, controller }, state: live, startedNow: false };
    }
    log(`Broker pid ${live.pid} is alive but does not answer; restarting it`);
    await terminate(live.pid, log);
  }
  return launch(settings, owner, log);
}

export interface StartOptions {
  readonly settings?: BrokerSettings;
  readonly owner: BrokerOwner;
  readonly log?: Log;
  /** Registers this process as a user of the broker, so a test-run broker outlives it while others use it. */
  readonly leaseHolder?: number;
}

/** Starts the broker, or reuses the live one this script started earlier. Safe to call concurrently. */
export async function startBroker(options: StartOptions): Promise<StartedBroker> {
  const settings = options.settings ?? brokerSettingsFrom(process.env);
  const log = options.log ?? ((line: string) => console.error(line));
  await mkdir(join(settings.runDir, '..'), { recursive: true });
  return withFileLock(paths(settings.runDir).lock, LOCK_TIMEOUT_MS, async () => {
    const started = await startLocked(settings, options.owner, log);
    if (options.leaseHolder !== undefined) {
      await mkdir(paths(settings.runDir).leases, { recursive: true });
      await writeFile(
        join(paths(settings.runDir).leases, String(options.leaseHolder)),
        started.state.startedAt,
      );
    }
    return started;
  });
}

async function stopLocked(settings: BrokerSettings, log: Log): Promise<boolean> {
  const p = paths(settings.runDir);
  const live = await findLiveBroker(settings);
  await rm(p.connection, { force: true });
  if (live === undefined) {
    await rm(p.state, { force: true });
    return false;
  }
  log(`Stopping Kafka ${live.kafkaVersion} (pid ${live.pid})`);
  await terminate(live.pid, log);
  await rm(p.state, { force: true });
  await rm(p.leases, { recursive: true, force: true });
  return true;
}

/** Stops the broker of these settings, whoever started it. Resolves false when none was running. */
export async function stopBroker(
  settings = brokerSettingsFrom(process.env),
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

/**
 * Drops this process's lease. A broker a test run started stops once no live lease remains; one a person
 * started with `pnpm broker start` is never stopped here.
 */
export async function releaseBroker(
  holder: number,
  settings = brokerSettingsFrom(process.env),
  log: Log = console.error,
): Promise<'stopped' | 'left-running'> {
  return withFileLock(paths(settings.runDir).lock, LOCK_TIMEOUT_MS, async () => {
    const p = paths(settings.runDir);
    await rm(join(p.leases, String(holder)), { force: true });
    const state = await readState(settings.runDir);
    if (state === undefined || state.owner !== 'test-run') return 'left-running';
    const others = (await liveLeaseHolders(p.leases)).filter((pid) => pid !== holder);
    if (others.length > 0) {
      log(`Leaving the broker running for ${others.length} other test run(s)`);
      return 'left-running';
    }
    await stopLocked(settings, log);
    return 'stopped';
  });
}

export type BrokerStatus =
  | { readonly running: false; readonly runDir: string }
  | {
      readonly running: true;
      readonly runDir: string;
      readonly state: BrokerState;
      readonly answering: boolean;
      readonly leaseHolders: readonly number[];
    };

export async function brokerStatus(settings = brokerSettingsFrom(process.env)): Promise<BrokerStatus> {
  const live = await findLiveBroker(settings);
  if (live === undefined) return { running: false, runDir: settings.runDir };
  const p = paths(settings.runDir);
  const connection = JSON.parse(
    await readFile(p.connection, 'utf8').catch(() => 'null'),
  ) as BrokerConnection | null;
  const answering = connection !== null && (await probeListener(connection, 'plaintext')) === undefined;
  return {
    running: true,
    runDir: settings.runDir,
    state: live,
    answering,
    leaseHolders: await liveLeaseHolders(p.leases),
  };
}

/**
 * Stops a broker that a test run started and no live test run uses any more (e.g. after vitest was killed
 * before its teardown). Brokers started by a person are left alone.
 */
export async function stopOrphanedBroker(
  settings = brokerSettingsFrom(process.env),
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
