// A sync whose brokers stop sending before the snapshotted end, on the real broker and the real read path,
// without stopping the shared broker: retention deletes every record right after the read snapshotted its end,
// so the read's consumer gets nothing more (what a frozen broker looks like to it). The SIGSTOP case is the
// fault suite's, with a broker of its own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runConnector } from '@source-kafka/airbyte-protocol';
import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages, withAdmin } from '@source-kafka/testkit';
import { assertAirbyteMessages } from '@source-kafka/testkit/airbyte-schema';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createSourceKafkaConnector } from '../src/connector.js';
import { createKafkaPort } from '../src/kafka-port.js';
import { catalogFor, type Message, plaintextConfig } from './cli.js';

const conn: BrokerConnection = inject('broker');
const dir = mkdtempSync(join(tmpdir(), 'source-kafka-stall-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `read` in this process, as main.ts does but without exiting, and returns its exit code and output. */
async function read(topic: string): Promise<{ code: number; messages: Message[] }> {
  const files = { config: plaintextConfig(conn, topic), catalog: catalogFor({ [topic]: 'incremental' }) };
  const argv = ['read'];
  for (const [name, value] of Object.entries(files)) {
    const path = join(dir, `${topic}-${name}.json`);
    writeFileSync(path, JSON.stringify(value));
    argv.push(`--${name}`, path);
  }
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const connector = createSourceKafkaConnector({
    createKafkaPort: (config, deps) => {
      const port = createKafkaPort(config, deps, { stallTimeoutMs: 2_000 });
      return {
        ...port,
        async openRead(starts) {
          const session = await port.openRead(starts);
          // The end offsets are snapshotted: from now on the brokers have nothing to send for this read.
          await withAdmin(conn, async (admin) => {
            await admin.fetchTopicMetadata({ topics: [topic] });
            await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '10' }] });
          });
          return session;
        },
      };
    },
  });
  const code = await runConnector(connector, { argv, output, manageProcess: false });
  // Every line must be a valid AirbyteMessage.
  const messages = assertAirbyteMessages(text.split('\n')) as Message[];
  return { code, messages };
}

describe('a sync whose brokers stop sending before the snapshotted end', () => {
  it('writes its state, reports the stream INCOMPLETE and fails with a transient_error that names the cause', async () => {
    const topic = await createTopic(conn, { prefix: 'app-stall', partitions: 1 });
    await produceMessages(
      conn,
      topic,
      Array.from({ length: 10 }, (_, i) => ({ value: JSON.stringify({ i }) })),
    );
    const { code, messages } = await read(topic);
    expect(code).toBe(1);
    const types = messages.map((m) => m.type);
    const errors = messages.flatMap((m) => {
      const trace = m.trace as
        | { type?: string; error?: { message: string; failure_type: string } }
        | undefined;
      return trace?.type === 'ERROR' && trace.error !== undefined ? [trace.error] : [];
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.failure_type).toBe('transient_error');
    expect(errors[0]?.message).toMatch(
      /^The Kafka brokers stopped sending records before the sync reached the end/,
    );
    expect(errors[0]?.message).toContain(`"${topic}"`);
    expect(errors[0]?.message).not.toMatch(/\n\s+at /);
    // Nothing was read, and the final STATE says so: the next sync starts where this one did.
    expect(types).not.toContain('RECORD');
    const states = messages.flatMap((m) =>
      m.type === 'STATE' ? [(m.state as { stream: { stream_state: unknown } }).stream.stream_state] : [],
    );
    expect(states.at(-1)).toEqual({
      version: 1,
      partitions: { '0': '0' },
      topic_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    const statuses = messages.flatMap((m) => {
      const trace = m.trace as { type?: string; stream_status?: { status: string } } | undefined;
      return trace?.type === 'STREAM_STATUS' && trace.stream_status !== undefined
        ? [trace.stream_status.status]
        : [];
    });
    expect(statuses).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    // The TRACE error comes after the last STATE and the statuses.
    expect(types.lastIndexOf('TRACE')).toBeGreaterThan(types.lastIndexOf('STATE'));
  });
});
