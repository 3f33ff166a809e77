import { AirbyteProtocolError } from './errors.js';
import { FAILURE_TYPES, type FailureType } from './messages.js';

/** errno codes of a network that is down or slow: worth a retry, not a config fix. */
export const TRANSIENT_ERRNO_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const MAX_CAUSE_DEPTH = 8;

/**
 * Classifies an error for a TRACE ERROR, looking through its `cause` chain:
 * 1. this package's own errors (AirbyteProtocolError) carry their failure type;
 * 2. otherwise any error marked `retriable: true` (kafkajs style) or with a network errno is transient;
 * 3. otherwise it is a system error.
 * A connector knows its own errors and its libraries': it maps them in `Connector.classifyError`, which the
 * runner asks first. Nothing here reads a `failureType` property by duck typing.
 */
export function classifyError(error: unknown): FailureType {
  const chain = causeChain(error);
  for (const link of chain) {
    if (link instanceof AirbyteProtocolError) return link.failureType;
  }
  for (const link of chain) {
    const { retriable, code } = link as { retriable?: unknown; code?: unknown };
    if (retriable === true) return 'transient_error';
    if (typeof code === 'string' && TRANSIENT_ERRNO_CODES.has(code)) return 'transient_error';
  }
  return 'system_error';
}

export function isFailureType(value: unknown): value is FailureType {
  return typeof value === 'string' && (FAILURE_TYPES as readonly string[]).includes(value);
}

/** The error and its causes, outermost first; objects only, cycles cut. */
export function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && chain.length < MAX_CAUSE_DEPTH) {
    if (chain.includes(current)) break;
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

const MAX_SENTENCE = 300;

/** The user-facing sentence: the error's first message line, bounded; never a stack. */
export function userMessage(error: unknown, failureType: FailureType): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const firstLine = raw.split('\n', 1)[0]?.trim() ?? '';
  if (firstLine === '') {
    return failureType === 'config_error'
      ? 'The connector configuration is invalid.'
      : failureType === 'transient_error'
        ? 'A temporary error occurred; the sync can be retried.'
        : 'The connector failed with an unexpected error.';
  }
  return firstLine.length > MAX_SENTENCE ? `${firstLine.slice(0, MAX_SENTENCE - 1)}…` : firstLine;
}

/** `Name: message` for the error and each cause, one per line. */
export function internalMessage(error: unknown): string {
  return (
    causeChain(error)
      .map((link, index) => `${index === 0 ? '' : 'caused by: '}${describe(link)}`)
      .join('\n') || String(error)
  );
}

/** Stacks of the error and its causes. */
export function stackTrace(error: unknown): string | undefined {
  const stacks = causeChain(error)
    .map((link) => (link instanceof Error ? link.stack : undefined))
    .filter((stack): stack is string => typeof stack === 'string');
  return stacks.length === 0 ? undefined : stacks.join('\ncaused by: ');
}

function describe(link: object): string {
  if (link instanceof Error) {
    const code = (link as { code?: unknown }).code;
    return `${link.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${link.message}`;
  }
  try {
    return JSON.stringify(link);
  } catch {
    return String(link);
  }
}
