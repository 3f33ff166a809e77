import { createKafka, LISTENER_NAMES, type ListenerName } from './clients.js';
import type { BrokerConnection } from './connection.js';

/** Asks one listener for cluster metadata; resolves to an error message, or undefined when it answered. */
export async function probeListener(
  conn: BrokerConnection,
  listener: ListenerName,
): Promise<string | undefined> {
  const admin = createKafka(conn, listener, {
    clientId: 'testkit-probe',
    retries: 0,
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return `${listener}: metadata lists no broker yet`;
    return undefined;
  } catch (error) {
    return `${listener}: ${(error as Error).message}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Probes every listener; returns the failures (empty when the broker answers everywhere). */
export async function probeAllListeners(conn: BrokerConnection): Promise<string[]> {
  const results = await Promise.all(LISTENER_NAMES.map((listener) => probeListener(conn, listener)));
  return results.filter((message): message is string => message !== undefined);
}
