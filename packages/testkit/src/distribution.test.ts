import { describe, expect, it } from 'vitest';
import { brokerArtifacts, classpathPom } from './distribution.js';

describe('brokerArtifacts', () => {
  it('adds the reload4j binding for Kafka 3, and kafka-tools and the log4j2 binding for Kafka 4', () => {
    expect(brokerArtifacts('3.9.1').map((a) => a.artifactId)).toEqual(['kafka_2.13', 'slf4j-reload4j']);
    expect(brokerArtifacts('4.1.1').map((a) => a.artifactId)).toEqual([
      'kafka_2.13',
      'kafka-tools',
      'log4j-slf4j-impl',
      'log4j-core',
    ]);
  });
});

describe('classpathPom', () => {
  it('depends on the requested kafka_2.13 version', () => {
    expect(classpathPom('4.1.1')).toContain(
      '<groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>4.1.1</version>',
    );
  });
});
