import { InvalidCatalogError as ProtocolCatalogError } from '@source-kafka/airbyte-protocol';
import { ConsumerError, consumerErrorCodes } from '@source-kafka/consumer';
import {
  DeserializationError,
  SchemaRegistryError,
  StreamSchemaError,
  schemaRegistryErrorCodes,
} from '@source-kafka/deserializers';
import { ConfigError } from '@source-kafka/spec';
import { describe, expect, it } from 'vitest';
import { PoisonMessageError, ReadStalledError } from './errors.js';
import { failureTypeOf } from './failure-types.js';

describe('failureTypeOf', () => {
  it.each([
    [
      'a config the spec refuses',
      new ConfigError([{ path: 'bootstrap_servers', message: 'is required' }]),
      'config_error',
    ],
    [
      'refused credentials',
      new ConsumerError(consumerErrorCodes.authenticationFailed, 'SASL authentication failed'),
      'config_error',
    ],
    [
      'a broker host that does not resolve',
      new ConsumerError(consumerErrorCodes.brokersUnreachable, 'Could not reach getaddrinfo ENOTFOUND'),
      'config_error',
    ],
    [
      'brokers that do not answer',
      ConsumerError.retriable(consumerErrorCodes.brokersUnreachable, 'Could not reach the Kafka brokers'),
      'transient_error',
    ],
    [
      'a request timeout',
      ConsumerError.retriable(consumerErrorCodes.timeout, 'timed out'),
      'transient_error',
    ],
    [
      'a kafkajs error nobody understood',
      new ConsumerError(consumerErrorCodes.kafkaError, 'Kafka error'),
      'system_error',
    ],
    [
      'an OAuth endpoint without a token',
      new ConsumerError(consumerErrorCodes.tokenAnswerInvalid, 'no token'),
      'system_error',
    ],
    ['a bug in the consumer', new ConsumerError(consumerErrorCodes.internal, 'boom'), 'system_error'],
    [
      'a registry refusing the credentials',
      new SchemaRegistryError(schemaRegistryErrorCodes.unauthorized, '401'),
      'config_error',
    ],
    [
      'a registry TLS failure',
      new SchemaRegistryError(schemaRegistryErrorCodes.tlsFailed, 'TLS'),
      'config_error',
    ],
    [
      'a registry that is down',
      new SchemaRegistryError(schemaRegistryErrorCodes.unavailable, '503'),
      'transient_error',
    ],
    [
      'a registry answering nonsense',
      new SchemaRegistryError(schemaRegistryErrorCodes.badResponse, '?'),
      'system_error',
    ],
    [
      'a poison message under the fail policy',
      new PoisonMessageError('orders', 0, '7', 'invalid JSON'),
      'config_error',
    ],
    ['brokers that stopped sending mid-sync', new ReadStalledError(['orders']), 'transient_error'],
  ] as const)('reports %s as %s', (_what, error, expected) => {
    expect(failureTypeOf(error)).toBe(expected);
  });

  it('decides by the first error in the cause chain that this connector or a library owns', () => {
    const registryDown = new SchemaRegistryError(schemaRegistryErrorCodes.unavailable, 'down');
    const schema = new StreamSchemaError(
      { topic: 'orders', part: 'value', subject: 'orders-value' },
      registryDown,
    );
    expect(failureTypeOf(new Error('discover failed', { cause: schema }))).toBe('transient_error');
  });

  it("leaves anything else to the runner's own classification", () => {
    expect(failureTypeOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(failureTypeOf(Object.assign(new Error('x'), { failureType: 'config_error' }))).toBeUndefined();
    expect(
      failureTypeOf(
        new DeserializationError({
          code: 'INVALID_JSON',
          topic: 't',
          partition: 0,
          offset: '1',
          part: 'value',
          format: 'JSON',
          reason: 'not JSON',
        }),
      ),
    ).toBeUndefined();
    // The protocol package's own errors carry their type; the runner reads it.
    expect(failureTypeOf(new ProtocolCatalogError('bad catalog'))).toBeUndefined();
  });
});
