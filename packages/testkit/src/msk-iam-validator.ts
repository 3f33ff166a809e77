import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KafkaDistribution } from './distribution.js';
import { withFileLock } from './lock.js';
import { runTool } from './process-util.js';

/**
 * The broker-side OAUTHBEARER validator of the MSK IAM listener (java/.../MskIamTokenValidator.java), compiled
 * with javac against the broker's own jars, once per source and Kafka version, into the jar cache.
 */
export const MSK_IAM_VALIDATOR_CLASS = 'sourcekafka.testkit.MskIamTokenValidator';

const SOURCE_PATH = fileURLToPath(
  new URL('../java/sourcekafka/testkit/MskIamTokenValidator.java', import.meta.url),
);

export function mskIamValidatorSource(): string {
  return readFileSync(SOURCE_PATH, 'utf8');
}

/** javac of JAVA_HOME, else the one on PATH: the broker's `java` comes from the same place. */
function javacCommand(): string {
  const home = process.env.JAVA_HOME;
  if (home !== undefined && home !== '' && existsSync(join(home, 'bin', 'javac'))) {
    return join(home, 'bin', 'javac');
  }
  return 'javac';
}

function validatorDir(distribution: KafkaDistribution, cacheDir: string): string {
  const key = createHash('sha256')
    .update(`${distribution.version}\n${mskIamValidatorSource()}`)
    .digest('hex')
    .slice(0, 16);
  return join(cacheDir, 'msk-iam-validator', key);
}

/**
 * Where the compiled validator classes of this source and Kafka version live, for the broker's classpath;
 * ensureMskIamValidator compiles them there.
 */
export function mskIamValidatorClasses(distribution: KafkaDistribution, cacheDir: string): string {
  return join(validatorDir(distribution, cacheDir), 'classes');
}

/** Compiles the validator into mskIamValidatorClasses unless it is there; resolves to that folder. */
export async function ensureMskIamValidator(
  distribution: KafkaDistribution,
  cacheDir: string,
  log: (line: string) => void,
): Promise<string> {
  const dir = validatorDir(distribution, cacheDir);
  const key = dir.slice(dir.lastIndexOf('/') + 1);
  const classes = mskIamValidatorClasses(distribution, cacheDir);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return classes;
  await mkdir(dir, { recursive: true });
  return withFileLock(join(dir, '.lock'), 5 * 60_000, async () => {
    if (existsSync(marker)) return classes;
    log(`Compiling the MSK IAM token validator for Kafka ${distribution.version} into ${classes}`);
    const staging = join(dir, 'classes.partial');
    await rm(staging, { recursive: true, force: true });
    // --release 17: the class must load on the oldest JVM the broker runs on.
    await runTool(
      javacCommand(),
      ['--release', '17', '-cp', `${distribution.libDir}/*`, '-d', staging, SOURCE_PATH],
      { timeoutMs: 120_000, what: 'compiling the MSK IAM token validator (a JDK is needed, not only a JRE)' },
    );
    await rm(classes, { recursive: true, force: true });
    await rename(staging, classes);
    await writeFile(marker, key);
    return classes;
  });
}
