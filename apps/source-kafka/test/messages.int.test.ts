import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import { createTopic } from '@source-kafka/testkit';
import { describe, expect, inject, it } from 'vitest';
import { catalogFor, ofType, plaintextConfig, runCli, traceErrors } from './cli.js';

// Configs that reach the real broker or registry in a wrong way get a sentence that says what is wrong, and
// values outside the spec's bounds are refused by field, before any timer or request is built from them.

const conn: BrokerConnection = inject('broker');
const registry: ApicurioConnection = inject('registry');

const statusOf = async (config: Record<string, unknown>) => {
  const check = await runCli('check', { config });
  expect(check.exitCode).toBe(0);
  const [status] = ofType<{ status: string; message?: string }>(check.messages, 'CONNECTION_STATUS');
  expect(status?.status).toBe('FAILED');
  return status?.message ?? '';
};

describe('misleading failures get a clear message', () => {
  it('says a PLAINTEXT client pointed at the KRaft controller port found a controller, not a broker', async () => {
    const config = plaintextConfig(conn, 'any', { bootstrap_servers: conn.controller.brokers.join(',') });
    const message = await statusOf(config);
    expect(message).toMatch(/KRaft controller listener/);
    expect(message).toMatch(/Point bootstrap_servers at a broker listener/);
    expect(message).not.toMatch(/requested API version/);
  });

  it('says an https schema_registry.url reached a registry that speaks plain HTTP', async () => {
    const topic = await createTopic(conn, { prefix: 'app-msg-https', partitions: 1 });
    const url = registry.ccompatUrl.replace(/^http:/, 'https:');
    const config = plaintextConfig(conn, topic, {
      MessageFormat: { deserialization_type: 'AVRO' },
      schema_registry: { url },
    });
    const discover = await runCli('discover', { config });
    const read = await runCli('read', { config, catalog: catalogFor({ [topic]: 'full_refresh' }) });
    const texts = [
      ...traceErrors(discover.messages).map((e) => String(e.message)),
      ...traceErrors(read.messages).map((e) => String(e.message)),
    ];
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      expect(text).toMatch(/answered in plain HTTP, not TLS: schema_registry.url says https/);
      expect(text).not.toMatch(/SSL routines|wrong version number/i);
    }
  });

  it.each([
    ['127.0.0.1:9092 127.0.0.1:9093', 'separate brokers with commas'],
    ['127.0.0.1:9092;127.0.0.1:9093', 'separate brokers with commas'],
    ['[::1]', 'has no port; expected [address]:port, e.g. [::1]:9092'],
  ])('names the problem of bootstrap_servers %j', async (servers, expected) => {
    const message = await statusOf(plaintextConfig(conn, 'any', { bootstrap_servers: servers }));
    expect(message).toContain('bootstrap_servers');
    expect(message).toContain(expected);
    expect(message).not.toMatch(/IPv6/);
  });
});

describe('config values outside their bounds', () => {
  it.each([
    ['request_timeout_ms', 6_442_455_941, 'must be at most 3600000'],
    ['client_id', 'c'.repeat(40_000), 'must be at most 8191 characters long'],
  ])('%s is refused by name, without a timer or a request built from it', async (field, value, expected) => {
    const config = plaintextConfig(conn, 'any', { [field]: value });
    const check = await runCli('check', { config });
    expect(check.stderr).not.toMatch(/TimeoutOverflowWarning|RangeError/);
    const [status] = ofType<{ status: string; message?: string }>(check.messages, 'CONNECTION_STATUS');
    expect(status?.status).toBe('FAILED');
    expect(status?.message).toContain(`${field}: ${expected}`);

    const read = await runCli('read', { config, catalog: catalogFor({ any: 'full_refresh' }) });
    expect(read.exitCode).toBe(1);
    const [error] = traceErrors(read.messages);
    expect(error?.failure_type).toBe('config_error');
    expect(String(error?.message)).toContain(`${field}: ${expected}`);
  });
});
