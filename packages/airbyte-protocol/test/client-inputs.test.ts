// The --catalog and --state files exactly as Airbyte's Python clients write them (fixtures/clients/README.md).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { streamStateMessage } from '../src/builders.js';
import { parseConfiguredCatalog } from '../src/catalog.js';
import { InputFileError, InvalidStateError } from '../src/errors.js';
import { readJsonFile } from '../src/input-file.js';
import { parseInputState } from '../src/state.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/clients/${name}`, import.meta.url));
const partitions = { version: 1, partitions: { '0': '5', '1': '7' } };

async function stateFile(name: string) {
  return parseInputState(await readJsonFile('--state', fixture(name), { jsonLines: true }));
}

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'client-inputs-')), 'input.json');
  writeFileSync(path, text);
  return path;
}

describe('state files written by Airbyte clients', () => {
  it('reads the state PyAirbyte saved from our own STATE line, with its nulls', async () => {
    const state = await stateFile('pyairbyte-stream-state.json');
    expect(state.streamState({ name: 'orders' })).toEqual(partitions);
    expect(state.streamState({ name: 'payments', namespace: 'kafka' })).toEqual(partitions);
    expect(state.streamState({ name: 'payments' })).toBeUndefined();
    // null optional fields are gone, the set ones kept: nothing reaches the connector as null.
    expect(state.messages[0]).toEqual({
      type: 'STREAM',
      stream: { stream_descriptor: { name: 'orders' }, stream_state: partitions },
      sourceStats: { recordCount: 3 },
    });
  });

  it("reads PyAirbyte's GLOBAL state, written under `global_`", async () => {
    const state = await stateFile('pyairbyte-global-state.json');
    expect(state.global?.shared_state).toEqual({ epoch: 1 });
    expect(state.streamState({ name: 'orders' })).toEqual(partitions);
  });

  it("reads the CDK entrypoint's list of inner state messages", async () => {
    const state = await stateFile('cdk-entrypoint-state.json');
    expect(state.messages).toHaveLength(1);
    expect(state.streamState({ name: 'orders' })).toEqual(partitions);
  });

  it('reads one PyAirbyte state message given alone, not in a list', async () => {
    const [first] = (await readJsonFile('--state', fixture('pyairbyte-global-state.json'))) as unknown[];
    const state = parseInputState(first);
    expect(state.legacy).toBeUndefined();
    expect(state.streamState({ name: 'orders' })).toEqual(partitions);
  });

  it('reads the STATE lines of a read output as JSON lines; the last state of a stream wins', async () => {
    const lines = [
      streamStateMessage({ name: 'orders' }, { version: 1, partitions: { '0': '1' } }, { recordCount: 1 }),
      streamStateMessage({ name: 'orders' }, partitions, { recordCount: 2 }),
      streamStateMessage({ name: 'payments', namespace: 'kafka' }, partitions),
    ]
      .map((message) => JSON.stringify(message))
      .join('\n');
    const state = parseInputState(
      await readJsonFile('--state', tempFile(`${lines}\n\n`), { jsonLines: true }),
    );
    expect(state.messages).toHaveLength(3);
    expect(state.streamState({ name: 'orders' })).toEqual(partitions);
    expect(state.streamState({ name: 'payments', namespace: 'kafka' })).toEqual(partitions);
  });

  it('names the RECORD line of a whole read output given as state', async () => {
    const lines = [
      '{"type":"RECORD","record":{"stream":"orders","data":{},"emitted_at":1}}',
      JSON.stringify(streamStateMessage({ name: 'orders' }, partitions)),
    ].join('\n');
    const raw = await readJsonFile('--state', tempFile(lines), { jsonLines: true });
    expect(() => parseInputState(raw)).toThrow(
      new InvalidStateError(
        'Invalid state: state[0] is a RECORD message, not a STATE message; keep only the STATE lines of the read output.',
      ),
    );
  });

  it('names the first line that is not JSON, and reads JSON lines only where asked', async () => {
    const path = tempFile('{"type":"STATE","state":{"type":"LEGACY","data":{}}}\n{oops\n');
    await expect(readJsonFile('--state', path, { jsonLines: true })).rejects.toThrow(
      new InputFileError(
        '--state',
        path,
        `The --state file '${path}' is neither valid JSON nor JSON lines (line 2 is not valid JSON).`,
      ),
    );
    await expect(readJsonFile('--config', path)).rejects.toThrow(
      `The --config file '${path}' is not valid JSON.`,
    );
  });

  it('still rejects a null where the protocol requires a value', () => {
    expect(() =>
      parseInputState([{ type: 'STREAM', stream: { stream_descriptor: null, stream_state: {} } }]),
    ).toThrow(new InvalidStateError('Invalid state: state[0].stream.stream_descriptor must be object.'));
  });

  it('keeps nulls inside the state blob: they belong to the connector', () => {
    const blob = { cursor: null, nested: { value: null } };
    const state = parseInputState([
      { type: 'STREAM', stream: { stream_descriptor: { name: 'a', namespace: null }, stream_state: blob } },
    ]);
    expect(state.streamState({ name: 'a' })).toEqual(blob);
  });
});

describe('configured catalogs written by Airbyte clients', () => {
  it.each(['pyairbyte-catalog.json', 'pydantic-catalog-with-nulls.json', 'cdk-standard-tests-catalog.json'])(
    'reads %s',
    async (name) => {
      const catalog = parseConfiguredCatalog(await readJsonFile('--catalog', fixture(name)));
      expect(catalog.streams).toHaveLength(1);
      const [configured] = catalog.streams;
      expect(configured).toEqual({
        stream: {
          name: 'orders',
          json_schema: { type: 'object', properties: { _offset: { type: 'integer' } } },
          supported_sync_modes: ['full_refresh', 'incremental'],
        },
        sync_mode: 'incremental',
        destination_sync_mode: 'append',
      });
    },
  );

  it('keeps unknown fields and nulls inside a stream schema', () => {
    const json_schema = { type: 'object', properties: { a: { type: ['null', 'string'], default: null } } };
    const catalog = parseConfiguredCatalog({
      streams: [
        {
          stream: {
            name: 'a',
            json_schema,
            supported_sync_modes: ['full_refresh'],
            namespace: null,
            x_new: 1,
          },
          sync_mode: 'full_refresh',
          destination_sync_mode: 'append',
          cursor_field: null,
          x_future_field: { anything: true },
        },
      ],
    });
    expect(catalog.streams[0]?.stream.json_schema).toEqual(json_schema);
    expect(catalog.streams[0]?.stream.namespace).toBeUndefined();
    expect(catalog.streams[0]?.cursor_field).toBeUndefined();
  });

  it('still rejects a null required field, naming it', () => {
    expect(() =>
      parseConfiguredCatalog({
        streams: [{ stream: null, sync_mode: 'full_refresh', destination_sync_mode: 'append' }],
      }),
    ).toThrow('Invalid configured catalog: catalog.streams[0].stream must be object.');
  });
});
