// The testkit keeps a vendored copy of the protocol YAML for checkouts without ../shared; it must not go stale.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AIRBYTE_PROTOCOL_FIXTURE_DIR,
  AIRBYTE_PROTOCOL_YAML_CANDIDATES,
  airbyteProtocolYamlPath,
} from '@source-kafka/testkit/airbyte-schema';
import { describe, expect, it } from 'vitest';

describe('the vendored Airbyte protocol YAML', () => {
  it('ships with its licence and is the fallback after the shared copy', () => {
    expect(existsSync(join(AIRBYTE_PROTOCOL_FIXTURE_DIR, 'LICENSE'))).toBe(true);
    expect(AIRBYTE_PROTOCOL_YAML_CANDIDATES.at(-1)).toBe(
      join(AIRBYTE_PROTOCOL_FIXTURE_DIR, 'airbyte_protocol.yaml'),
    );
    expect(AIRBYTE_PROTOCOL_YAML_CANDIDATES).toContain(airbyteProtocolYamlPath());
  });

  // ../shared sits beside every checkout CI tests, so this always runs there and never passes by skipping.
  it('is byte-identical to the shared copy', () => {
    const shared = readFileSync(AIRBYTE_PROTOCOL_YAML_CANDIDATES[0]!, 'utf8');
    const vendored = readFileSync(join(AIRBYTE_PROTOCOL_FIXTURE_DIR, 'airbyte_protocol.yaml'), 'utf8');
    expect(vendored === shared).toBe(true);
  });
});
