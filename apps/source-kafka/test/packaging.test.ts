// The Airbyte packaging: one version (package.json) everywhere it is written, and a metadata.yaml of our own.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(appDir, '../..');
const read = (path: string) => readFileSync(path, 'utf8');

const version = (JSON.parse(read(resolve(appDir, 'package.json'))) as { version: string }).version;
const metadata = parseYaml(read(resolve(appDir, 'metadata.yaml'))) as {
  metadataSpecVersion: string;
  data: Record<string, unknown>;
};
const data = metadata.data;
const dockerfile = read(resolve(appDir, 'Dockerfile'));

/** Version column of the docs changelog table, newest first as written. */
function changelogVersions(markdown: string): string[] {
  const section = markdown.split(/^## Changelog\s*$/m)[1];
  if (section === undefined) throw new Error('docs/source-kafka.md has no "## Changelog" section');
  return section
    .split('\n')
    .map((line) => /^\|\s*(\d+\.\d+\.\d+\S*)\s*\|/.exec(line)?.[1])
    .filter((v): v is string => v !== undefined);
}

/** The images the Dockerfile builds FROM, with the ARG defaults declared before the first FROM filled in. */
function baseImages(text: string): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images = new Set<string>();
  for (const line of text.split('\n').map((l) => l.trim())) {
    const arg = /^ARG\s+(\w+)(?:=(\S*))?/i.exec(line);
    if (arg?.[1] !== undefined && images.size === 0) args.set(arg[1], arg[2] ?? '');
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from?.[1] === undefined) continue;
    const image = from[1].replace(/\$\{?(\w+)\}?/g, (_, name: string) => args.get(name) ?? '');
    if (!stages.has(image)) images.add(image);
    if (from[2] !== undefined) stages.add(from[2]);
  }
  return [...images];
}

describe('the app version', () => {
  it('is a semver version', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it('is the dockerImageTag of metadata.yaml', () => {
    expect(data.dockerImageTag, 'set data.dockerImageTag in apps/source-kafka/metadata.yaml').toBe(version);
  });

  it('is the newest row of the docs changelog, and no row repeats', () => {
    const versions = changelogVersions(read(resolve(repoRoot, 'docs/source-kafka.md')));
    expect(versions[0], 'add a row for this version at the top of the docs changelog').toBe(version);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('is the image label, which only the VERSION build arg sets', () => {
    // A default would let a build forget the build arg and label the image with a stale version.
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^ARG VERSION\s*$/m);
    expect(finalStage).toMatch(/io\.airbyte\.version="\$\{VERSION\}"/);
    expect(finalStage).toMatch(/test -n "\$\{VERSION\}"/);
    const script = read(resolve(repoRoot, 'scripts/image-test'));
    expect(script).toContain('require("./apps/source-kafka/package.json").version');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of the shell script, not a template.
    expect(script).toContain('--build-arg "VERSION=${version}"');
  });

  it('has a section in the app CHANGELOG.md that changesets writes', () => {
    expect(read(resolve(appDir, 'CHANGELOG.md'))).toMatch(
      new RegExp(`^## ${version.replace(/\./g, '\\.')}$`, 'm'),
    );
  });
});

describe('metadata.yaml', () => {
  it('names the image the Dockerfile labels', () => {
    expect(dockerfile).toContain(`io.airbyte.name="${String(data.dockerRepository)}"`);
  });

  it('points at documentation in this repository', () => {
    const url = String(data.documentationUrl);
    expect(url).not.toMatch(/airbyte\.com/);
    expect(existsSync(resolve(appDir, url)), `${url} (relative to metadata.yaml) exists`).toBe(true);
  });

  it('ships its own SVG icon', () => {
    expect(data.icon).toBe('icon.svg');
    const svg = read(resolve(appDir, String(data.icon)));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('has its own issue label and no internal levels of another connector', () => {
    expect(data.githubIssueLabel).toBe(data.dockerRepository?.toString().split('/')[1]);
    expect(data).not.toHaveProperty('ab_internal');
  });

  it('names the Dockerfile base image as connectorBuildOptions.baseImage', () => {
    const images = baseImages(dockerfile);
    expect(images).toHaveLength(1);
    expect(data.connectorBuildOptions).toEqual({ baseImage: `docker.io/library/${images[0]}` });
  });

  it('lists the test suites the repository runs, in the shape Airbyte reads', () => {
    // Airbyte's ConnectorTestSuiteOptions: `suite` from a fixed list, nothing else without secrets.
    expect(data.connectorTestSuitesOptions).toEqual([{ suite: 'unitTests' }, { suite: 'integrationTests' }]);
  });

  it('has the fields Airbyte requires', () => {
    expect(metadata.metadataSpecVersion).toBe('1.0');
    for (const field of [
      'name',
      'definitionId',
      'connectorType',
      'dockerRepository',
      'dockerImageTag',
      'license',
      'documentationUrl',
      'githubIssueLabel',
      'connectorSubtype',
      'releaseStage',
    ]) {
      expect(data, field).toHaveProperty(field);
    }
    expect(data.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('the executable', () => {
  // The image's entrypoint and the package's bin run src/main.ts (as dist/main.js) through its shebang line, so
  // running that line must start this Node with the young-generation cap (see the comment in src/main.ts).
  it('starts Node with --max-semi-space-size=16 through its shebang', () => {
    const shebang = read(resolve(appDir, 'src/main.ts')).split('\n', 1)[0] ?? '';
    expect(shebang.startsWith('#!')).toBe(true);
    const [command, ...args] = shebang.slice(2).split(' ');
    const execArgv = execFileSync(
      command!,
      [...args, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      },
    );
    expect(JSON.parse(execArgv)).toEqual(['--max-semi-space-size=16', '-e', expect.any(String)]);
  });
});
