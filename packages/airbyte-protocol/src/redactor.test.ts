import { describe, expect, it } from 'vitest';
import { errorTraceMessage, logMessage, recordMessage } from './builders.js';
import {
  REDACTED,
  redactorForConfig,
  SecretRedactor,
  secretPathsFromSpec,
  secretValuesAt,
} from './redactor.js';

const spec = {
  type: 'object',
  properties: {
    bootstrap_servers: { type: 'string' },
    password: { type: 'string', airbyte_secret: true },
    protocol: {
      oneOf: [
        {
          type: 'object',
          properties: {
            mechanism: { const: 'PLAIN' },
            sasl_password: { type: 'string', airbyte_secret: true },
          },
        },
        {
          type: 'object',
          properties: {
            oauth: { type: 'object', properties: { token: { type: 'string', airbyte_secret: true } } },
          },
        },
      ],
    },
    registries: {
      type: 'array',
      items: { type: 'object', properties: { api_secret: { type: 'string', airbyte_secret: true } } },
    },
    key_file: { type: 'object', airbyte_secret: true },
  },
};

describe('secret redaction', () => {
  it('finds airbyte_secret fields through nested objects, oneOf branches and arrays', () => {
    expect(secretPathsFromSpec(spec)).toEqual([
      ['password'],
      ['protocol', 'sasl_password'],
      ['protocol', 'oauth', 'token'],
      ['registries', '*', 'api_secret'],
      ['key_file'],
    ]);
  });

  it('collects the values present in the config, including every string leaf of an object secret', () => {
    const config = {
      bootstrap_servers: 'broker:9092',
      password: 'p1',
      protocol: { mechanism: 'PLAIN', sasl_password: 'p2' },
      registries: [{ api_secret: 'p3' }, { api_secret: 'p4' }, {}],
      key_file: { private_key: 'p5', port: 443 },
    };
    expect(secretValuesAt(config, secretPathsFromSpec(spec)).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('masks raw, JSON-escaped and URL-encoded forms, longest first', () => {
    const redactor = new SecretRedactor(['ab"c/d', 'ab']);
    expect(redactor.redact('x ab"c/d y')).toBe(`x ${REDACTED} y`);
    expect(redactor.redact(JSON.stringify({ p: 'ab"c/d' }))).toBe(`{"p":"${REDACTED}"}`);
    expect(redactor.redact('sasl://user:ab%22c%2Fd@host')).toBe(`sasl://user:${REDACTED}@host`);
    expect(redactor.redact('ab and abc')).toBe(`${REDACTED} and ${REDACTED}c`);
  });

  it('masks a secret of a megabyte (a pasted key file), too large for one regular expression', () => {
    const key = `-----BEGIN PRIVATE KEY-----${'k'.repeat(1_048_576)}`;
    const redactor = new SecretRedactor([key, 'short']);
    expect(redactor.isEmpty).toBe(false);
    expect(redactor.redact(`a ${key} b short c`)).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(redactor.redactMessage(logMessage('WARN', `key ${key}`))).toEqual(
      logMessage('WARN', `key ${REDACTED}`),
    );
  });

  it('treats regular expression characters in a secret literally', () => {
    expect(new SecretRedactor(['a.b*']).redact('a.b* axbb')).toBe(`${REDACTED} axbb`);
  });

  it('masks log text and every text field of an error trace, but leaves records alone', () => {
    const redactor = redactorForConfig(spec, { password: 's3cret!' });
    expect(redactor.redactMessage(logMessage('INFO', 'using s3cret!', 'at s3cret!'))).toEqual(
      logMessage('INFO', `using ${REDACTED}`, `at ${REDACTED}`),
    );
    const trace = errorTraceMessage(
      {
        message: 'bad s3cret!',
        failureType: 'config_error',
        internalMessage: 'E: s3cret!',
        stackTrace: 's3cret! at x',
      },
      1,
    );
    expect(JSON.stringify(redactor.redactMessage(trace))).not.toContain('s3cret!');
    const record = recordMessage('s', { value: 's3cret!' }, 1);
    expect(redactor.redactMessage(record)).toBe(record);
  });

  it('does nothing without secrets', () => {
    const redactor = redactorForConfig(spec, { bootstrap_servers: 'b' });
    expect(redactor.isEmpty).toBe(true);
    expect(redactor.redact('b')).toBe('b');
  });
});
