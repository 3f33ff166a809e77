import {
  type BrokerState,
  brokerStatus,
  connectionFilePath,
  releaseBroker,
  startBroker,
  stopBroker,
  stopOrphanedBroker,
} from './broker.js';
import { ensureKafkaJars } from './distribution.js';
import { BrokerError } from './errors.js';
import { ensureMskIamValidator } from './msk-iam-validator.js';
import { runServiceCli } from './service-cli.js';
import { brokerSettingsFrom } from './settings.js';

const USAGE = `Usage: pnpm broker <command>

Commands:
  start    start the local test broker (or reuse the running one); it keeps running until "stop"
  stop     stop it, whoever started it
  status   say whether it runs, its version, ports and folders
  gc       stop a broker a test run started and no running test run uses (after a killed run)
  fetch    only resolve the Kafka jars into the cache (and compile the MSK IAM token validator)
  env      print the path of the connection file (JSON with every listener, users and CA paths)
  lease <pid>    start or reuse the broker as a test run would, for the test process <pid> (prints the
                 connection file); it stops when the last test run using it releases it or exits
  release <pid>  drop the lease of <pid>, stopping a test-run broker nobody else uses

Environment:
  KAFKA_VERSION              Kafka version to run (default 3.9.1; 4.x such as 4.1.1 works too)
  SOURCE_KAFKA_BROKER_PORT   first of seven consecutive ports (default 19092)
  SOURCE_KAFKA_BROKER_DIR    run folder (default <tmp>/source-kafka-broker-<port>)
  XDG_CACHE_HOME             jar cache root (jars go to <root>/source-kafka)`;

/** A lease is keyed by a live pid, so a killed test process leaves nothing that `gc` cannot clean up. */
function leasePid(argument: string | undefined): number | undefined {
  const pid = Number(argument);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

runServiceCli<BrokerState>(process.argv, BrokerError, () => {
  const settings = brokerSettingsFrom(process.env);
  const log = (line: string) => console.error(line);
  return {
    usage: USAGE,
    noun: 'broker',
    stop: () => stopBroker(settings, log),
    status: () => brokerStatus(settings),
    describe: (status) => {
      const { state } = status;
      return [
        `Kafka ${state.kafkaVersion}, pid ${state.pid}, started ${state.startedAt} by ${state.owner}`,
        `  answering metadata: ${status.answering ? 'yes' : 'NO'}`,
        `  ports: ${Object.entries(state.ports)
          .map(([name, port]) => `${name}=${port}`)
          .join(' ')}`,
        `  test runs using it: ${status.leaseHolders.length}`,
        `  run folder: ${status.runDir}`,
      ];
    },
    stopOrphaned: () => stopOrphanedBroker(settings, log),
    connectionFilePath: () => connectionFilePath(process.env),
    commands: {
      start: async () => {
        const started = await startBroker({ settings, owner: 'cli', log });
        const { connection } = started;
        console.log(
          [
            `${started.startedNow ? 'Started' : 'Already running:'} Kafka ${connection.kafkaVersion} (pid ${started.state.pid})`,
            `  PLAINTEXT       ${connection.plaintext.brokers.join(',')}`,
            `  SASL_PLAINTEXT  ${connection.saslPlaintext.brokers.join(',')}  (${connection.saslPlaintext.mechanisms.join(', ')})`,
            `  SSL             ${connection.ssl.brokers.join(',')}`,
            `  SSL + mTLS      ${connection.mtls.brokers.join(',')}`,
            `  SASL_SSL        ${connection.saslSsl.brokers.join(',')}`,
            // Absent from the connection file of a broker an older testkit started.
            ...(connection.mskIam === undefined
              ? []
              : [
                  `  MSK IAM         ${connection.mskIam.brokers.join(',')}  (SASL_SSL, OAUTHBEARER with AWS-signed tokens for ${connection.mskIam.account.region})`,
                ]),
            `  CA              ${connection.ssl.tls.caPath}`,
            `  connection file ${connectionFilePath(process.env)}`,
            `  logs            ${connection.logDir}`,
          ].join('\n'),
        );
        return 0;
      },
      fetch: async () => {
        const distribution = await ensureKafkaJars(settings.kafkaVersion, settings.cacheDir, log);
        console.log(`Kafka ${distribution.version} jars in ${distribution.libDir}`);
        const validator = await ensureMskIamValidator(distribution, settings.cacheDir, log);
        console.log(`MSK IAM token validator in ${validator}`);
        return 0;
      },
      lease: async (argument) => {
        const pid = leasePid(argument);
        if (pid === undefined) {
          console.error('Usage: pnpm broker lease <pid of the test process>');
          return 2;
        }
        const started = await startBroker({ settings, owner: 'test-run', log, leaseHolder: pid });
        if (!started.startedNow) {
          log(
            `Reusing Kafka ${started.state.kafkaVersion} (pid ${started.state.pid}, started by ${started.state.owner})`,
          );
        }
        console.log(connectionFilePath(process.env));
        return 0;
      },
      release: async (argument) => {
        const pid = leasePid(argument);
        if (pid === undefined) {
          console.error('Usage: pnpm broker release <pid of the test process>');
          return 2;
        }
        console.log(await releaseBroker(pid, settings, log));
        return 0;
      },
    },
  };
});
