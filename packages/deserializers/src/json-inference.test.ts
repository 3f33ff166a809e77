import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  inferJsonSchema,
  isRfc3339DateTime,
  mergeShapes,
  schemaOfShape,
  shapeOf,
  shapeOfValues,
} from './json-inference.js';
import { decodeJsonText } from './plain.js';
import type { JsonValue } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormatsModule.default(ajv);

function errorsOf(schema: object, value: unknown): string[] {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const dateTimes = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** JSON values with date-times mixed in, as a topic of events would hold. */
const values: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    dateTimes,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('id', 'at', 'name', 'n', 'tags', 'x'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('inferJsonSchema', () => {
  it('types a mixed, nested and nullable sample in Airbyte types', () => {
    const schema = inferJsonSchema([
      { id: 1, price: 2, at: '2026-11-30T12:00:00Z', tags: ['a'], user: { name: 'x', age: 3 } },
      { id: 2, price: 2.5, at: '2026-11-30T12:00:01.5+01:00', tags: [], user: { name: null }, note: 'n' },
      { id: 3, price: 4, at: '2026-11-30T12:00:02Z', tags: ['b', 1], user: null, flag: true },
    ]);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
        flag: { type: ['null', 'boolean'] },
        id: { type: 'integer' },
        note: { type: ['null', 'string'] },
        price: { type: 'number' },
        tags: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
        user: {
          type: ['null', 'object'],
          properties: { age: { type: ['null', 'integer'] }, name: { type: ['null', 'string'] } },
        },
      },
    });
  });

  it('lists properties sorted and never closes an object', () => {
    const schema = inferJsonSchema([{ b: 1, a: { d: 1, c: 2 } }]);
    expect(Object.keys(schema.properties as object)).toEqual(['a', 'b']);
    expect(JSON.stringify(schema)).not.toContain('additionalProperties');
  });

  it('keeps a string a plain string once one of its values is not a date-time', () => {
    expect(inferJsonSchema(['2026-11-30T12:00:00Z', 'tomorrow'])).toEqual({ type: 'string' });
  });

  it('types integers beyond 2^53, decoded as bigints, as integer', () => {
    const value = decodeJsonText('{"big": 123456789012345678901234567890, "small": 1}');
    expect(inferJsonSchema([value])).toEqual({
      type: 'object',
      properties: { big: { type: 'integer' }, small: { type: 'integer' } },
    });
  });

  it('leaves a sample of only nulls, or of nothing, as any JSON', () => {
    const anyJson = { type: ['object', 'array', 'string', 'number', 'boolean', 'null'] };
    expect(inferJsonSchema([])).toEqual(anyJson);
    expect(inferJsonSchema([null])).toEqual(anyJson);
    expect(inferJsonSchema([{ gone: null }])).toEqual({ type: 'object', properties: { gone: anyJson } });
  });

  it('types an object with more distinct names than the cap as any object', () => {
    const schema = inferJsonSchema([{ a: 1, b: 2 }, { c: 3 }], { maxProperties: 2 });
    expect(schema.type).toBe('object');
    expect(schema.properties).toBeUndefined();
    expect(errorsOf(schema, { z: 'anything' })).toEqual([]);
  });

  it('types values nested deeper than the cap as any JSON', () => {
    const schema = inferJsonSchema([{ a: { b: { c: 1 } } }], { maxDepth: 1 });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        a: {
          type: 'object',
          properties: { b: { type: ['object', 'array', 'string', 'number', 'boolean', 'null'] } },
        },
      },
    });
  });

  it('accepts every sampled value (property)', () => {
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 8 }), (sample) => {
        const schema = inferJsonSchema(sample);
        for (const value of sample) expect(errorsOf(schema, value)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same schema whatever the order of the sample (property)', () => {
    fc.assert(
      fc.property(
        fc
          .array(values, { maxLength: 8 })
          .chain((sample) =>
            fc.tuple(fc.constant(sample), fc.shuffledSubarray(sample, { minLength: sample.length })),
          ),
        ([sample, shuffled]) => {
          expect(JSON.stringify(inferJsonSchema(shuffled))).toBe(JSON.stringify(inferJsonSchema(sample)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merges shapes commutatively and associatively (property)', () => {
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const [x, y, z] = [shapeOf(a), shapeOf(b), shapeOf(c)];
        const canonical = (s: ReturnType<typeof shapeOf>) => JSON.stringify(schemaOfShape(s));
        expect(canonical(mergeShapes(x, y))).toBe(canonical(mergeShapes(y, x)));
        expect(canonical(mergeShapes(mergeShapes(x, y), z))).toBe(
          canonical(mergeShapes(x, mergeShapes(y, z))),
        );
        expect(canonical(shapeOfValues([a, b, c]))).toBe(canonical(mergeShapes(x, mergeShapes(y, z))));
      }),
      { numRuns: 300 },
    );
  });
});

describe('isRfc3339DateTime', () => {
  it('recognises date-times with an offset and refuses impossible or partial ones', () => {
    expect(isRfc3339DateTime('2024-02-29T23:59:59.123456+05:30')).toBe(true);
    expect(isRfc3339DateTime('2026-11-30t00:00:00z')).toBe(true);
    expect(isRfc3339DateTime('2023-02-29T00:00:00Z')).toBe(false);
    expect(isRfc3339DateTime('2026-11-30T24:00:00Z')).toBe(false);
    expect(isRfc3339DateTime('2026-11-30T12:00:00')).toBe(false);
    expect(isRfc3339DateTime('2026-11-30')).toBe(false);
    expect(isRfc3339DateTime('2026-13-01T00:00:00Z')).toBe(false);
  });

  it('recognises only strings that ajv-formats accepts as date-time (property)', () => {
    const validate = ajv.compile({ type: 'string', format: 'date-time' });
    fc.assert(
      fc.property(
        fc.oneof(
          dateTimes,
          fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/),
        ),
        (text) => {
          if (isRfc3339DateTime(text)) expect(validate(text)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
