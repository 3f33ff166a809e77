// Amazon MSK IAM access control over SASL/OAUTHBEARER: MSK accepts, as the bearer token, a SigV4-presigned
// `kafka-cluster:Connect` URL made with the caller's AWS credentials. AWS's signer library makes it; this
// module picks the credentials the way the Java library (aws-msk-iam-auth) reads its JAAS options, the region,
// and when to sign again. Neither a credential nor a token is ever logged or put in an error message.
import type { AwsMskIamConfig } from '@source-kafka/spec';
import type { GenerateAuthTokenFromCredentialOptions } from 'aws-msk-iam-sasl-signer-js';
import { ConsumerError, consumerErrorCodes } from './errors.js';
import { type IssuedToken, type OAuthBearerToken, refreshingTokenProvider } from './oauth.js';
import type { Clock, Logger } from './types.js';

export type AwsCredentialsProvider = GenerateAuthTokenFromCredentialOptions['awsCredentialsProvider'];

export interface MskIamDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where AWS_REGION and AWS_DEFAULT_REGION are read; the AWS SDK reads credentials from process.env itself. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replaces the credential chain the config selects (tests). */
  readonly credentials?: AwsCredentialsProvider | undefined;
}

// Loaded on first use: the AWS SDK adds a third of a second to every start of the connector otherwise.
let awsModules:
  | Promise<{
      readonly providers: typeof import('@aws-sdk/credential-providers');
      readonly signer: typeof import('aws-msk-iam-sasl-signer-js');
    }>
  | undefined;
function loadAws() {
  awsModules ??= Promise.all([
    import('@aws-sdk/credential-providers'),
    import('aws-msk-iam-sasl-signer-js'),
  ]).then(([providers, signer]) => ({ providers, signer }));
  return awsModules;
}

/** The Java library's role session name when awsRoleSessionName is not set. */
const DEFAULT_ROLE_SESSION_NAME = 'aws-msk-iam-auth';

/**
 * The region the tokens are signed for: `protocol.aws_region` or the MSK broker names (both resolved by the
 * spec), else AWS_REGION, else AWS_DEFAULT_REGION. Throws a config error when none gives one.
 */
export function mskIamRegion(
  config: AwsMskIamConfig,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const region = [config.region, env.AWS_REGION, env.AWS_DEFAULT_REGION]
    .map((value) => value?.trim())
    .find((value): value is string => value !== undefined && value !== '');
  if (region === undefined) {
    throw new ConsumerError(
      consumerErrorCodes.invalidConfig,
      'AWS_MSK_IAM needs the AWS region of the cluster: set protocol.aws_region (e.g. us-east-1), or the AWS_REGION environment variable; it cannot be read from bootstrap_servers unless they are MSK broker names (*.kafka.<region>.amazonaws.com)',
    );
  }
  return region;
}

/**
 * The credentials, tried in the Java library's order: the awsProfileName profile, then the awsRoleArn role
 * (assumed with the awsRole* keys when given, else with the default chain), then the default chain (env,
 * shared files and SSO, web identity, container, instance metadata). A profile that does not exist falls
 * through to the next; an STS refusal stops the chain with its reason.
 */
export function mskIamCredentialChain(config: AwsMskIamConfig, region: string): AwsCredentialsProvider {
  // Built once, on first use, so the SDK's own caching of each link (e.g. instance credentials) holds.
  let chain: Promise<AwsCredentialsProvider> | undefined;
  return async () => {
    chain ??= loadAws().then(({ providers }) => credentialChain(config, region, providers));
    return (await chain)();
  };
}

function credentialChain(
  config: AwsMskIamConfig,
  region: string,
  {
    fromIni,
    fromNodeProviderChain,
    fromTemporaryCredentials,
  }: typeof import('@aws-sdk/credential-providers'),
): AwsCredentialsProvider {
  const links: AwsCredentialsProvider[] = [];
  if (config.profileName !== undefined) links.push(fromIni({ profile: config.profileName }));
  if (config.roleArn !== undefined) {
    const keys = config.roleCredentials;
    links.push(
      fromTemporaryCredentials({
        params: {
          RoleArn: config.roleArn,
          RoleSessionName: config.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME,
          ...(config.roleExternalId !== undefined ? { ExternalId: config.roleExternalId } : {}),
        },
        ...(keys !== undefined
          ? {
              masterCredentials: {
                accessKeyId: keys.accessKeyId,
                secretAccessKey: keys.secretAccessKey,
                ...(keys.sessionToken !== undefined ? { sessionToken: keys.sessionToken } : {}),
              },
            }
          : {}),
        // The cluster's region unless awsStsRegion says otherwise (the Java library used the global endpoint).
        clientConfig: { region: config.stsRegion ?? region },
      }),
    );
  }
  links.push(fromNodeProviderChain());
  if (links.length === 1) return links[0]!;
  return async () => {
    let last: unknown;
    for (const link of links) {
      try {
        return await link();
      } catch (error) {
        last = error;
        // The SDK marks "nothing here, ask the next one" with tryNextLink; anything else is an answer.
        if ((error as { tryNextLink?: unknown } | null)?.tryNextLink !== true) throw error;
      }
    }
    throw last;
  };
}

/** The presigned URL inside a token, and its X-Amz-Expires in milliseconds. */
export function decodeMskIamToken(token: string): { readonly url: URL; readonly lifetimeMs: number } {
  const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
  const expires = Number(url.searchParams.get('X-Amz-Expires'));
  if (!Number.isFinite(expires) || expires <= 0) {
    throw new ConsumerError(
      consumerErrorCodes.internal,
      'The AWS MSK IAM signer returned a token without a valid X-Amz-Expires',
    );
  }
  return { url, lifetimeMs: expires * 1000 };
}

/** Whether the credentials were missing or refused (the user's to fix), rather than out of reach for now. */
function isCredentialsProblem(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  const status = e?.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 400 && status < 500 && status !== 429;
  if (e?.name === 'CredentialsProviderError' || e?.name === 'ProviderError') return true;
  return typeof e?.message === 'string' && /credential|profile/i.test(e.message);
}

function signingError(error: unknown, config: AwsMskIamConfig, region: string): ConsumerError {
  const reason = error instanceof Error ? error.message : String(error);
  const source = [
    config.profileName !== undefined ? `profile "${config.profileName}"` : undefined,
    config.roleArn !== undefined ? `role ${config.roleArn}` : undefined,
    'the default AWS credential chain',
  ]
    .filter((part) => part !== undefined)
    .join(', then ');
  const message = `Could not sign an AWS_MSK_IAM token for region ${region} with credentials from ${source}: ${reason}`;
  // Marked retriable or not explicitly: kafkajs retries any error not marked otherwise, and would bury a
  // credentials problem under "retries exceeded".
  return isCredentialsProblem(error)
    ? new ConsumerError(consumerErrorCodes.authenticationFailed, message, { cause: error })
    : ConsumerError.retriable(consumerErrorCodes.authenticationFailed, message, { cause: error });
}

/**
 * A kafkajs `oauthBearerProvider` for Amazon MSK IAM. Throws a config error at once when no region is known;
 * credential problems surface from the provider, when kafkajs first authenticates.
 */
export function createMskIamTokenProvider(
  config: AwsMskIamConfig,
  deps: MskIamDeps,
): () => Promise<OAuthBearerToken> {
  const region = mskIamRegion(config, deps.env);
  const credentials = deps.credentials ?? mskIamCredentialChain(config, region);
  const signerLogger = {
    debug: (message: string) => deps.logger.info(`AWS_MSK_IAM: ${message}`),
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const issue = async (): Promise<IssuedToken> => {
    let token: string;
    let credentialsExpireAt: number | undefined;
    // Handed to the signer without their expiry: it would otherwise sign for the credentials' remaining life,
    // written into X-Amz-Expires with a fraction of a second (SigV4 wants whole seconds). The token is signed
    // for the full 15 minutes, as the Java library does, and re-signed before the credentials expire instead.
    const unexpiring: AwsCredentialsProvider = async () => {
      const { expiration, ...rest } = await credentials();
      credentialsExpireAt = expiration?.getTime();
      return rest;
    };
    try {
      const { signer } = await loadAws();
      ({ token } = await signer.generateAuthTokenFromCredentialsProvider({
        region,
        awsCredentialsProvider: unexpiring,
        // The signer logs only the caller identity (account and ARN), and only at debug.
        awsDebugCreds: config.debugCredentials,
        logger: signerLogger,
      }));
    } catch (error) {
      throw signingError(error, config, region);
    }
    const tokenLifetimeMs = decodeMskIamToken(token).lifetimeMs;
    const lifetimeMs =
      credentialsExpireAt === undefined
        ? tokenLifetimeMs
        : Math.max(0, Math.min(tokenLifetimeMs, credentialsExpireAt - deps.clock.now()));
    return { token: { value: token }, lifetimeMs };
  };
  return refreshingTokenProvider(issue, deps.clock);
}
