import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BrokerError, brokerErrorCodes } from './errors.js';
import { withFileLock } from './lock.js';
import { runTool } from './process-util.js';
import { usesLog4j2 } from './settings.js';

export interface KafkaDistribution {
  readonly version: string;
  /** Folder holding every runtime jar of the broker. */
  readonly libDir: string;
  readonly log4j2: boolean;
}

interface MavenCoordinate {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

/**
 * The broker jar plus the logging binding the official tarball ships: the Maven pom of kafka_2.13 leaves the
 * binding out, and without one the broker logs nothing. Kafka 4 moved the command-line tools (the console
 * producer that tests use as a Java producer) out of kafka_2.13 into kafka-tools, which the tarball also ships.
 */
export function brokerArtifacts(kafkaVersion: string): MavenCoordinate[] {
  const broker = { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: kafkaVersion };
  if (usesLog4j2(kafkaVersion)) {
    return [
      broker,
      { groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version: kafkaVersion },
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: '2.24.3' },
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: '2.24.3' },
    ];
  }
  return [broker, { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' }];
}

export function classpathPom(kafkaVersion: string): string {
  const dependencies = brokerArtifacts(kafkaVersion)
    .map(
      (a) =>
        `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId><version>${a.version}</version></dependency>`,
    )
    .join('\n');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.source-kafka</groupId>
  <artifactId>kafka-broker-classpath</artifactId>
  <version>${kafkaVersion}</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}

/**
 * Resolves the official broker jars with Maven into `<cacheDir>/kafka-<version>/libs`, once per version.
 * A marker file written last makes a half-finished download count as missing.
 */
export async function ensureKafkaJars(
  kafkaVersion: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<KafkaDistribution> {
  const versionDir = join(cacheDir, `kafka-${kafkaVersion}`);
  const libDir = join(versionDir, 'libs');
  const marker = join(versionDir, '.complete');
  const distribution = { version: kafkaVersion, libDir, log4j2: usesLog4j2(kafkaVersion) };
  // The marker holds the pom it was resolved from, so a cache made for another artifact list is resolved again.
  const pom = classpathPom(kafkaVersion);
  const isComplete = () => existsSync(marker) && readFileSync(marker, 'utf8') === pom;
  if (isComplete()) return distribution;
  await mkdir(versionDir, { recursive: true });
  return withFileLock(join(versionDir, '.lock'), 15 * 60_000, async () => {
    if (isComplete()) return distribution;
    log(`Resolving Kafka ${kafkaVersion} jars with mvn into ${libDir}`);
    const staging = join(versionDir, 'libs.partial');
    await rm(staging, { recursive: true, force: true });
    await writeFile(join(versionDir, 'pom.xml'), pom);
    try {
      await runTool(
        'mvn',
        [
          '-q',
          '-B',
          '-f',
          join(versionDir, 'pom.xml'),
          'dependency:copy-dependencies',
          `-DoutputDirectory=${staging}`,
          '-DincludeScope=runtime',
        ],
        { timeoutMs: 15 * 60_000, what: `resolving Kafka ${kafkaVersion} jars` },
      );
    } catch (error) {
      throw new BrokerError(
        brokerErrorCodes.jarsUnavailable,
        `Could not resolve Kafka ${kafkaVersion} from Maven Central. Check the version exists and mvn can reach the repository.\n${(error as Error).message}`,
        { cause: error },
      );
    }
    const jars = (await readdir(staging)).filter((name) => name.endsWith('.jar'));
    if (!jars.includes(`kafka_2.13-${kafkaVersion}.jar`)) {
      throw new BrokerError(
        brokerErrorCodes.jarsUnavailable,
        `mvn finished but kafka_2.13-${kafkaVersion}.jar is not in ${staging}`,
      );
    }
    await rm(libDir, { recursive: true, force: true });
    await rename(staging, libDir);
    await writeFile(marker, pom);
    log(`Kafka ${kafkaVersion}: ${jars.length} jars cached`);
    return distribution;
  });
}
