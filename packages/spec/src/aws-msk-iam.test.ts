import { describe, expect, it } from 'vitest';
import { regionFromBrokers } from './aws-msk-iam.js';
import type { AwsMskIamConfig } from './config.js';
import { parseConfig } from './parse.js';

const PROVISIONED = 'b-1.orders.x1y2z3.c2.kafka.eu-west-1.amazonaws.com:9098';

function mskConfig(jaas: string, fields: Record<string, unknown> = {}, brokers = PROVISIONED) {
  return {
    bootstrap_servers: brokers,
    subscription: { subscription_type: 'subscribe', topic_pattern: 'orders' },
    protocol: {
      security_protocol: 'SASL_SSL',
      sasl_mechanism: 'AWS_MSK_IAM',
      sasl_jaas_config: jaas,
      ...fields,
    },
  };
}

function parsedMsk(
  jaas: string,
  fields: Record<string, unknown> = {},
  brokers = PROVISIONED,
): AwsMskIamConfig {
  const sasl = parseConfig(mskConfig(jaas, fields, brokers)).security.sasl;
  if (sasl?.mechanism !== 'AWS_MSK_IAM') throw new Error(`expected AWS_MSK_IAM, got ${sasl?.mechanism}`);
  return sasl;
}

describe('AWS_MSK_IAM configs', () => {
  it('reads a bare IAMLoginModule line as the default AWS credential chain, region from the broker names', () => {
    expect(parsedMsk('software.amazon.msk.auth.iam.IAMLoginModule required;')).toEqual({
      mechanism: 'AWS_MSK_IAM',
      region: 'eu-west-1',
      profileName: undefined,
      roleArn: undefined,
      roleSessionName: undefined,
      roleExternalId: undefined,
      stsRegion: undefined,
      roleCredentials: undefined,
      debugCredentials: false,
    });
  });

  it('accepts an empty JAAS config, as Java saved it, as the default chain', () => {
    expect(parsedMsk('').profileName).toBeUndefined();
    expect(parsedMsk('   ').region).toBe('eu-west-1');
  });

  it('maps every option of the Java library onto the config', () => {
    const config = parsedMsk(
      'software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName="analytics" ' +
        'awsRoleArn="arn:aws:iam::123456789012:role/kafka-reader" awsRoleSessionName="airbyte" ' +
        'awsRoleExternalId="ext-1" awsStsRegion="eu-central-1" awsRoleAccessKeyId="AKIAEXAMPLE" ' +
        'awsRoleSecretAccessKey="secret/key" awsRoleSessionToken="token" awsDebugCreds=true ' +
        'awsMaxRetries="5" awsMaxBackOffTimeMs="2000";',
    );
    expect(config).toEqual({
      mechanism: 'AWS_MSK_IAM',
      region: 'eu-west-1',
      profileName: 'analytics',
      roleArn: 'arn:aws:iam::123456789012:role/kafka-reader',
      roleSessionName: 'airbyte',
      roleExternalId: 'ext-1',
      stsRegion: 'eu-central-1',
      roleCredentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret/key', sessionToken: 'token' },
      debugCredentials: true,
    });
  });

  it('takes the region from protocol.aws_region before the broker names', () => {
    expect(parsedMsk('', { aws_region: ' us-west-2 ' }).region).toBe('us-west-2');
  });

  it('leaves the region open when neither the field nor the broker names give one', () => {
    expect(parsedMsk('', {}, 'kafka.internal.example.com:9098').region).toBeUndefined();
    expect(parsedMsk('', { aws_region: '' }, '127.0.0.1:9098').region).toBeUndefined();
  });

  it('accepts the global STS endpoint, the Java default, by its pseudo-region', () => {
    expect(
      parsedMsk(
        'software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="arn:aws-cn:iam::123456789012:role/r" awsStsRegion="aws-global";',
      ).stsRegion,
    ).toBe('aws-global');
  });

  it('finds the region in provisioned, serverless and China broker names', () => {
    expect(regionFromBrokers([PROVISIONED])).toBe('eu-west-1');
    expect(regionFromBrokers(['boot-abc.c1.kafka-serverless.us-east-2.amazonaws.com:9098'])).toBe(
      'us-east-2',
    );
    expect(regionFromBrokers(['b-2.c.d.c3.kafka.cn-north-1.amazonaws.com.cn:9098'])).toBe('cn-north-1');
    expect(regionFromBrokers(['localhost:9092', 'b-1.x.y.c1.KAFKA.AP-SOUTHEAST-2.amazonaws.com:9098'])).toBe(
      'ap-southeast-2',
    );
    expect(regionFromBrokers(['kafka.example.com:9092', 'amazonaws.com:9098'])).toBeUndefined();
  });
});
