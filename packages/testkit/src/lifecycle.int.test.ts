import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { brokerConfigHash, brokerStatus, releaseBroker, startBroker, stopBroker } from './broker.js';
import { consumeMessages } from './consume.js';
import { BrokerError } from './errors.js';
import { isAlive } from './process-util.js';
import { brokerSettingsFrom, DEFAULT_KAFKA_VERSION, KAFKA_4_VERSION } from './settings.js';
import { createTopic, produceMessages } from './topics.js';

// A private broker on its own ports, so the shared one other test runs use is never touched.
function privateSettings(base: number, heap = '384m', kafkaVersion?: string) {
  return brokerSettingsFrom({
    ...process.env,
    ...(kafkaVersion !== undefined ? { KAFKA_VERSION: kafkaVersion } : {}),
    SOURCE_KAFKA_BROKER_PORT: String(base),
    SOURCE_KAFKA_BROKER_DIR: join(tmpdir(), `source-kafka-lifecycle-${base}-${process.pid}`),
    SOURCE_KAFKA_BROKER_HEAP: heap,
  });
}

const quiet = () => undefined;
// Offsets from the configured base, so runs on different bases never collide on these ports either.
const base = brokerSettingsFrom(process.env).ports.plaintext;

describe('broker lifecycle', () => {
  const settings = privateSettings(base + 200);
  afterAll(async () => {
    await stopBroker(settings, quiet);
  });

  it('reuses a live broker and stops a test-run broker only when its last user releases it', async () => {
    const first = await startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.pid });
    expect(first.startedNow).toBe(true);
    expect(first.connection.plaintext.brokers).toEqual([`127.0.0.1:${base + 200}`]);

    // A second test run (the parent process stands in for it: any live pid holds a lease).
    const second = await startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.ppid });
    expect(second.startedNow).toBe(false);
    expect(second.state.pid).toBe(first.state.pid);

    expect(await releaseBroker(process.pid, settings, quiet)).toBe('left-running');
    const midway = await brokerStatus(settings);
    expect(midway.running && midway.answering).toBe(true);

    expect(await releaseBroker(process.ppid, settings, quiet)).toBe('stopped');
    // Seen once under heavy load: the pid still looked alive just after the stop returned.
    await expect.poll(() => isAlive(first.state.pid), { timeout: 10_000 }).toBe(false);
    expect((await brokerStatus(settings)).running).toBe(false);
  });

  it('keeps a broker started by a person running after test runs release it', async () => {
    const started = await startBroker({ settings, owner: 'cli', log: quiet });
    const reused = await startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.pid });
    expect(reused.state.pid).toBe(started.state.pid);
    expect(await releaseBroker(process.pid, settings, quiet)).toBe('left-running');
    expect(await isAlive(started.state.pid)).toBe(true);
    expect(await stopBroker(settings, quiet)).toBe(true);
    // Seen once under heavy load: the pid still looked alive just after the stop returned.
    await expect.poll(() => isAlive(started.state.pid), { timeout: 10_000 }).toBe(false);
  });

  it('restarts a broker of another configuration only once no other test run uses it, keeping its owner', async () => {
    const started = await startBroker({ settings, owner: 'cli', log: quiet });
    // Another test run (the parent process stands in for it) takes a lease.
    await startBroker({ settings, owner: 'test-run', log: quiet, leaseHolder: process.ppid });
    // What a broker an older testkit started looks like: no configuration hash in its state.
    const statePath = join(settings.runDir, 'state.json');
    const { configHash, ...older } = JSON.parse(await readFile(statePath, 'utf8')) as Record<string, unknown>;
    expect(configHash).toBe(brokerConfigHash(settings.ports));
    await writeFile(statePath, JSON.stringify(older));

    const refused = await startBroker({
      settings,
      owner: 'test-run',
      log: quiet,
      leaseHolder: process.pid,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BrokerError);
    expect((refused as BrokerError).code).toBe('BROKER_CONFIG_MISMATCH');
    expect((refused as BrokerError).message).toContain(`Test runs ${process.ppid} still use it`);
    expect(await isAlive(started.state.pid)).toBe(true);

    expect(await releaseBroker(process.ppid, settings, quiet)).toBe('left-running');
    const restarted = await startBroker({
      settings,
      owner: 'test-run',
      log: quiet,
      leaseHolder: process.pid,
    });
    expect(restarted.startedNow).toBe(true);
    expect(restarted.state.pid).not.toBe(started.state.pid);
    expect(restarted.state.owner).toBe('cli');
    expect(restarted.state.configHash).toBe(brokerConfigHash(settings.ports));
    expect(restarted.connection.mskIam.brokers).toEqual([`127.0.0.1:${settings.ports.mskIam}`]);
    await expect.poll(() => isAlive(started.state.pid), { timeout: 10_000 }).toBe(false);
    expect(await releaseBroker(process.pid, settings, quiet)).toBe('left-running');
    expect(await stopBroker(settings, quiet)).toBe(true);
  });

  it('refuses to start when a listener port is taken, naming the port', async () => {
    const blocked = privateSettings(base + 300);
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

  it('shows the log tail when the broker dies during start-up', async () => {
    // A heap too small for the JVM to boot: the broker exits at once, after storage was formatted.
    const doomed = privateSettings(base + 400, '1k');
    const failure = await startBroker({ settings: doomed, owner: 'test-run', log: quiet }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(BrokerError);
    expect((failure as BrokerError).code).toBe('BROKER_START_FAILED');
    expect((failure as BrokerError).message).toMatch(/exited during start-up[\s\S]*stdout\.log[\s\S]*heap/i);
    expect((await brokerStatus(doomed)).running).toBe(false);
  });

  it('runs the other supported major version too, end to end', async () => {
    const shared = inject('broker');
    // Whichever line the shared broker runs, prove the other one: 3.9 (reload4j) and 4.x (log4j2) differ.
    const otherVersion = shared.kafkaVersion.startsWith('3.') ? KAFKA_4_VERSION : DEFAULT_KAFKA_VERSION;
    const other = privateSettings(base + 500, '384m', otherVersion);
    try {
      const { connection } = await startBroker({ settings: other, owner: 'test-run', log: quiet });
      expect(connection.kafkaVersion).toBe(otherVersion);
      const topic = await createTopic(connection, { prefix: `kafka-${otherVersion}`, partitions: 2 });
      await produceMessages(connection, topic, [{ value: 'one' }, { value: 'two' }], { listener: 'saslSsl' });
      const read = await consumeMessages(connection, topic, 2, {
        listener: 'saslSsl',
        client: { mechanism: 'scram-sha-512' },
      });
      expect(read.map(({ message }) => message.value?.toString()).sort()).toEqual(['one', 'two']);
    } finally {
      await stopBroker(other, quiet);
    }
  });
});
