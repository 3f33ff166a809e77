import { describe, expect, it } from 'vitest';
import { classifyError, internalMessage, stackTrace, userMessage } from './classify.js';
import { UsageError } from './errors.js';

/** A library error that carries a failure type of its own: only the connector's hook may read it. */
class ConfigError extends Error {
  readonly failureType = 'config_error';
}

describe('classifyError', () => {
  it.each([
    [
      'an error with a failureType property (not read by duck typing)',
      new ConfigError('bad topic'),
      'system_error',
    ],
    ['a UsageError', new UsageError('no command'), 'config_error'],
    [
      'a kafkajs-style retriable error',
      Object.assign(new Error('lost'), { retriable: true }),
      'transient_error',
    ],
    ['ECONNREFUSED', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'transient_error'],
    ['ETIMEDOUT', Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), 'transient_error'],
    ['a plain error', new Error('bug'), 'system_error'],
    ['a non-retriable kafkajs error', Object.assign(new Error('auth'), { retriable: false }), 'system_error'],
    ['a thrown string', 'oops', 'system_error'],
    [
      'a failureType property on a foreign error',
      Object.assign(new Error('x'), { failureType: 'transient_error' }),
      'system_error',
    ],
  ])('%s is %s', (_name, error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });

  it("looks through the cause chain, this package's own errors first", () => {
    const network = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    expect(classifyError(new Error('wrapped', { cause: network }))).toBe('transient_error');
    expect(classifyError(new Error('w', { cause: new UsageError('c', { cause: network }) }))).toBe(
      'config_error',
    );
  });

  it('survives a cause cycle', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = new Error('b', { cause: a });
    expect(classifyError(a)).toBe('system_error');
  });
});

describe('error texts', () => {
  it('gives the first line as the user message and a default for an empty one', () => {
    expect(userMessage(new Error('first line\nsecond line'), 'system_error')).toBe('first line');
    expect(userMessage(new Error(''), 'config_error')).toBe('The connector configuration is invalid.');
    expect(userMessage({}, 'transient_error')).toBe('A temporary error occurred; the sync can be retried.');
    expect(userMessage(new Error('x'.repeat(1000)), 'system_error')).toHaveLength(300);
  });

  it('lists the cause chain in the internal message and stacks in the stack trace', () => {
    const error = new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) });
    expect(internalMessage(error)).toBe('Error: outer\ncaused by: Error [ECONNRESET]: inner');
    expect(stackTrace(error)).toMatch(/^Error: outer\n\s+at [\s\S]*caused by: Error: inner\n\s+at /);
    expect(stackTrace('plain')).toBeUndefined();
  });
});
