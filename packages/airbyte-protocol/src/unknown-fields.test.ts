import { describe, expect, it } from 'vitest';
import { closestName, describeUnknownFields, findUnknownFields } from './unknown-fields.js';

const schema = {
  type: 'object',
  properties: {
    start_position: { type: 'object', properties: { position: { type: 'string' } } },
    read_bounds: { type: 'object', properties: { max_duration_seconds: { type: 'integer' } } },
    protocol: {
      type: 'object',
      oneOf: [
        { properties: { security_protocol: { const: 'PLAINTEXT' } } },
        { properties: { security_protocol: { const: 'SASL_SSL' }, sasl_mechanism: { type: 'string' } } },
      ],
    },
    servers: { type: 'array', items: { type: 'object', properties: { host: { type: 'string' } } } },
    labels: { type: 'object' },
  },
};

describe('findUnknownFields', () => {
  it('names a top-level typo with the field it most likely meant', () => {
    expect(findUnknownFields(schema, { start_postion: {} })).toEqual([
      { path: 'start_postion', suggestion: 'start_position' },
    ]);
  });

  it('names nested unknown fields by path, in oneOf branches and array items too', () => {
    expect(
      findUnknownFields(schema, {
        read_bounds: { max_duration_secs: 5 },
        protocol: { security_protocol: 'SASL_SSL', sasl_mechanizm: 'PLAIN', colour: 'red' },
        servers: [{ host: 'a' }, { hots: 'b' }],
      }),
    ).toEqual([
      { path: 'read_bounds.max_duration_secs', suggestion: 'read_bounds.max_duration_seconds' },
      { path: 'protocol.sasl_mechanizm', suggestion: 'protocol.sasl_mechanism' },
      { path: 'protocol.colour' },
      { path: 'servers[1].hots', suggestion: 'servers[1].host' },
    ]);
  });

  it('finds nothing in a config of known fields, nor inside free-form objects', () => {
    expect(
      findUnknownFields(schema, {
        start_position: { position: 'earliest' },
        protocol: { security_protocol: 'PLAINTEXT' },
        labels: { anything: 1 },
      }),
    ).toEqual([]);
  });
});

describe('closestName', () => {
  it('suggests only a near miss', () => {
    expect(closestName('auto_ofset_reset', ['auto_offset_reset', 'group_id'])).toBe('auto_offset_reset');
    expect(closestName('gruop_id', ['auto_offset_reset', 'group_id'])).toBe('group_id');
    expect(closestName('colour', ['auto_offset_reset', 'group_id'])).toBeUndefined();
    expect(closestName('ur', ['url'])).toBe('url');
    expect(closestName('id', ['url'])).toBeUndefined();
  });
});

describe('describeUnknownFields', () => {
  it('writes one line naming every field, or nothing', () => {
    expect(describeUnknownFields([])).toBeUndefined();
    expect(
      describeUnknownFields([{ path: 'start_postion', suggestion: 'start_position' }, { path: 'x' }]),
    ).toBe(
      "The config has field(s) this connector does not know, ignored: 'start_postion' (did you mean 'start_position'?), 'x'.",
    );
  });
});
