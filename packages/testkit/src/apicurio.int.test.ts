import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { apicurioStatus, probeApicurio, releaseApicurio, startApicurio, stopApicurio } from './apicurio.js';
import { apicurioSettingsFrom } from './apicurio-settings.js';
import { isAlive } from './process-util.js';

const quiet = () => undefined;

describe('the registry the integration project shares', () => {
  it('answers on its Confluent-compatible API and stores what it is given', async () => {
    const registry = inject('registry');
    expect(registry.version).toBe('3.3.3');
    expect(registry.ccompatUrl).toBe(`${registry.url}/apis/ccompat/v7`);
    const subject = `testkit-smoke-${process.pid}-${Date.now()}-value`;
    const schema = JSON.stringify({ type: 'record', name: 'Smoke', fields: [{ name: 'a', type: 'long' }] });
    const registered = await fetch(`${registry.ccompatUrl}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema }),
    });
    expect(registered.status).toBe(200);
    const { id } = (await registered.json()) as { id: number };
    const fetched = (await (await fetch(`${registry.ccompatUrl}/schemas/ids/${id}`)).json()) as {
      schema: string;
    };
    expect(JSON.parse(fetched.schema)).toEqual(JSON.parse(schema));
  });
});

describe('registry lifecycle', () => {
  // A private registry on its own ports, so the shared one other test runs use is never touched.
  const port = apicurioSettingsFrom(process.env).port + 300;
  const settings = apicurioSettingsFrom({
    ...process.env,
    SOURCE_KAFKA_REGISTRY_PORT: String(port),
    SOURCE_KAFKA_REGISTRY_DIR: join(tmpdir(), `source-kafka-registry-lifecycle-${port}-${process.pid}`),
  });
  afterAll(async () => {
    await stopApicurio(settings, quiet);
  });

  it('reuses a live registry and stops a test-run registry only when its last user releases it', async () => {
    const first = await startApicurio({ settings, owner: 'test-run', log: quiet, leaseHolder: process.pid });
    expect(first.startedNow).toBe(true);
    expect(first.connection.url).toBe(`http://127.0.0.1:${port}`);
    expect(await probeApicurio(first.connection)).toBeUndefined();

    // A second test run (the parent process stands in for it: any live pid holds a lease).
    const second = await startApicurio({
      settings,
      owner: 'test-run',
      log: quiet,
      leaseHolder: process.ppid,
    });
    expect(second.startedNow).toBe(false);
    expect(second.state.pid).toBe(first.state.pid);

    expect(await releaseApicurio(process.pid, settings, quiet)).toBe('left-running');
    expect(await isAlive(first.state.pid)).toBe(true);
    expect(await releaseApicurio(process.ppid, settings, quiet)).toBe('stopped');
    // Seen once under heavy load: the pid still looked alive just after the stop returned.
    await expect.poll(() => isAlive(first.state.pid), { timeout: 10_000 }).toBe(false);
    expect((await apicurioStatus(settings)).running).toBe(false);
  });
});
