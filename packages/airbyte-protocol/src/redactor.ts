import type { AirbyteMessage } from './messages.js';

/** Path of a secret inside the config: property names, with '*' standing for any array index. */
export type SecretPath = readonly string[];

export const REDACTED = '**********';

/**
 * Paths of every property marked `airbyte_secret: true` in a connector's JSON Schema, looking through
 * nested objects, arrays and oneOf/anyOf/allOf branches. Branches share a path: the config holds only the
 * chosen branch's properties, at the same place.
 */
export function secretPathsFromSpec(connectionSpecification: unknown): SecretPath[] {
  const found = new Map<string, SecretPath>();
  const visit = (schema: unknown, path: string[], depth: number): void => {
    if (!isObject(schema) || depth > 32) return;
    if (schema.airbyte_secret === true && path.length > 0) found.set(JSON.stringify(path), [...path]);
    if (isObject(schema.properties)) {
      for (const [name, child] of Object.entries(schema.properties)) visit(child, [...path, name], depth + 1);
    }
    if (schema.items !== undefined) {
      const items = Array.isArray(schema.items) ? schema.items : [schema.items];
      for (const item of items) visit(item, [...path, '*'], depth + 1);
    }
    for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
      const branches = schema[keyword];
      if (Array.isArray(branches)) for (const branch of branches) visit(branch, path, depth + 1);
    }
  };
  visit(connectionSpecification, [], 0);
  return [...found.values()];
}

/** The string (or number) values found at the given paths of a config object. */
export function secretValuesAt(config: unknown, paths: readonly SecretPath[]): string[] {
  const values: string[] = [];
  const collect = (node: unknown, path: SecretPath, index: number): void => {
    if (index === path.length) {
      if (typeof node === 'string' || typeof node === 'number') values.push(String(node));
      // A secret given as an object or array (e.g. a JSON key file): every leaf is secret.
      else if (node !== null && typeof node === 'object') for (const leaf of leaves(node)) values.push(leaf);
      return;
    }
    const key = path[index]!;
    if (key === '*') {
      if (Array.isArray(node)) for (const item of node) collect(item, path, index + 1);
    } else if (isObject(node) && Object.hasOwn(node, key)) {
      collect(node[key], path, index + 1);
    }
  };
  for (const path of paths) collect(config, path, 0);
  return values;
}

/**
 * Masks known secret values in text. Each secret is also matched in the forms it takes once embedded
 * elsewhere: JSON-escaped (a config dumped into a message) and URL-encoded (a connection string).
 */
export class SecretRedactor {
  readonly #pattern: RegExp | undefined;
  /** The variants, longest first, when they are too large for one RegExp (a pasted megabyte key file). */
  readonly #plain: readonly string[] | undefined;

  constructor(secrets: Iterable<string>) {
    const variants = new Set<string>();
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      variants.add(secret);
      variants.add(JSON.stringify(secret).slice(1, -1));
      variants.add(encodeURIComponent(secret));
    }
    // Longest first, so a secret that contains another is masked whole.
    const sorted = [...variants].sort((a, b) => b.length - a.length);
    let pattern: RegExp | undefined;
    try {
      pattern = sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
      // V8 compiles on first use: a test here makes a pattern it refuses fail now, not in the middle of a write.
      pattern?.test('');
      if (pattern !== undefined) pattern.lastIndex = 0;
    } catch {
      // V8 refuses a regular expression of about a megabyte ("too large"); plain replacement has no such limit.
      pattern = undefined;
    }
    this.#pattern = pattern;
    this.#plain = pattern === undefined && sorted.length > 0 ? sorted : undefined;
  }

  get isEmpty(): boolean {
    return this.#pattern === undefined && this.#plain === undefined;
  }

  redact(text: string): string {
    if (this.#plain !== undefined) {
      let out = text;
      for (const secret of this.#plain) out = out.replaceAll(secret, REDACTED);
      return out;
    }
    if (this.#pattern === undefined) return text;
    try {
      return text.replace(this.#pattern, REDACTED);
    } catch {
      // Withheld whole rather than leaked, and never thrown: a throw here would drop the message itself.
      return REDACTED;
    }
  }

  /** Masks the free-text fields of LOG, TRACE ERROR and CONNECTION_STATUS messages; others pass unchanged. */
  redactMessage(message: AirbyteMessage): AirbyteMessage {
    if (this.isEmpty) return message;
    switch (message.type) {
      case 'LOG': {
        const log = { ...message.log, message: this.redact(message.log.message) };
        if (message.log.stack_trace !== undefined) log.stack_trace = this.redact(message.log.stack_trace);
        return { type: 'LOG', log };
      }
      case 'TRACE': {
        const trace = message.trace;
        if (trace.type !== 'ERROR') return message;
        const error = { ...trace.error, message: this.redact(trace.error.message) };
        if (error.internal_message !== undefined)
          error.internal_message = this.redact(error.internal_message);
        if (error.stack_trace !== undefined) error.stack_trace = this.redact(error.stack_trace);
        return { type: 'TRACE', trace: { ...trace, error } };
      }
      case 'CONNECTION_STATUS': {
        const status = message.connectionStatus;
        if (status.message === undefined) return message;
        return {
          type: 'CONNECTION_STATUS',
          connectionStatus: { ...status, message: this.redact(status.message) },
        };
      }
      default:
        return message;
    }
  }
}

/** A redactor for a config, from its spec's `airbyte_secret` fields plus any extra values. */
export function redactorForConfig(
  connectionSpecification: unknown,
  rawConfig: unknown,
  extraSecrets: readonly string[] = [],
): SecretRedactor {
  const paths = secretPathsFromSpec(connectionSpecification);
  return new SecretRedactor([...secretValuesAt(rawConfig, paths), ...extraSecrets]);
}

function leaves(node: object): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    // Only strings: numbers and booleans in a key file (ports, flags) would mask every matching digit.
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (const item of value) walk(item);
    else if (isObject(value)) for (const item of Object.values(value)) walk(item);
  };
  walk(node);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
