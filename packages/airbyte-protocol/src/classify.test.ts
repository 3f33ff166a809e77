import { describe, expect, it } from 'vitest';
import { classifyError, internalMessage, stackTrace, userMessage } from './classify.js';
import { UsageError } from './errors.js';

class ConfigError extends Error {
  readonly failureType = 'config_error';
}

describe('classifyError', () => {
  it.each([
    ['an error with failureType config_error', new ConfigError('bad topic'), 'config_error'],
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
      'an explicit transient_error',
      Object.assign(new Error('x'), { failureType: 'transient_error' }),
      'transient_error',
    ],
    ['an unknown failureType value', Object.assign(new Error('x'), { failureType: 'weird' }), 'system_error'],
  ])('%s is %s', (_name, error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });

  it('looks through the cause chain, an explicit failureType first', () => {
    const network = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    expect(classifyError(new Error('wrapped', { cause: network }))).toBe('transient_error');
    expect(classifyError(new Error('w', { cause: new ConfigError('c', { cause: network }) }))).toBe(
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
