import { KafkaJSSASLAuthenticationError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { initialResponse, oauthBearerMechanism, refusalStatus } from './oauthbearer-sasl.js';

const SOH = '\u0001';

/** A broker's side of the exchange: records what the client sends, answers with the given SASL bytes. */
function broker(answers: Buffer[]) {
  const sent: string[] = [];
  const saslAuthenticate = async (args: {
    request: { encode: () => Buffer | Promise<Buffer> };
    response?: { decode: (raw: Buffer) => Buffer | Promise<Buffer>; parse: (data: Buffer) => unknown };
  }) => {
    const bytes = await args.request.encode();
    expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
    sent.push(bytes.subarray(4).toString('utf8'));
    const answer = answers.shift() ?? Buffer.alloc(0);
    const framed = Buffer.concat([Buffer.alloc(4), answer]);
    framed.writeInt32BE(answer.length, 0);
    if (args.response === undefined) return undefined as never;
    return args.response.parse(await args.response.decode(framed)) as never;
  };
  return { sent, saslAuthenticate };
}

function authenticate(mechanism: ReturnType<typeof oauthBearerMechanism>, saslAuthenticate: unknown) {
  return mechanism
    .authenticationProvider({
      host: 'broker.test',
      port: 9098,
      logger: {} as never,
      saslAuthenticate: saslAuthenticate as never,
    })
    .authenticate();
}

describe('OAUTHBEARER mechanism', () => {
  it('sends the GS2 header, the bearer token and the extensions (RFC 7628)', () => {
    expect(initialResponse({ value: 'tok' })).toBe(`n,,${SOH}auth=Bearer tok${SOH}${SOH}`);
    expect(initialResponse({ value: 'tok', extensions: { a: '1', b: '2' } })).toBe(
      `n,,${SOH}auth=Bearer tok${SOH}a=1${SOH}b=2${SOH}${SOH}`,
    );
  });

  it('succeeds when the broker answers with no challenge', async () => {
    const { sent, saslAuthenticate } = broker([]);
    await authenticate(
      oauthBearerMechanism(async () => ({ value: 'good' })),
      saslAuthenticate,
    );
    expect(sent).toEqual([`n,,${SOH}auth=Bearer good${SOH}${SOH}`]);
  });

  it('fails with the broker status when it refuses the token, after acknowledging the refusal', async () => {
    const { sent, saslAuthenticate } = broker([
      Buffer.from(JSON.stringify({ status: 'invalid_token: X-Amz-Signature does not match' })),
    ]);
    const error = await authenticate(
      oauthBearerMechanism(async () => ({ value: 'bad' })),
      saslAuthenticate,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError);
    expect((error as Error).message).toBe(
      'SASL OAUTHBEARER authentication failed: the broker broker.test:9098 refused the token (invalid_token: X-Amz-Signature does not match)',
    );
    expect(sent).toEqual([`n,,${SOH}auth=Bearer bad${SOH}${SOH}`, SOH]);
  });

  it('names no status when the refusal is not the JSON the RFC defines', () => {
    expect(refusalStatus(Buffer.from('garbage'))).toBe('no status given');
    expect(refusalStatus(Buffer.from('{"scope":"x"}'))).toBe('no status given');
    expect(refusalStatus(Buffer.from(JSON.stringify({ status: 'x'.repeat(1000) })))).toHaveLength(300);
  });
});
