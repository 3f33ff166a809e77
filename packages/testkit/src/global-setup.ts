import type { TestProject } from 'vitest/node';
import { connectionFilePath, releaseBroker, startBroker } from './broker.js';
import { brokerSettingsFrom } from './settings.js';

// vitest calls these by name (named exports are its documented alternative to a default export).

/**
 * Starts the test broker, or reuses a running one, and hands its connection to tests as `inject('broker')`.
 * Child processes find it through SOURCE_KAFKA_BROKER_CONNECTION.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const settings = brokerSettingsFrom(process.env);
  const log = (line: string) => console.error(`[testkit broker] ${line}`);
  const started = await startBroker({ settings, owner: 'test-run', log, leaseHolder: process.pid });
  if (!started.startedNow) {
    log(
      `Reusing Kafka ${started.state.kafkaVersion} (pid ${started.state.pid}, started by ${started.state.owner})`,
    );
  }
  process.env.SOURCE_KAFKA_BROKER_CONNECTION = connectionFilePath(process.env);
  project.provide('broker', started.connection);
  return async () => {
    await releaseBroker(process.pid, settings, log);
  };
}
