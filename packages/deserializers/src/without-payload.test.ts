import { describe, expect, it } from 'vitest';
import { context } from '../test/helpers.js';
import { createDeserializer } from './create-deserializer.js';
import { DeserializationError, withoutPayload } from './errors.js';

const SECRET = 'SSN 123-45-6789';
const bytes = (text: string) => new TextEncoder().encode(text);

function rejection(run: () => unknown): DeserializationError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeserializationError) return error;
    throw error;
  }
  throw new Error('expected a DeserializationError');
}

/** Every text an error carries into logs: its message and its causes' messages and stacks. */
function printed(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(current.message, current.stack ?? '');
    current = current.cause;
  }
  return parts.join('\n');
}

describe('withoutPayload', () => {
  it("drops the text V8's JSON.parse quotes from the input", () => {
    const payload = bytes(`${SECRET} and more`);
    const text = (() => {
      try {
        JSON.parse(`${SECRET} and more`);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(text).toContain('SSN 123-45');
    const safe = withoutPayload(text, payload);
    expect(safe).not.toContain('SSN');
    expect(safe).toMatch(/withheld/);
  });

  it('withholds a text that quotes the payload without quote marks', () => {
    expect(withoutPayload(`bad value SSN 123-45-6789 here`, bytes(SECRET))).not.toContain('SSN');
  });

  it('keeps a reason that holds nothing of the payload', () => {
    expect(withoutPayload('invalid wire type 7 at offset 3', bytes(SECRET))).toBe(
      'invalid wire type 7 at offset 3',
    );
  });
});

describe('decode errors never carry the payload', () => {
  it.each([
    ['JSON', SECRET],
    ['JSON', `${SECRET} and more text after it`],
    ['JSON', `{"ssn": "${SECRET}", oops}`],
    ['JSON', `"${SECRET}`],
    ['JSON', `{"k": 1} ${SECRET}`],
  ] as const)('%s: %s', (format, text) => {
    const deserialize = createDeserializer({
      format,
      validateJsonSchema: false,
      subjectNameStrategy: 'TopicNameStrategy',
    });
    const error = rejection(() => deserialize(bytes(text), context));
    expect(error.message).toMatch(/invalid JSON/);
    expect(printed(error)).not.toMatch(/SSN|123-45|6789/);
  });

  it('STRING: invalid UTF-8 after a secret names the byte, not the text', () => {
    const deserialize = createDeserializer({
      format: 'STRING',
      validateJsonSchema: false,
      subjectNameStrategy: 'TopicNameStrategy',
    });
    const payload = new Uint8Array([...bytes(SECRET), 0xff, 0xfe]);
    const error = rejection(() => deserialize(payload, context));
    expect(error.message).toMatch(/invalid UTF-8 at or after byte 15/);
    expect(printed(error)).not.toMatch(/SSN|123-45|6789/);
  });
});
