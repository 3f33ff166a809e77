import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REFERENCE_FILES, type ReferenceName, readReference, readSharedCopy } from './reference.js';

const names = Object.keys(REFERENCE_FILES) as ReferenceName[];

describe('vendored reference files', () => {
  it.each(names)('%s is in the repository, parses, and ships with its license', (name) => {
    const { path, license } = REFERENCE_FILES[name];
    expect(path.includes('/shared/')).toBe(false);
    const text = readReference(name);
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    expect(typeof parsed).toBe('object');
    expect(readFileSync(license, 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} Airbyte, Inc\./);
  });

  // Drift check only: the vendored copies are what every other test reads, so a clone without ../shared
  // still tests against them; this comparison needs the original beside the checkout.
  for (const name of names) {
    it.skipIf(!existsSync(REFERENCE_FILES[name].sharedPath))(
      `${name} is byte-identical to the ../shared copy`,
      () => {
        expect(readReference(name) === readSharedCopy(name)).toBe(true);
      },
    );
  }
});
