// AWS_MSK_IAM configs as the Java connector saved them: an `IAMLoginModule` JAAS line whose options choose the
// AWS credentials (aws-msk-iam-auth's names), and a region the Java library read from the broker host names.
// Here the region may also be set in `protocol.aws_region`. No value is ever echoed in a problem: the line
// may hold a secret key.
import type { AwsMskIamConfig } from './config.js';
import { JaasConfigError, type JaasLoginEntry, parseJaasConfig } from './jaas.js';

export const MSK_IAM_LOGIN_MODULE = 'software.amazon.msk.auth.iam.IAMLoginModule';

/** A commercial, GovCloud or China region code, e.g. us-east-1, us-gov-west-1, cn-north-1. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** The STS pseudo-region of the global endpoint, the Java library's default. */
const STS_GLOBAL = 'aws-global';
/** MSK provisioned (`b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com`) and serverless broker names. */
const MSK_HOST = /\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/i;

const JAAS_PATH = 'protocol.sasl_jaas_config';
const REGION_PATH = 'protocol.aws_region';

export type AddProblem = (path: string, message: string) => void;

/** The region of the first broker named like an MSK broker, or undefined. */
export function regionFromBrokers(brokers: readonly string[]): string | undefined {
  for (const broker of brokers) {
    const host = broker.replace(/:\d+$/, '');
    const match = MSK_HOST.exec(host);
    if (match !== null) return match[1]!.toLowerCase();
  }
  return undefined;
}

/**
 * The AWS_MSK_IAM config from `protocol` (its `sasl_jaas_config` and `aws_region`) and the parsed broker
 * list. Problems go to `add`; undefined when there are any.
 */
export function parseAwsMskIam(
  jaasText: string | undefined,
  regionText: string | undefined,
  brokers: readonly string[],
  add: AddProblem,
): AwsMskIamConfig | undefined {
  let failed = false;
  const problem = (path: string, message: string) => {
    failed = true;
    add(path, message);
  };

  let region: string | undefined;
  if (regionText !== undefined && regionText.trim() !== '') {
    region = regionText.trim();
    if (!REGION.test(region)) problem(REGION_PATH, 'must be an AWS region code such as us-east-1');
  } else {
    region = regionFromBrokers(brokers);
  }

  // Java configs often carry the bare line, or nothing: both mean the default AWS credential chain.
  let options: ReadonlyMap<string, string> = new Map();
  if (jaasText !== undefined && jaasText.trim() !== '') {
    let entry: JaasLoginEntry;
    try {
      entry = parseJaasConfig(jaasText);
    } catch (error) {
      if (!(error instanceof JaasConfigError)) throw error;
      problem(JAAS_PATH, error.message);
      return undefined;
    }
    if (entry.moduleName !== 'IAMLoginModule') {
      problem(
        JAAS_PATH,
        `sasl_mechanism AWS_MSK_IAM needs ${MSK_IAM_LOGIN_MODULE}, not another login module`,
      );
      return undefined;
    }
    options = entry.options;
  }
  const option = (name: string): string | undefined => {
    const value = options.get(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const roleArn = option('awsRoleArn');
  if (roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    problem(
      JAAS_PATH,
      'the awsRoleArn option must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/name',
    );
  }
  const stsRegion = option('awsStsRegion');
  if (stsRegion !== undefined && stsRegion !== STS_GLOBAL && !REGION.test(stsRegion)) {
    problem(
      JAAS_PATH,
      `the awsStsRegion option must be an AWS region code such as us-east-1, or ${STS_GLOBAL}`,
    );
  }
  const accessKeyId = option('awsRoleAccessKeyId');
  const secretAccessKey = option('awsRoleSecretAccessKey');
  const sessionToken = option('awsRoleSessionToken');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problem(
      JAAS_PATH,
      'the awsRoleAccessKeyId and awsRoleSecretAccessKey options go together: set both, or neither',
    );
  }
  if ((accessKeyId !== undefined || sessionToken !== undefined) && roleArn === undefined) {
    problem(
      JAAS_PATH,
      'the awsRoleAccessKeyId, awsRoleSecretAccessKey and awsRoleSessionToken options assume the awsRoleArn role, which is not set',
    );
  }
  for (const name of ['awsMaxRetries', 'awsMaxBackOffTimeMs']) {
    const value = option(name);
    if (value !== undefined && !/^\d+$/.test(value)) {
      problem(JAAS_PATH, `the ${name} option must be a whole number`);
    }
  }
  if (failed) return undefined;
  return {
    mechanism: 'AWS_MSK_IAM',
    region,
    profileName: option('awsProfileName'),
    roleArn,
    roleSessionName: option('awsRoleSessionName'),
    roleExternalId: option('awsRoleExternalId'),
    stsRegion,
    roleCredentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey, sessionToken }
        : undefined,
    debugCredentials: option('awsDebugCreds')?.toLowerCase() === 'true',
  };
}
