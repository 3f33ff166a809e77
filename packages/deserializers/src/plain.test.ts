import { describe, expect, it } from 'vitest';
import { airbyteValidator, context } from '../test/helpers.js';
import { createDeserializer } from './create-deserializer.js';
import { DeserializationError } from './errors.js';
import { streamSchemaFor } from './stream-schema.js';

const config = (format: 'JSON' | 'STRING' | 'BYTES') =>
  ({ format, subjectNameStrategy: 'TopicNameStrategy', validateJsonSchema: false }) as const;

describe('JSON, STRING and BYTES', () => {
  it('decodes UTF-8 JSON and tolerates a byte order mark', () => {
    const json = createDeserializer(config('JSON'));
    expect(json(Buffer.from('{"a":[1,"é"]}'), context)).toEqual({ a: [1, 'é'] });
    expect(json(Buffer.from('\uFEFF{"a":1}'), context)).toEqual({ a: 1 });
  });

  it('returns null for a tombstone in every format', () => {
    for (const format of ['JSON', 'STRING', 'BYTES'] as const)
      expect(createDeserializer(config(format))(null, context)).toBeNull();
  });

  it('reports invalid JSON with the record location', () => {
    const json = createDeserializer(config('JSON'));
    expect(() => json(Buffer.from('{"a":'), context)).toThrow(DeserializationError);
    expect(() => json(Buffer.from('{"a":'), context)).toThrow(
      /topic "fixtures" partition 0 offset 7 as JSON: invalid JSON/,
    );
  });

  it('never quotes the payload when reporting invalid JSON', () => {
    const json = createDeserializer(config('JSON'));
    const payloads = [
      '{"ssn": "123-45-6789", "name": tru}',
      'secret-word',
      '{"card":"4111111111111111"} x',
      'SSN 123-45-6789 belongs to Ada',
      '"open SSN 123-45-6789',
    ];
    for (const payload of payloads) {
      let error: unknown;
      try {
        json(Buffer.from(payload), context);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DeserializationError);
      const chain: string[] = [];
      for (let link: unknown = error; link instanceof Error; link = link.cause) chain.push(link.message);
      expect(chain.join('\n')).toMatch(/invalid JSON/);
      for (const piece of ['6789', 'tru}', 'secret-word', '4111', 'SSN', "'S'", "'s'", 'Ada'])
        expect(chain.join('\n')).not.toContain(piece);
    }
  });

  it('reports invalid UTF-8 instead of replacing it, naming the byte', () => {
    const string = createDeserializer(config('STRING'));
    expect(string(Buffer.from('ok ✓'), context)).toBe('ok ✓');
    let error: unknown;
    try {
      string(Buffer.from([0x61, 0x62, 0xc3, 0x28]), context);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'INVALID_UTF8',
      reason: 'invalid UTF-8 at or after byte 2',
      format: 'STRING',
    });
  });

  it('encodes BYTES as base64', () => {
    expect(createDeserializer(config('BYTES'))(Buffer.from([0, 255, 1]), context)).toBe('AP8B');
  });

  it('gives plain formats honest stream schemas that their values validate against', async () => {
    const cases = [
      ['JSON', Buffer.from('[1,{"b":null}]')],
      ['STRING', Buffer.from('text')],
      ['BYTES', Buffer.from([1, 2, 3, 4, 5])],
    ] as const;
    for (const [format, bytes] of cases) {
      const schema = await streamSchemaFor({ topic: 't', part: 'value', format: config(format) });
      const validate = airbyteValidator(schema);
      expect(validate(createDeserializer(config(format))(bytes, context))).toBe(true);
    }
  });
});
