// The SASL/OAUTHBEARER exchange (RFC 7628), as a kafkajs custom mechanism. kafkajs' own one ignores the
// broker's answer: a refused token comes back as a JSON error that the client must acknowledge, so kafkajs
// reads it as success, the broker then closes the connection, and the user sees "no brokers in the broker
// pool", a transient error retried in vain. This one reads the answer and fails the authentication with the
// broker's status (Kafka's validators and Amazon MSK's put only an error code and reason there, never the token).
import kafkajs, { type Mechanism } from 'kafkajs';
import type { OAuthBearerToken } from './oauth.js';

// Through the default export: kafkajs spreads its errors into module.exports, which Node's named-export
// detection for CommonJS cannot see. Its typings declare no constructor parameter; the class takes a message.
const SaslAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (
  message: string,
) => Error;

const SOH = '\u0001';
const STATUS_MAX = 300;

/** SASL bytes as kafkajs frames them for every mechanism: an int32 length, then the bytes. */
function framed(bytes: Buffer): Buffer {
  const out = Buffer.alloc(4 + bytes.length);
  out.writeInt32BE(bytes.length, 0);
  bytes.copy(out, 4);
  return out;
}

function unframed(bytes: Buffer): Buffer {
  if (bytes.length < 4) return Buffer.alloc(0);
  const length = bytes.readInt32BE(0);
  return length <= 0 ? Buffer.alloc(0) : bytes.subarray(4, 4 + length);
}

/** The client's first message: GS2 header, the bearer token, then the SASL extensions as key=value pairs. */
export function initialResponse(token: OAuthBearerToken): string {
  const extensions = Object.entries(token.extensions ?? {}).map(([key, value]) => `${SOH}${key}=${value}`);
  return `n,,${SOH}auth=Bearer ${token.value}${extensions.join('')}${SOH}${SOH}`;
}

/** The `status` of the broker's JSON error (RFC 7628 §3.2.2), or a note that it sent something else. */
export function refusalStatus(challenge: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(challenge.toString('utf8'));
    const status = (parsed as { status?: unknown } | null)?.status;
    if (typeof status === 'string' && status !== '') return status.slice(0, STATUS_MAX);
  } catch {
    // Not JSON: fall through.
  }
  return 'no status given';
}

/** A kafkajs SASL mechanism speaking OAUTHBEARER with tokens from `provider`. */
export function oauthBearerMechanism(provider: () => Promise<OAuthBearerToken>): Mechanism {
  return {
    mechanism: 'oauthbearer',
    authenticationProvider: ({ host, port, saslAuthenticate }) => ({
      authenticate: async () => {
        const token = await provider();
        const challenge = await saslAuthenticate<Buffer>({
          request: { encode: () => framed(Buffer.from(initialResponse(token), 'utf8')) },
          response: { decode: (raw) => unframed(raw), parse: (data) => data },
        });
        if (challenge === undefined || challenge.length === 0) return;
        const status = refusalStatus(challenge);
        // The protocol wants the refusal acknowledged with one SOH; the broker then fails the exchange itself.
        await saslAuthenticate({ request: { encode: () => framed(Buffer.from(SOH)) } }).catch(
          () => undefined,
        );
        throw new SaslAuthenticationError(
          `SASL OAUTHBEARER authentication failed: the broker ${host}:${port} refused the token (${status})`,
        );
      },
    }),
  };
}
