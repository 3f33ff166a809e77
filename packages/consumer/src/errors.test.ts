import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConsumerError, classifyError } from './errors.js';

const servers = ['b1:9092', 'b2:9092'];
// kafkajs' typings declare this constructor without the message it takes.
const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

describe('classifyError', () => {
  it('makes SASL authentication failures config errors', () => {
    const error = classifyError(
      new SaslError('SASL SCRAM SHA512 authentication failed'),
      'connecting',
      servers,
    );
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', failureType: 'config_error' });
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
      failureType: 'config_error',
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
    expect(error).toMatchObject({ code: 'BROKERS_UNREACHABLE', failureType: 'transient_error' });
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
      failureType: 'transient_error',
    });
  });

  it('keeps a ConsumerError as it is', () => {
    const original = new ConsumerError('TOPIC_NOT_FOUND', 'config_error', 'nothing');
    expect(classifyError(original, 'x', servers)).toBe(original);
  });

  it('reports anything else as a system error with the cause kept', () => {
    const cause = new TypeError('boom');
    expect(classifyError(cause, 'reading', servers)).toMatchObject({
      code: 'INTERNAL',
      failureType: 'system_error',
      cause,
    });
  });
});
