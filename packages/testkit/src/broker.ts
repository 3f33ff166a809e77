import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerConnection, TlsMaterial } from './connection.js';
import { ensureKafkaJars, type KafkaDistribution } from './distribution.js';
import { BrokerError, brokerErrorCodes } from './errors.js';
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
import { ensureMskIamValidator, mskIamValidatorClasses, mskIamValidatorSource } from './msk-iam-validator.js';
import { portInUse } from './port-in-use.js';
import { probeAllListeners, probeListener } from './probe.js';
import { runTool, tailOf } from './process-util.js';
import {
  log4jConfig,
  SASL_MECHANISMS,
  scramFormatArgs,
  serverProperties,
  TEST_MSK_IAM,
  TEST_USERS,
} from './server-config.js';
import { type BrokerPorts, type BrokerSettings, brokerSettingsFrom } from './settings.js';
import { generateTls } from './tls.js';

/** Who started the broker: a person (`pnpm broker start`) keeps it; a test run stops it when the last user leaves. */
export type BrokerOwner = ServiceOwner;

export interface BrokerState {
  readonly pid: number;
  readonly kafkaVersion: string;
  readonly ports: BrokerPorts;
  readonly owner: BrokerOwner;
  readonly startedAt: string;
  readonly propertiesPath: string;
  /**
   * What the broker was configured with (brokerConfigHash); a broker without it, or with another, predates a
   * listener or setting this testkit needs.
   */
  readonly configHash?: string;
}

/**
 * A digest of the broker's configuration as this testkit writes it (listeners, SASL settings, the MSK IAM
 * validator's source), without the per-start paths and passwords: a live broker whose digest differs was
 * started by an older or newer testkit and lacks something.
 */
export function brokerConfigHash(ports: BrokerPorts): string {
  const properties = serverProperties({
    ports,
    dataDir: '<data>',
    keystorePath: '<keystore>',
    keystorePassword: '<password>',
    caPath: '<ca>',
    users: TEST_USERS,
    mskIam: TEST_MSK_IAM,
  });
  return createHash('sha256').update(properties).update(mskIamValidatorSource()).digest('hex').slice(0, 16);
}

export type StartedBroker = StartedService<BrokerState, BrokerConnection>;

const STOP_GRACE_MS = 60_000;

function paths(runDir: string) {
  return {
    ...servicePaths(runDir),
    data: join(runDir, 'data'),
    tls: join(runDir, 'tls'),
    properties: join(runDir, 'server.properties'),
    log4j: join(runDir, 'log4j.properties'),
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
    mskIam: { brokers: at(ports.mskIam), tls, account: TEST_MSK_IAM },
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
    // The MSK IAM listener's validator, compiled by launch (ensureMskIamValidator) before the first start.
    `${distribution.libDir}/*:${mskIamValidatorClasses(distribution, settings.cacheDir)}`,
  ];
}

/** The broker of these settings, for the lifecycle it shares with the registry. */
function brokerService(settings: BrokerSettings): ManagedService<BrokerState, BrokerConnection> {
  const service: ManagedService<BrokerState, BrokerConnection> = {
    runDir: settings.runDir,
    noun: 'broker',
    stopGraceMs: STOP_GRACE_MS,
    // The pid in the state file is our broker only if it runs kafka.Kafka on this run folder's properties.
    isOwnCommandLine: (commandLine, state) =>
      commandLine.includes('kafka.Kafka') && commandLine.includes(state.propertiesPath),
    connectionOf: async (live) => {
      const connection = JSON.parse(
        await readFile(paths(settings.runDir).connection, 'utf8').catch(() => 'null'),
      ) as BrokerConnection | null;
      // A broker started by an older testkit wrote no controller address; its state has the port.
      if (connection === null || connection.controller !== undefined) return connection;
      return { ...connection, controller: { brokers: [`127.0.0.1:${live.ports.controller}`] } };
    },
    probe: (connection) => probeListener(connection, 'plaintext'),
    staleReason: (live) => {
      if (live.configHash === brokerConfigHash(settings.ports)) return undefined;
      return live.configHash === undefined
        ? 'it was started by a testkit that predates the configuration hash (no MSK IAM listener)'
        : 'it was started with another broker configuration (listeners or SASL settings)';
    },
    staleInUse: (message) => new BrokerError(brokerErrorCodes.configMismatch, message),
    checkReusable: (live) => {
      if (settings.versionExplicit && live.kafkaVersion !== settings.kafkaVersion) {
        throw new BrokerError(
          brokerErrorCodes.versionMismatch,
          `A Kafka ${live.kafkaVersion} broker already runs on port ${live.ports.plaintext} but KAFKA_VERSION=${settings.kafkaVersion}. Stop it with "pnpm broker stop", or pick other ports with SOURCE_KAFKA_BROKER_PORT.`,
        );
      }
    },
    launch: (owner, log) => launch(service, settings, owner, log),
    stopping: (live) => `Stopping Kafka ${live.kafkaVersion} (pid ${live.pid})`,
    stopFailed: (message) => new BrokerError(brokerErrorCodes.stopFailed, message),
  };
  return service;
}

/** Spawns the broker JVM on the run folder's properties (detached, logs appended) and returns its pid. */
function spawnKafka(settings: BrokerSettings, distribution: KafkaDistribution, runDir: string): number {
  const p = paths(runDir);
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
  return pid;
}

async function launch(
  service: ManagedService<BrokerState, BrokerConnection>,
  settings: BrokerSettings,
  owner: BrokerOwner,
  log: Log,
): Promise<StartedBroker> {
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
  await ensureMskIamValidator(distribution, settings.cacheDir, log);

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
      mskIam: TEST_MSK_IAM,
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

  const pid = spawnKafka(settings, distribution, runDir);
  const state: BrokerState = {
    pid,
    kafkaVersion,
    ports,
    owner,
    startedAt: new Date().toISOString(),
    propertiesPath: p.properties,
    configHash: brokerConfigHash(ports),
  };
  await writeJsonAtomically(p.state, state);
  log(`Kafka ${kafkaVersion} starting (pid ${pid}), logs in ${p.logs}`);

  const connection = connectionFor(kafkaVersion, ports, await readTls(p.tls), p.logs);
  await awaitListeners(settings, service, pid, connection, log, {
    pollMs: 500,
    exited: async () => `Kafka ${kafkaVersion} exited during start-up.\n${await logTail(runDir)}`,
    silent: async (failures) =>
      `Kafka ${kafkaVersion} did not answer metadata requests within ${settings.startTimeoutMs} ms:\n${failures}\n${await logTail(runDir)}`,
  });
  await writeJsonAtomically(p.connection, connection);
  log(`Kafka ${kafkaVersion} ready: PLAINTEXT ${connection.plaintext.brokers[0]}`);
  return { connection, state, startedNow: true };
}

/** Waits until every listener of a starting broker answers, or fails with what the broker did instead. */
async function awaitListeners(
  settings: BrokerSettings,
  service: ReturnType<typeof brokerService>,
  pid: number,
  connection: BrokerConnection,
  log: Log,
  messages: {
    readonly pollMs: number;
    readonly exited: () => Promise<string>;
    readonly silent: (failures: string) => Promise<string>;
  },
): Promise<void> {
  await awaitReady(
    service,
    pid,
    {
      deadline: Date.now() + settings.startTimeoutMs,
      pollMs: messages.pollMs,
      probe: async () => {
        const failures = await probeAllListeners(connection);
        return failures.length === 0 ? undefined : failures.join('\n');
      },
      failure: async (exited, failures) =>
        new BrokerError(
          brokerErrorCodes.startFailed,
          exited ? await messages.exited() : await messages.silent(failures),
        ),
    },
    log,
  );
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
  return startService(brokerService(settings), options.owner, log, options.leaseHolder);
}

/** Stops the broker of these settings, whoever started it. Resolves false when none was running. */
export async function stopBroker(
  settings = brokerSettingsFrom(process.env),
  log: Log = console.error,
): Promise<boolean> {
  return stopService(brokerService(settings), log);
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
  return releaseService(brokerService(settings), holder, log);
}

export type BrokerStatus = ServiceStatus<BrokerState>;

export async function brokerStatus(settings = brokerSettingsFrom(process.env)): Promise<BrokerStatus> {
  return serviceStatus(brokerService(settings));
}

/**
 * Stops a broker that a test run started and no live test run uses any more (e.g. after vitest was killed
 * before its teardown). Brokers started by a person are left alone.
 */
export async function stopOrphanedBroker(
  settings = brokerSettingsFrom(process.env),
  log: Log = console.error,
): Promise<boolean> {
  return stopOrphanedService(brokerService(settings), log);
}

/**
 * Starts the broker of these settings again on the data it has, after it died or was killed (the fault
 * suite's broker restarts): unlike a start, nothing in its run folder is wiped, so its topics survive.
 */
export async function restartBroker(
  settings = brokerSettingsFrom(process.env),
  log: Log = console.error,
): Promise<BrokerConnection> {
  const p = paths(settings.runDir);
  const previous = JSON.parse(await readFile(p.state, 'utf8')) as BrokerState;
  const connection = JSON.parse(await readFile(p.connection, 'utf8')) as BrokerConnection;
  const distribution = await ensureKafkaJars(previous.kafkaVersion, settings.cacheDir, log);
  const pid = spawnKafka(settings, distribution, settings.runDir);
  await writeJsonAtomically(p.state, { ...previous, pid, startedAt: new Date().toISOString() });
  await awaitListeners(settings, brokerService(settings), pid, connection, log, {
    pollMs: 250,
    exited: async () => `Kafka exited while restarting.\n${await logTail(settings.runDir)}`,
    silent: async (failures) =>
      `Kafka did not answer within ${settings.startTimeoutMs} ms of a restart:\n${failures}`,
  });
  log(`Kafka restarted (pid ${pid}) on its data in ${p.data}`);
  return connection;
}
