import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findJava21, javaMajorOf } from './apicurio-distribution.js';
import { APICURIO_VERSION, apicurioSettingsFrom, apicurioSystemProperties } from './apicurio-settings.js';
import { ApicurioError } from './errors.js';

describe('apicurioSettingsFrom', () => {
  it('defaults to 3.3.3 on 127.0.0.1:18081 with the management port next to it', () => {
    const settings = apicurioSettingsFrom({ HOME: '/home/u', TMPDIR: '/t' });
    expect(settings).toMatchObject({
      version: APICURIO_VERSION,
      port: 18081,
      managementPort: 18082,
      runDir: '/t/source-kafka-registry-18081',
      cacheDir: '/home/u/.cache/source-kafka',
      heap: '256m',
    });
    expect(APICURIO_VERSION).toBe('3.3.3');
  });

  it('moves with SOURCE_KAFKA_REGISTRY_PORT and shares the broker cache root', () => {
    const settings = apicurioSettingsFrom({ SOURCE_KAFKA_REGISTRY_PORT: '28081', XDG_CACHE_HOME: '/c' });
    expect(settings.port).toBe(28081);
    expect(settings.managementPort).toBe(28082);
    expect(settings.cacheDir).toBe('/c/source-kafka');
  });

  it.each([
    ['SOURCE_KAFKA_REGISTRY_PORT', '80'],
    ['SOURCE_KAFKA_REGISTRY_PORT', 'x'],
    ['SOURCE_KAFKA_REGISTRY_HEAP', '256'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => apicurioSettingsFrom({ [name]: value })).toThrow(name);
  });

  it('binds both HTTP interfaces to loopback and keeps telemetry off', () => {
    const props = apicurioSystemProperties(apicurioSettingsFrom({}), '/tmp/x');
    expect(props).toContain('-Dquarkus.http.host=127.0.0.1');
    expect(props).toContain('-Dquarkus.management.host=127.0.0.1');
    expect(props).toContain('-Dquarkus.management.port=18082');
    expect(props).toContain('-Dquarkus.otel.sdk.disabled=true');
    expect(props).toContain('-Dapicurio.storage.sql.kind=h2');
    expect(props).toContain('-Dapicurio.ccompat.max-subjects=1000000');
  });
});

describe('findJava21', () => {
  function fakeHome(version: string): string {
    const home = mkdtempSync(join(tmpdir(), 'fake-jdk-'));
    mkdirSync(join(home, 'bin'));
    writeFileSync(join(home, 'bin', 'java'), '');
    writeFileSync(join(home, 'release'), `IMPLEMENTOR="x"\nJAVA_VERSION="${version}"\n`);
    return home;
  }

  it('reads the major version from a release file', () => {
    expect(javaMajorOf(fakeHome('25.0.2'))).toBe(25);
    expect(javaMajorOf(fakeHome('17.0.9'))).toBe(17);
    expect(javaMajorOf('/nonexistent')).toBeUndefined();
  });

  it('takes JAVA_HOME when it is 21 or newer', () => {
    const home = fakeHome('21.0.1');
    expect(findJava21(undefined, '/nonexistent', { JAVA_HOME: home })).toBe(join(home, 'bin', 'java'));
  });

  it('refuses an explicit home older than 21', () => {
    expect(() => findJava21(fakeHome('17.0.9'), '/nonexistent')).toThrow(ApicurioError);
  });
});
