// OAUTHBEARER tokens from an OAuth 2 token endpoint, client-credentials grant (RFC 6749 §4.4), as the Java
// client's default login callback handler does: client id and secret go in HTTP Basic auth, scope in the form.
import { ConsumerError, consumerErrorCodes } from './errors.js';
import type { Clock } from './types.js';

export interface OAuthClientCredentials {
  readonly tokenEndpointUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string | undefined;
  readonly extensions?: Readonly<Record<string, string>> | undefined;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface OAuthBearerToken {
  readonly value: string;
  readonly extensions?: Readonly<Record<string, string>> | undefined;
}

export interface TokenProviderDeps {
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly fetch?: FetchLike | undefined;
}

/** Refresh once this share of the token's lifetime has passed, like the Java client's default (0.8). */
const REFRESH_AT_LIFETIME_SHARE = 0.8;
/** Assumed lifetime when the endpoint returns no `expires_in`. */
const DEFAULT_LIFETIME_MS = 300_000;

/** `scheme://user:pass@` up to the last `@` before the path: RFC 3986 userinfo, which may hold a password. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi;

/**
 * Masks the userinfo of every URL in `text` (`https://***@host/path`), so a token endpoint URL written with
 * credentials can be named in a message without leaking them.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

/** The error itself when it carries no URL credentials, else a copy whose message is masked (Node's fetch quotes the URL). */
function withoutUrlCredentials(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const masked = maskUrlCredentials(error.message);
  if (masked === error.message) return error;
  const copy = new Error(masked);
  copy.name = error.name;
  return copy;
}

function formEncode(form: Readonly<Record<string, string>>): string {
  return new URLSearchParams(form).toString();
}

/**
 * A kafkajs `oauthBearerProvider`: returns the cached token until it is due for refresh, then asks the endpoint
 * again. Concurrent callers share one request.
 */
export function createOAuthBearerProvider(
  credentials: OAuthClientCredentials,
  deps: TokenProviderDeps,
): () => Promise<OAuthBearerToken> {
  const doFetch: FetchLike = deps.fetch ?? ((url, init) => fetch(url, init));
  const endpoint = maskUrlCredentials(credentials.tokenEndpointUrl);
  let cached: { token: OAuthBearerToken; refreshAt: number } | undefined;
  let inFlight: Promise<OAuthBearerToken> | undefined;

  const requestToken = async (): Promise<OAuthBearerToken> => {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (credentials.scope !== undefined && credentials.scope !== '') form.scope = credentials.scope;
    const basic = Buffer.from(
      `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
    ).toString('base64');
    const requestedAt = deps.clock.now();
    let response: Response;
    try {
      response = await doFetch(credentials.tokenEndpointUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: formEncode(form),
        signal: AbortSignal.timeout(deps.requestTimeoutMs),
      });
    } catch (error) {
      const cause = withoutUrlCredentials(error);
      throw ConsumerError.retriable(
        consumerErrorCodes.tokenEndpoint,
        `Could not reach the OAuth token endpoint ${endpoint} within ${deps.requestTimeoutMs} ms` +
          (cause instanceof Error ? ` (${cause.message})` : ''),
        { cause },
      );
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (!response.ok) {
      // Only the OAuth error code and description are echoed: never the request, which carries the secret.
      const reason = [fields.error, fields.error_description].filter((v) => typeof v === 'string').join(': ');
      // 400/401/403 refuse these credentials; anything else (5xx, 429) is the endpoint's own trouble.
      const refused = response.status === 400 || response.status === 401 || response.status === 403;
      throw new ConsumerError(
        consumerErrorCodes.tokenEndpoint,
        `The OAuth token endpoint ${endpoint} refused the client-credentials grant for client id ` +
          `"${credentials.clientId}" with HTTP ${response.status}${reason ? ` (${reason})` : ''}: check the client id, secret and scope`,
        { retriable: !refused },
      );
    }
    const accessToken = fields.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new ConsumerError(
        consumerErrorCodes.tokenAnswerInvalid,
        `The OAuth token endpoint ${endpoint} answered without an access_token`,
      );
    }
    const expiresIn = typeof fields.expires_in === 'number' ? fields.expires_in * 1000 : DEFAULT_LIFETIME_MS;
    const token: OAuthBearerToken = {
      value: accessToken,
      extensions:
        credentials.extensions && Object.keys(credentials.extensions).length > 0
          ? credentials.extensions
          : undefined,
    };
    cached = { token, refreshAt: requestedAt + expiresIn * REFRESH_AT_LIFETIME_SHARE };
    return token;
  };

  return async () => {
    if (cached !== undefined && deps.clock.now() < cached.refreshAt) return cached.token;
    inFlight ??= requestToken().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
