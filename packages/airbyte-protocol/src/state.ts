import { InvalidStateError } from './errors.js';
import type {
  AirbyteGlobalState,
  AirbyteStateBlob,
  AirbyteStateMessage,
  StreamDescriptor,
} from './messages.js';
import { withoutOptionalNulls } from './optional-nulls.js';
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
 * AirbyteStateMessage or a full `{type:'STATE', state}` envelope; a JSON-lines file arrives here as that
 * list), a single STATE message, or the legacy form (any other JSON object: the whole blob is the state).
 * Optional fields set to `null` count as absent, unknown fields are ignored, and `global_` (the Python
 * models' attribute name, which PyAirbyte writes) stands for `global`. Throws InvalidStateError naming the
 * entry.
 */
export function parseInputState(raw: unknown): InputState {
  let messages: AirbyteStateMessage[];
  let legacy: AirbyteStateBlob | undefined;
  if (raw === undefined || raw === null || (isObject(raw) && Object.keys(raw).length === 0)) {
    messages = [];
  } else if (Array.isArray(raw)) {
    messages = raw.map((entry, index) => toStateMessage(entry, `state[${index}]`));
  } else if (isObject(raw) && (isStateEnvelope(raw) || isTypedState(withGlobalAlias(raw)))) {
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
  if (isObject(entry) && isOtherAirbyteMessage(entry)) {
    throw new InvalidStateError(
      `Invalid state: ${where} is a ${String(entry.type)} message, not a STATE message; keep only the STATE lines of the read output.`,
    );
  }
  const unwrapped = isObject(entry) && isStateEnvelope(entry) ? entry.state : entry;
  if (!isObject(unwrapped)) {
    throw new InvalidStateError(`Invalid state: ${where} is not an object.`);
  }
  const message = withoutOptionalNulls(withGlobalAlias(unwrapped), 'AirbyteStateMessage');
  const validate = protocolValidator('AirbyteStateMessage');
  if (!validate(message)) {
    throw new InvalidStateError(`Invalid state: ${describeErrors(validate.errors, where).join('; ')}.`);
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

/** PyAirbyte writes the GLOBAL state under the Python attribute name `global_`; `global` wins if both are set. */
function withGlobalAlias(value: Record<string, unknown>): Record<string, unknown> {
  if (!('global_' in value)) return value;
  const { global_: alias, ...rest } = value;
  return (rest.global === undefined || rest.global === null) && alias !== null && alias !== undefined
    ? { ...rest, global: alias }
    : rest;
}

const OTHER_MESSAGE_TYPES = new Set([
  'RECORD',
  'LOG',
  'SPEC',
  'CONNECTION_STATUS',
  'CATALOG',
  'TRACE',
  'CONTROL',
]);

/** An AirbyteMessage envelope of another type, e.g. a whole `read` output given as the state file. */
function isOtherAirbyteMessage(value: Record<string, unknown>): boolean {
  return typeof value.type === 'string' && OTHER_MESSAGE_TYPES.has(value.type);
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
