import { describe, expect, it } from 'vitest';
import { InvalidStateError } from './errors.js';
import { parseInputState } from './state.js';

const streamState = (name: string, state: Record<string, unknown>, namespace?: string) => ({
  type: 'STREAM',
  stream: {
    stream_descriptor: namespace === undefined ? { name } : { name, namespace },
    stream_state: state,
  },
});

describe('parseInputState', () => {
  it('treats no input and an empty object as no state', () => {
    for (const raw of [undefined, null, {}]) {
      const state = parseInputState(raw);
      expect(state.messages).toEqual([]);
      expect(state.streamState({ name: 'a' })).toBeUndefined();
    }
  });

  it('reads the list of per-stream STATE messages, keyed by name and namespace', () => {
    const state = parseInputState([streamState('a', { o: 1 }), streamState('a', { o: 2 }, 'ns')]);
    expect(state.messages).toHaveLength(2);
    expect(state.streamState({ name: 'a' })).toEqual({ o: 1 });
    expect(state.streamState({ name: 'a', namespace: 'ns' })).toEqual({ o: 2 });
    expect(state.streamState({ name: 'b' })).toBeUndefined();
  });

  it('unwraps full {type: STATE, state} envelopes', () => {
    const state = parseInputState([{ type: 'STATE', state: streamState('a', { o: 3 }) }]);
    expect(state.streamState({ name: 'a' })).toEqual({ o: 3 });
  });

  it('reads a GLOBAL state with its per-stream states', () => {
    const global = {
      shared_state: { epoch: 2 },
      stream_states: [{ stream_descriptor: { name: 'a' }, stream_state: { o: 4 } }],
    };
    const state = parseInputState([{ type: 'GLOBAL', global }]);
    expect(state.global).toEqual(global);
    expect(state.streamState({ name: 'a' })).toEqual({ o: 4 });
  });

  it('accepts a single STATE message given as an object', () => {
    expect(parseInputState(streamState('a', { o: 5 })).streamState({ name: 'a' })).toEqual({ o: 5 });
  });

  it('keeps the legacy single-object form as one LEGACY message', () => {
    const legacy = { a: { o: 6 }, b: { o: 7 } };
    const state = parseInputState(legacy);
    expect(state.legacy).toEqual(legacy);
    expect(state.messages).toEqual([{ type: 'LEGACY', data: legacy }]);
  });

  it.each([
    ['a number', 42, 'Invalid state: expected a list of STATE messages or a JSON object, got number.'],
    ['a non-object entry', ['x'], 'Invalid state: state[0] is not an object.'],
    [
      'a stream entry without descriptor',
      [{ type: 'STREAM', stream: {} }],
      "Invalid state: state[0].stream: missing required field 'stream_descriptor'.",
    ],
    [
      'an unknown state type',
      [{ type: 'PER_TOPIC' }],
      'Invalid state: state[0].type must be one of "GLOBAL", "STREAM", "LEGACY".',
    ],
    [
      'STREAM without stream',
      [{ type: 'STREAM' }],
      "Invalid state: state[0] has type STREAM but no 'stream' field.",
    ],
  ])('rejects %s naming the entry', (_name, raw, message) => {
    expect(() => parseInputState(raw)).toThrow(new InvalidStateError(message));
    try {
      parseInputState(raw);
    } catch (error) {
      expect((error as InvalidStateError).failureType).toBe('config_error');
    }
  });
});
