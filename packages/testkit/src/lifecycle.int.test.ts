import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerStatus, releaseBroker, startBroker, stopBroker } from './broker.js';
import { BrokerError } from './errors.js';
import { isAlive } from './process-util.js';
import { brokerSettingsFrom } from './settings.js';

// A private broker on its own ports, so the shared one other test runs use is never touched.
function privateSettings(base: number) {
  return brokerSettingsFrom({
    ...process.env,
    SOURCE_KAFKA_BROKER_PORT: String(base),
    SOURCE_KAFKA_BROKER_DIR: join(tmpdir(), `source-kafka-lifecycle-${base}-${process.pid}`),
    SOURCE_KAFKA_BROKER_HEAP: '384m',
  });
}

const quiet = () => undefined;

describe('broker lifecycle', () => {
  const settings = privateSettings(19292);
  afterAll(async () => {
    await stopBroker(settings, quiet);
  });

  it('reuses a live broker and stops a test-run broker only when its last user releases it', async () => {
    const first = await startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.pid });
    expect(first.startedNow).toBe(true);
    expect(first.connection.plaintext.brokers).toEqual(['127.0.0.1:19292']);

    // A second test run (the parent process stands in for it: any live pid holds a lease).
    const second = await startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.ppid });
    expect(second.startedNow).toBe(false);
    expect(second.state.pid).toBe(first.state.pid);

    expect(await releaseBroker(process.pid, settings, quiet)).toBe('left-running');
    const midway = await brokerStatus(settings);
    expect(midway.running && midway.answering).toBe(true);

    expect(await releaseBroker(process.ppid, settings, quiet)).toBe('stopped');
    expect(await isAlive(first.state.pid)).toBe(false);
    expect((await brokerStatus(settings)).running).toBe(false);
  });

  it('keeps a broker started by a person running after test runs release it', async () => {
    const started = await startBroker({ settings, owner: 'cli', log: quiet });
    const reused = await startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.pid });
    expect(reused.state.pid).toBe(started.state.pid);
    expect(await releaseBroker(process.pid, settings, quiet)).toBe('left-running');
    expect(await isAlive(started.state.pid)).toBe(true);
    expect(await stopBroker(settings, quiet)).toBe(true);
    expect(await isAlive(started.state.pid)).toBe(false);
  });

  it('refuses to start when a listener port is taken, naming the port', async () => {
    const blocked = privateSettings(19392);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(blocked.ports.mtls, '127.0.0.1', resolve));
    try {
      const failure = await startBroker({ settings: blocked, owner: 'test-run', log: quiet }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(BrokerError);
      expect((failure as BrokerError).code).toBe('BROKER_PORT_IN_USE');
      expect((failure as BrokerError).message).toContain(`Port ${blocked.ports.mtls} (mtls listener)`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
