import type { TestProject } from 'vitest/node';
import { apicurioConnectionFilePath, releaseApicurio, startApicurio } from './apicurio.js';
import { apicurioSettingsFrom } from './apicurio-settings.js';
import { connectionFilePath, releaseBroker, startBroker } from './broker.js';
import { brokerSettingsFrom } from './settings.js';

// vitest calls these by name (named exports are its documented alternative to a default export).

/**
 * Starts the test broker and the test schema registry (Apicurio), or reuses running ones, and hands their
 * connections to tests as `inject('broker')` and `inject('registry')`. Child processes find them through
 * SOURCE_KAFKA_BROKER_CONNECTION and SOURCE_KAFKA_REGISTRY_CONNECTION.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const settings = brokerSettingsFrom(process.env);
  const registrySettings = apicurioSettingsFrom(process.env);
  const log = (line: string) => console.error(`[testkit broker] ${line}`);
  const registryLog = (line: string) => console.error(`[testkit registry] ${line}`);
  const release = async () => {
    await Promise.allSettled([
      releaseBroker(process.pid, settings, log),
      releaseApicurio(process.pid, registrySettings, registryLog),
    ]);
  };
  // Both JVMs start side by side: the registry's start-up hides behind the broker's.
  const [broker, registry] = await Promise.allSettled([
    startBroker({ settings, owner: 'test-run', log, leaseHolder: process.pid }),
    startApicurio({
      settings: registrySettings,
      owner: 'test-run',
      log: registryLog,
      leaseHolder: process.pid,
    }),
  ]);
  if (broker.status === 'rejected' || registry.status === 'rejected') {
    await release();
    throw broker.status === 'rejected' ? broker.reason : (registry as PromiseRejectedResult).reason;
  }
  if (!broker.value.startedNow) {
    const { state } = broker.value;
    log(`Reusing Kafka ${state.kafkaVersion} (pid ${state.pid}, started by ${state.owner})`);
  }
  if (!registry.value.startedNow) {
    const { state } = registry.value;
    registryLog(`Reusing Apicurio Registry ${state.version} (pid ${state.pid}, started by ${state.owner})`);
  }
  process.env.SOURCE_KAFKA_BROKER_CONNECTION = connectionFilePath(process.env);
  process.env.SOURCE_KAFKA_REGISTRY_CONNECTION = apicurioConnectionFilePath(process.env);
  project.provide('broker', broker.value.connection);
  project.provide('registry', registry.value.connection);
  return release;
}
