// `--help` and `--version` of the real CLI, run from source as a child process (no broker involved).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { version: string };

function cli(...args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=source-kafka-source', '--import', 'tsx', join(appDir, 'src/main.ts'), ...args],
    { cwd: appDir, encoding: 'utf8' },
  );
}

describe('source-kafka --help and --version', () => {
  it('prints the version from package.json and exits 0', () => {
    const run = cli('--version');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`source-kafka ${version}\n`);
  });

  it('prints the usage and exits 0', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: source-kafka <command> \[flags\]\n/);
    expect(run.stdout).toContain('read     --config FILE --catalog FILE [--state FILE]');
  });
});
