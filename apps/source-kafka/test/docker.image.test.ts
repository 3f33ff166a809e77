// The built image, run as Airbyte runs it, against the real broker on the host network. scripts/image-test
// builds the image from apps/source-kafka/Dockerfile, starts its own dockerd and sets the variables below.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrokerConnection } from '@source-kafka/testkit';
import { createTopic, produceMessages } from '@source-kafka/testkit';
import { assertAirbyteMessages, validateConnectorSpecification } from '@source-kafka/testkit/airbyte-schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  catalogFor,
  type Message,
  ofType,
  plaintextConfig,
  recordsOf,
  runCli,
  stateInput,
  statesOf,
  streamStatuses,
} from './cli.js';

const image = process.env.SOURCE_KAFKA_IMAGE;
if (image === undefined || image === '') {
  throw new Error(
    'SOURCE_KAFKA_IMAGE is not set: run `bash scripts/image-test`, which builds the image first',
  );
}
const dockerCli = process.env.SOURCE_KAFKA_DOCKER ?? 'docker';
const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const version = (JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { version: string })
  .version;

const conn: BrokerConnection = inject('broker');

interface DockerResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function docker(args: readonly string[]): Promise<DockerResult> {
  const child = spawn(dockerCli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (exitCode) => done({ exitCode, stdout, stderr }));
  });
}

const workDirs: string[] = [];

/**
 * Writes the JSON inputs to a folder the image's user can read, mounts it read-only at /inputs and returns
 * the `docker run` arguments before the image and the command's file flags.
 */
function inputs(files: Record<string, unknown>): { mount: string[]; flags: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'source-kafka-image-'));
  workDirs.push(dir);
  chmodSync(dir, 0o755);
  const flags: string[] = [];
  for (const [name, value] of Object.entries(files)) {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(value), { mode: 0o644 });
    flags.push(`--${name}`, `/inputs/${name}.json`);
  }
  return { mount: ['--volume', `${dir}:/inputs:ro`], flags };
}

type Via = 'ENTRYPOINT' | '$AIRBYTE_ENTRYPOINT';

/** Runs one connector command in a fresh container, on the host network, the way `via` names. */
async function runImage(
  via: Via,
  command: string,
  files: Record<string, unknown> = {},
): Promise<DockerResult & { messages: Message[] }> {
  const { mount, flags } = inputs(files);
  const base = ['run', '--rm', '--network', 'host', ...mount];
  const args =
    via === 'ENTRYPOINT'
      ? [...base, image as string, command, ...flags]
      : // As Airbyte's platform does: the command line starts with the image's AIRBYTE_ENTRYPOINT variable.
        [
          ...base,
          '--entrypoint',
          'sh',
          image as string,
          '-c',
          '$AIRBYTE_ENTRYPOINT "$@"',
          'sh',
          command,
          ...flags,
        ];
  const result = await docker(args);
  const messages = assertAirbyteMessages(result.stdout.split('\n')) as Message[];
  return { ...result, messages };
}

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe(`the image ${image}`, () => {
  it('runs the connector as uid 1000 through the ENTRYPOINT, with AIRBYTE_ENTRYPOINT and its labels', async () => {
    const inspect = await docker(['image', 'inspect', image]);
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    const [config] = (JSON.parse(inspect.stdout) as Array<{ Config: Record<string, unknown> }>).map(
      (i) => i.Config,
    );
    expect(config?.User).toBe('1000:1000');
    expect(config?.Entrypoint).toEqual(['source-kafka']);
    expect(config?.Env).toContain('AIRBYTE_ENTRYPOINT=source-kafka');
    expect(config?.Labels).toMatchObject({
      'io.airbyte.name': 'airbyte/source-kafka-ts',
      'io.airbyte.version': version,
    });

    const who = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      image,
      '-c',
      'id -u; id -g; readlink -f "$(command -v "$AIRBYTE_ENTRYPOINT")"',
    ]);
    expect(who.exitCode, who.stderr).toBe(0);
    expect(who.stdout.trim().split('\n').slice(0, 3)).toEqual([
      '1000',
      '1000',
      '/airbyte/integration_code/dist/main.js',
    ]);
  });

  it('prints the same spec as the source build, through both entrypoints', async () => {
    const fromSource = ofType(assertMessages((await runCli('spec')).messages), 'SPEC');
    for (const via of ['ENTRYPOINT', '$AIRBYTE_ENTRYPOINT'] as const) {
      const run = await runImage(via, 'spec');
      expect(run.exitCode, `${via}: ${run.stderr}`).toBe(0);
      const specs = ofType(run.messages, 'SPEC');
      expect(specs, via).toHaveLength(1);
      expect(validateConnectorSpecification(specs[0])).toEqual([]);
      expect(specs[0], via).toEqual(fromSource[0]);
    }
  });

  describe('against the broker', () => {
    let topic: string;
    const values = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ id: from + i, note: `image-${from + i}` }));
    // Beyond 2^53: the image's Node writes it with JSON.rawJSON.
    const big = '1152921504606846977';
    const text = (value: { id: number; note: string }) =>
      `${JSON.stringify(value).slice(0, -1)},"big":${big}}`;
    const withoutBig = (value: unknown) => {
      const { big: _, ...rest } = value as Record<string, unknown>;
      return rest;
    };

    beforeAll(async () => {
      topic = await createTopic(conn, { prefix: 'app-image', partitions: 2 });
      await produceMessages(
        conn,
        topic,
        values(0, 6).map((value) => ({
          key: `k${value.id}`,
          value: text(value),
          partition: value.id % 2,
        })),
      );
    });

    it('check succeeds on a good config and fails naming the field on a bad one', async () => {
      const good = await runImage('ENTRYPOINT', 'check', { config: plaintextConfig(conn, topic) });
      expect(good.exitCode, good.stderr).toBe(0);
      expect(ofType(good.messages, 'CONNECTION_STATUS')).toEqual([{ status: 'SUCCEEDED' }]);

      const { bootstrap_servers: _, ...missing } = plaintextConfig(conn, topic);
      const bad = await runImage('$AIRBYTE_ENTRYPOINT', 'check', { config: missing });
      const [status] = ofType<{ status: string; message: string }>(bad.messages, 'CONNECTION_STATUS');
      expect(status?.status).toBe('FAILED');
      expect(status?.message).toContain('bootstrap_servers');
    });

    it('discover lists the topic as an incremental stream', async () => {
      const run = await runImage('$AIRBYTE_ENTRYPOINT', 'discover', { config: plaintextConfig(conn, topic) });
      expect(run.exitCode, run.stderr).toBe(0);
      const [catalog] = ofType<{ streams: Array<Record<string, unknown>> }>(run.messages, 'CATALOG');
      const stream = catalog?.streams.find((s) => s.name === topic);
      expect(stream?.supported_sync_modes).toEqual(expect.arrayContaining(['full_refresh', 'incremental']));
      expect(stream?.json_schema).toMatchObject({ type: 'object' });
    });

    it('reads every message, then only the new ones from the state it wrote', async () => {
      const config = plaintextConfig(conn, topic);
      const catalog = catalogFor({ [topic]: 'incremental' });
      const first = await runImage('ENTRYPOINT', 'read', { config, catalog });
      expect(first.exitCode, first.stderr).toBe(0);
      expect(streamStatuses(first.messages)).toContain(`${topic}:COMPLETE`);
      expect(
        recordsOf(first.messages)
          .map((r) => withoutBig(r.data.value))
          .sort((a, b) => (a as { id: number }).id - (b as { id: number }).id),
      ).toEqual(values(0, 6));
      expect(statesOf(first.messages).length).toBeGreaterThan(0);
      expect(first.stdout.split(`"big":${big}}`).length - 1).toBe(6);

      await produceMessages(
        conn,
        topic,
        values(6, 3).map((value) => ({
          key: `k${value.id}`,
          value: text(value),
          partition: value.id % 2,
        })),
      );
      const second = await runImage('$AIRBYTE_ENTRYPOINT', 'read', {
        config,
        catalog,
        state: stateInput(first.messages),
      });
      expect(second.exitCode, second.stderr).toBe(0);
      expect(
        recordsOf(second.messages)
          .map((r) => withoutBig(r.data.value))
          .sort((a, b) => (a as { id: number }).id - (b as { id: number }).id),
      ).toEqual(values(6, 3));
    });
  });
});

function assertMessages(messages: Message[]): Message[] {
  expect(messages.length).toBeGreaterThan(0);
  return messages;
}
