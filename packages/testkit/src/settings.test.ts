import { describe, expect, it } from 'vitest';
import { BrokerError } from './errors.js';
import { brokerSettingsFrom, DEFAULT_KAFKA_VERSION, portsFrom, usesLog4j2 } from './settings.js';

describe('brokerSettingsFrom', () => {
  it('defaults to Kafka 3.9.1 on ports from 19092, with jars under ~/.cache/source-kafka', () => {
    const settings = brokerSettingsFrom({ HOME: '/home/dev', TMPDIR: '/scratch' });
    expect(settings.kafkaVersion).toBe(DEFAULT_KAFKA_VERSION);
    expect(settings.versionExplicit).toBe(false);
    expect(settings.ports).toEqual({
      plaintext: 19092,
      saslPlaintext: 19093,
      ssl: 19094,
      mtls: 19095,
      saslSsl: 19096,
      controller: 19097,
      mskIam: 19098,
    });
    expect(settings.cacheDir).toBe('/home/dev/.cache/source-kafka');
    expect(settings.runDir).toBe('/scratch/source-kafka-broker-19092');
  });

  it('follows KAFKA_VERSION, SOURCE_KAFKA_BROKER_PORT and XDG_CACHE_HOME', () => {
    const settings = brokerSettingsFrom({
      KAFKA_VERSION: '4.1.1',
      SOURCE_KAFKA_BROKER_PORT: '29000',
      XDG_CACHE_HOME: '/cache',
      TMPDIR: '/scratch',
    });
    expect(settings.kafkaVersion).toBe('4.1.1');
    expect(settings.versionExplicit).toBe(true);
    expect(settings.ports.plaintext).toBe(29000);
    expect(settings.ports.controller).toBe(29005);
    expect(settings.runDir).toBe('/scratch/source-kafka-broker-29000');
    expect(settings.cacheDir).toBe('/cache/source-kafka');
  });

  it('names the variable and the bad value when a port is not a number', () => {
    expect(() => brokerSettingsFrom({ SOURCE_KAFKA_BROKER_PORT: 'abc' })).toThrow(
      /SOURCE_KAFKA_BROKER_PORT must be an integer between 1024 and 65529, got "abc"/,
    );
  });

  it('refuses a version that is not x.y.z, with a BrokerError code', () => {
    let caught: unknown;
    try {
      brokerSettingsFrom({ KAFKA_VERSION: 'latest' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BrokerError);
    expect((caught as BrokerError).code).toBe('BROKER_INVALID_SETTING');
    expect((caught as BrokerError).message).toContain('"latest"');
  });
});

describe('portsFrom', () => {
  it('gives every listener its own consecutive port', () => {
    const ports = Object.values(portsFrom(40000));
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.max(...ports) - Math.min(...ports)).toBe(ports.length - 1);
  });
});

describe('usesLog4j2', () => {
  it('is true from Kafka 4 on', () => {
    expect(usesLog4j2('3.9.1')).toBe(false);
    expect(usesLog4j2('4.0.0')).toBe(true);
    expect(usesLog4j2('4.1.1')).toBe(true);
  });
});
