// The real parts the suite runs against: the shared test broker and Apicurio (leased like a test run's, so
// neither is stopped under another user), and for the broker faults a broker of its own on other ports and
// in another folder, which the suite may kill, freeze and restart, stopped when the suite ends.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApicurioConnection,
  apicurioSettingsFrom,
  type BrokerConnection,
  type BrokerSettings,
  brokerSettingsFrom,
  releaseApicurio,
  releaseBroker,
  startApicurio,
  startBroker,
  stopBroker,
} from '@source-kafka/testkit';

export type Log = (line: string) => void;

export interface SharedServices {
  readonly broker: BrokerConnection;
  readonly registry: ApicurioConnection;
  release(): Promise<void>;
}

export async function leaseSharedServices(log: Log): Promise<SharedServices> {
  const settings = brokerSettingsFrom(process.env);
  const registrySettings = apicurioSettingsFrom(process.env);
  const quiet = (line: string) => log(`  [services] ${line}`);
  const [broker, registry] = await Promise.allSettled([
    startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.pid }),
    startApicurio({ settings: registrySettings, owner: 'test-run', log: quiet, leaseHolder: process.pid }),
  ]);
  const release = async () => {
    await Promise.allSettled([
      releaseBroker(process.pid, settings, quiet),
      releaseApicurio(process.pid, registrySettings, quiet),
    ]);
  };
  if (broker.status === 'rejected' || registry.status === 'rejected') {
    await release();
    throw broker.status === 'rejected' ? broker.reason : (registry as PromiseRejectedResult).reason;
  }
  return { broker: broker.value.connection, registry: registry.value.connection, release };
}

/** A broker only the suite uses: base port 29192 unless FAULTS_BROKER_PORT says otherwise. */
export function faultBrokerSettings(): BrokerSettings {
  const port = process.env.FAULTS_BROKER_PORT ?? '29192';
  return brokerSettingsFrom({
    ...process.env,
    SOURCE_KAFKA_BROKER_PORT: port,
    SOURCE_KAFKA_BROKER_DIR: join(mkdtempSync(join(tmpdir(), 'source-kafka-faults-broker-')), 'run'),
  });
}

export async function startFaultBroker(settings: BrokerSettings, log: Log): Promise<BrokerConnection> {
  const started = await startBroker({
    settings,
    owner: 'cli',
    log: (line) => log(`  [fault broker] ${line}`),
  });
  return started.connection;
}

export async function stopFaultBroker(settings: BrokerSettings, log: Log): Promise<void> {
  await stopBroker(settings, (line) => log(`  [fault broker] ${line}`)).catch(() => undefined);
}
