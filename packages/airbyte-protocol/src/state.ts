import { InvalidStateError } from './errors.js';
import type {
  AirbyteGlobalState,
  AirbyteStateBlob,
  AirbyteStateMessage,
  StreamDescriptor,
} from './messages.js';
import { describeErrors, protocolValidator } from './schema-validation.js';

/** The --state input, normalized. */
export interface InputState {
  /** Every STATE message given, in order (legacy input becomes one LEGACY message). */
  readonly messages: readonly AirbyteStateMessage[];
  /** The GLOBAL state, if one was given (the last one wins). */
  readonly global: AirbyteGlobalState | undefined;
  /** The legacy single-object state, if that form was given. */
  readonly legacy: AirbyteStateBlob | undefined;
  /** The per-stream state for a stream, from STREAM messages or from the GLOBAL state's stream_states. */
  streamState(descriptor: StreamDescriptor): AirbyteStateBlob | undefined;
}

export const EMPTY_INPUT_STATE: InputState = parseInputState(undefined);

/**
 * Accepts: nothing (no --state), an empty object, a list of STATE messages (each either an
 * AirbyteStateMessage or a full `{type:'STATE', state}` envelope), a single STATE message, or the legacy
 * form (any other JSON object: the whole blob is the state). Throws InvalidStateError naming the entry.
 */
export function parseInputState(raw: unknown): InputState {
  let messages: AirbyteStateMessage[];
  let legacy: AirbyteStateBlob | undefined;
  if (raw === undefined || raw === null || (isObject(raw) && Object.keys(raw).length === 0)) {
    messages = [];
  } else if (Array.isArray(raw)) {
    messages = raw.map((entry, index) => toStateMessage(entry, `state[${index}]`));
  } else if (isObject(raw) && (isStateEnvelope(raw) || isTypedState(raw))) {
    messages = [toStateMessage(raw, 'state')];
  } else if (isObject(raw)) {
    legacy = raw;
    messages = [{ type: 'LEGACY', data: raw }];
  } else {
    throw new InvalidStateError(
      `Invalid state: expected a list of STATE messages or a JSON object, got ${describeType(raw)}.`,
    );
  }

  const streams = new Map<string, AirbyteStateBlob | undefined>();
  let global: AirbyteGlobalState | undefined;
  for (const message of messages) {
    if (message.type === 'STREAM' && message.stream) {
      streams.set(descriptorKey(message.stream.stream_descriptor), message.stream.stream_state);
    } else if (message.type === 'GLOBAL' && message.global) {
      global = message.global;
    } else if (message.type === 'LEGACY' && message.data && legacy === undefined) {
      legacy = message.data;
    }
  }
  const globalStreams = new Map<string, AirbyteStateBlob | undefined>();
  for (const entry of global?.stream_states ?? []) {
    globalStreams.set(descriptorKey(entry.stream_descriptor), entry.stream_state);
  }
  return {
    messages,
    global,
    legacy,
    streamState(descriptor) {
      const key = descriptorKey(descriptor);
      return streams.get(key) ?? globalStreams.get(key);
    },
  };
}

function toStateMessage(entry: unknown, where: string): AirbyteStateMessage {
  const message = isObject(entry) && isStateEnvelope(entry) ? entry.state : entry;
  const validate = protocolValidator('AirbyteStateMessage');
  if (!isObject(message) || !validate(message)) {
    const problems = isObject(message)
      ? describeErrors(validate.errors, where)
      : [`${where} is not an object`];
    throw new InvalidStateError(`Invalid state: ${problems.join('; ')}.`);
  }
  const state = message as AirbyteStateMessage;
  if (state.type === 'STREAM' && state.stream === undefined) {
    throw new InvalidStateError(`Invalid state: ${where} has type STREAM but no 'stream' field.`);
  }
  if (state.type === 'GLOBAL' && state.global === undefined) {
    throw new InvalidStateError(`Invalid state: ${where} has type GLOBAL but no 'global' field.`);
  }
  if (state.type === undefined) return { ...state, type: 'LEGACY' };
  return state;
}

function isStateEnvelope(value: Record<string, unknown>): value is { type: 'STATE'; state: unknown } {
  return value.type === 'STATE' && 'state' in value;
}

function isTypedState(value: Record<string, unknown>): boolean {
  return (
    (value.type === 'STREAM' && isObject(value.stream)) ||
    (value.type === 'GLOBAL' && isObject(value.global)) ||
    (value.type === 'LEGACY' && isObject(value.data))
  );
}

function descriptorKey(descriptor: StreamDescriptor): string {
  return JSON.stringify([descriptor.namespace ?? null, descriptor.name]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
}
