import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConsumerError, classifyError, clientSecurity } from './errors.js';

const servers = ['b1:9092', 'b2:9092'];
// kafkajs' typings declare this constructor without the message it takes.
const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

describe('classifyError', () => {
  it('says a server without the client APIs looks like a KRaft controller listener', () => {
    // The shape kafkajs throws when ApiVersions lacks an API it needs.
    const error = Object.assign(new Error('The Kafka server does not support the requested API version'), {
      name: 'KafkaJSServerDoesNotSupportApiKey',
      apiKey: 3,
      apiName: 'Metadata',
    });
    expect(classifyError(error, 'fetching metadata', ['127.0.0.1:9093'])).toMatchObject({
      code: 'NOT_A_BROKER',
      retriable: false,
      message:
        '127.0.0.1:9093 does not serve Metadata requests while fetching metadata: it looks like a KRaft controller listener (controller.listener.names), not a broker. Point bootstrap_servers at a broker listener.',
    });
  });

  // kafkajs' typings leave this class out; the runtime exports it.
  const ClosedError = (kafkajs as unknown as Record<string, new (message: string, at: object) => Error>)
    .KafkaJSConnectionClosedError!;
  const closedAfterRetries = () =>
    new kafkajs.KafkaJSNumberOfRetriesExceeded(
      new ClosedError('Closed connection', { host: 'b1', port: 9092 }),
      {
        retryCount: 5,
        retryTime: 100,
      },
    );

  it('tells a PLAINTEXT client whose connection a TLS or SASL listener closed to set the security protocol', () => {
    const error = classifyError(closedAfterRetries(), 'connecting', servers, { plaintext: true });
    expect(error).toMatchObject({ code: 'SECURITY_PROTOCOL_MISMATCH', retriable: false });
    expect(error.message).toContain('set protocol.security_protocol');
  });

  it('keeps a closed connection transient for a client that already uses TLS or SASL', () => {
    expect(classifyError(closedAfterRetries(), 'connecting', servers, { plaintext: false })).toMatchObject({
      code: 'BROKERS_UNREACHABLE',
      retriable: true,
    });
  });

  it('makes a bootstrap host that does not resolve a config error', () => {
    const unknown = new kafkajs.KafkaJSConnectionError(
      'Connection error: getaddrinfo ENOTFOUND no-such-host.invalid',
    );
    expect(classifyError(unknown, 'connecting', servers)).toMatchObject({
      code: 'BROKERS_UNREACHABLE',
      retriable: false,
    });
  });

  it('keeps a refused connection transient for a PLAINTEXT client', () => {
    const refused = new kafkajs.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    expect(classifyError(refused, 'connecting', servers, { plaintext: true })).toMatchObject({
      code: 'BROKERS_UNREACHABLE',
      retriable: true,
    });
  });

  it('reads PLAINTEXT from the security protocol', () => {
    expect(clientSecurity({ security: { protocol: 'PLAINTEXT' } })).toEqual({ plaintext: true });
    expect(clientSecurity({ security: { protocol: 'SSL' } })).toEqual({ plaintext: false });
  });

  it('makes SASL authentication failures config errors', () => {
    const error = classifyError(
      new SaslError('SASL SCRAM SHA512 authentication failed'),
      'connecting',
      servers,
    );
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', retriable: false });
    expect(error.cause).toBeInstanceOf(kafkajs.KafkaJSSASLAuthenticationError);
  });

  it('makes authorization failures config errors', () => {
    const protocolError = new kafkajs.KafkaJSProtocolError({
      message: 'Not authorized to access topics: [Topic authorization failed]',
      type: 'TOPIC_AUTHORIZATION_FAILED',
      code: 29,
      retriable: false,
    } as unknown as Error);
    expect(classifyError(protocolError, 'reading', servers)).toMatchObject({
      code: 'AUTHORIZATION_FAILED',
      retriable: false,
    });
  });

  it('names the bootstrap servers when they cannot be reached', () => {
    const connection = new kafkajs.KafkaJSConnectionError(
      'Connection error: connect ECONNREFUSED 127.0.0.1:1',
    );
    const error = classifyError(
      new kafkajs.KafkaJSNumberOfRetriesExceeded(connection, { retryCount: 5, retryTime: 100 }),
      'connecting',
      servers,
    );
    expect(error).toMatchObject({ code: 'BROKERS_UNREACHABLE', retriable: true });
    expect(error.message).toContain('b1:9092,b2:9092');
  });

  it('reports a retriable broker error that outlived its retries as transient', () => {
    const leader = new kafkajs.KafkaJSProtocolError({
      message: 'There is no leader for this topic-partition as we are in the middle of a leadership election',
      type: 'LEADER_NOT_AVAILABLE',
      code: 5,
      retriable: true,
    } as unknown as Error);
    expect(classifyError(leader, 'fetching offsets', servers)).toMatchObject({
      code: 'BROKER_ERROR',
      retriable: true,
    });
  });

  it('keeps a ConsumerError as it is', () => {
    const original = new ConsumerError('TOPIC_NOT_FOUND', 'nothing');
    expect(classifyError(original, 'x', servers)).toBe(original);
  });

  it('reports anything else as a system error with the cause kept', () => {
    const cause = new TypeError('boom');
    expect(classifyError(cause, 'reading', servers)).toMatchObject({
      code: 'INTERNAL',
      retriable: false,
      cause,
    });
  });
});
