import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerError, brokerErrorCodes } from './errors.js';

/** Default Kafka version: the newest 3.9 release, the line most Airbyte users still run. */
export const DEFAULT_KAFKA_VERSION = '3.9.1';
/** The Kafka 4 release the test suite also proves, next to the default. */
export const KAFKA_4_VERSION = '4.1.1';
export const DEFAULT_PORT_BASE = 19092;

export interface BrokerPorts {
  readonly plaintext: number;
  readonly saslPlaintext: number;
  readonly ssl: number;
  readonly mtls: number;
  readonly saslSsl: number;
  readonly controller: number;
  readonly mskIam: number;
}

export interface BrokerSettings {
  readonly kafkaVersion: string;
  /** True when the version came from KAFKA_VERSION rather than the default. */
  readonly versionExplicit: boolean;
  readonly ports: BrokerPorts;
  /** Holds state, connection file, TLS material, data and logs of one broker. */
  readonly runDir: string;
  /** Holds the resolved jars, one folder per Kafka version. */
  readonly cacheDir: string;
  readonly heap: string;
  readonly startTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Listeners sit on consecutive ports from one base, so one variable moves them all. */
export function portsFrom(base: number): BrokerPorts {
  return {
    plaintext: base,
    saslPlaintext: base + 1,
    ssl: base + 2,
    mtls: base + 3,
    saslSsl: base + 4,
    controller: base + 5,
    mskIam: base + 6,
  };
}

function parseIntSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BrokerError(
      brokerErrorCodes.invalidSetting,
      `${name} must be an integer between ${min} and ${max}, got "${raw}"`,
    );
  }
  return value;
}

/** Reads the broker settings from the environment. Pure: pass `process.env` or a fake. */
export function brokerSettingsFrom(env: Env): BrokerSettings {
  const rawVersion = env.KAFKA_VERSION;
  const versionExplicit = rawVersion !== undefined && rawVersion !== '';
  const kafkaVersion = versionExplicit ? rawVersion : DEFAULT_KAFKA_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(kafkaVersion)) {
    throw new BrokerError(
      brokerErrorCodes.invalidSetting,
      `KAFKA_VERSION must look like 3.9.1 or 4.1.1, got "${kafkaVersion}"`,
    );
  }
  const base = parseIntSetting(env, 'SOURCE_KAFKA_BROKER_PORT', DEFAULT_PORT_BASE, 1024, 65_529);
  const tmp = env.TMPDIR !== undefined && env.TMPDIR !== '' ? env.TMPDIR : tmpdir();
  const runDir =
    env.SOURCE_KAFKA_BROKER_DIR !== undefined && env.SOURCE_KAFKA_BROKER_DIR !== ''
      ? env.SOURCE_KAFKA_BROKER_DIR
      : join(tmp, `source-kafka-broker-${base}`);
  const cacheRoot =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ''
      ? env.XDG_CACHE_HOME
      : join(env.HOME ?? homedir(), '.cache');
  return {
    kafkaVersion,
    versionExplicit,
    ports: portsFrom(base),
    runDir,
    cacheDir: join(cacheRoot, 'source-kafka'),
    heap: env.SOURCE_KAFKA_BROKER_HEAP ?? '768m',
    startTimeoutMs: parseIntSetting(env, 'SOURCE_KAFKA_BROKER_START_TIMEOUT_MS', 180_000, 1_000, 3_600_000),
  };
}

/** Kafka 4 dropped reload4j for log4j2, which changes the logging jars and the config format. */
export function usesLog4j2(kafkaVersion: string): boolean {
  const major = Number(kafkaVersion.split('.')[0]);
  return major >= 4;
}
