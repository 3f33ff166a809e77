// Unknown config fields are warnings, not errors; every field a Java-connector config can hold is known.
import { findUnknownFields } from '@source-kafka/airbyte-protocol';
import { parseConfig, spec } from '@source-kafka/spec';
import { readReference } from '@source-kafka/testkit/reference';
import { describe, expect, it } from 'vitest';

type Schema = { properties?: Record<string, Schema>; oneOf?: Schema[] };

const ours = spec().connectionSpecification;
const java = (JSON.parse(readReference('javaSourceKafkaSpec')) as { connectionSpecification: Schema })
  .connectionSpecification;

/** One config per oneOf branch of the Java spec, each holding every field that branch defines. */
function javaShapedConfigs(): Record<string, unknown>[] {
  const top: Record<string, unknown> = {};
  const branchy: [string, Schema[]][] = [];
  for (const [name, field] of Object.entries(java.properties ?? {})) {
    if (field.oneOf) branchy.push([name, field.oneOf]);
    else top[name] = 'x';
  }
  return branchy.flatMap(([name, branches]) =>
    branches.map((branch) => ({
      ...top,
      [name]: Object.fromEntries(Object.keys(branch.properties ?? {}).map((key) => [key, 'x'])),
    })),
  );
}

describe('config fields against the spec', () => {
  it('knows every field of every branch of the Java connector spec', () => {
    const configs = javaShapedConfigs();
    expect(configs.length).toBeGreaterThanOrEqual(7);
    for (const config of configs) expect(findUnknownFields(ours, config)).toEqual([]);
  });

  it('names a typo at the top level and in a nested object, with the field meant', () => {
    expect(
      findUnknownFields(ours, {
        bootstrap_servers: 'b:9092',
        start_postion: { position: 'earliest' },
        read_bounds: { max_duration_secnds: 60 },
        protocol: { security_protocol: 'PLAINTEXT', sasl_mechansim: 'PLAIN' },
      }),
    ).toEqual([
      { path: 'start_postion', suggestion: 'start_position' },
      { path: 'read_bounds.max_duration_secnds', suggestion: 'read_bounds.max_duration_seconds' },
      { path: 'protocol.sasl_mechansim', suggestion: 'protocol.sasl_mechanism' },
    ]);
  });

  it('accepts unknown fields in every object of the config, as Airbyte requires of a spec', () => {
    const config = {
      bootstrap_servers: 'b:9092',
      subscription: { subscription_type: 'subscribe', topic_pattern: 'orders', future: 1 },
      protocol: { security_protocol: 'PLAINTEXT', future: 1 },
      schema_registry: { url: 'http://registry:8081', future: 1 },
      record_layout: { include_key: false, future: 1 },
      read_bounds: { future: 1 },
      checkpoint: { every_records: 10, future: 1 },
      error_handling: { bad_message_policy: 'skip', future: 1 },
      start_position: { position: 'earliest' },
      future: 1,
    };
    const parsed = parseConfig(config);
    expect(parsed.layout.includeKey).toBe(false);
    expect(findUnknownFields(ours, config).map((field) => field.path)).toEqual([
      'subscription.future',
      'protocol.future',
      'schema_registry.future',
      'record_layout.future',
      'read_bounds.future',
      'checkpoint.future',
      'error_handling.future',
      'future',
    ]);
  });

  it('has no additionalProperties: false anywhere in the spec', () => {
    expect(JSON.stringify(ours)).not.toContain('"additionalProperties":false');
  });
});
