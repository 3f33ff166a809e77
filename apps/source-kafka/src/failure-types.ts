// The one place that says what a failure means to Airbyte. The libraries throw errors in their own terms (a
// code, whether a retry may help); the runner asks `failureTypeOf` through the connector's classifyError hook.
import { causeChain, type FailureType } from '@source-kafka/airbyte-protocol';
import { ConsumerError, type ConsumerErrorCode, consumerErrorCodes } from '@source-kafka/consumer';
import {
  SchemaRegistryError,
  type SchemaRegistryErrorCode,
  schemaRegistryErrorCodes,
} from '@source-kafka/deserializers';
import { ConfigError } from '@source-kafka/spec';
import { SourceKafkaError } from './errors.js';

/** Consumer failures the user fixes (config, ACLs, topics); unless retriable, the others are system errors. */
const userFixableConsumerCodes: ReadonlySet<ConsumerErrorCode> = new Set([
  consumerErrorCodes.unsupportedMechanism,
  consumerErrorCodes.invalidConfig,
  // Not retriable: a host name that does not resolve, a typo rather than a network to wait for.
  consumerErrorCodes.brokersUnreachable,
  consumerErrorCodes.securityProtocolMismatch,
  consumerErrorCodes.notABroker,
  consumerErrorCodes.authenticationFailed,
  consumerErrorCodes.authorizationFailed,
  consumerErrorCodes.tokenEndpoint,
  consumerErrorCodes.topicNotFound,
  consumerErrorCodes.partitionNotFound,
  consumerErrorCodes.noStartOffset,
  consumerErrorCodes.groupHasActiveMembers,
]);

const registryFailureTypes: Readonly<Record<SchemaRegistryErrorCode, FailureType>> = {
  [schemaRegistryErrorCodes.unauthorized]: 'config_error',
  [schemaRegistryErrorCodes.notFound]: 'config_error',
  [schemaRegistryErrorCodes.notConfigured]: 'config_error',
  [schemaRegistryErrorCodes.invalidUrl]: 'config_error',
  [schemaRegistryErrorCodes.tlsFailed]: 'config_error',
  [schemaRegistryErrorCodes.unavailable]: 'transient_error',
  [schemaRegistryErrorCodes.badResponse]: 'system_error',
};

function consumerFailureType(error: ConsumerError): FailureType {
  if (error.retriable) return 'transient_error';
  return userFixableConsumerCodes.has(error.code) ? 'config_error' : 'system_error';
}

/**
 * The Airbyte failure type of an error this connector or its libraries threw: the first error in the cause
 * chain that one of them owns decides. Undefined for anything else, which the runner then classifies itself
 * (network errno codes and kafkajs' `retriable` are transient, the rest a system error).
 */
export function failureTypeOf(error: unknown): FailureType | undefined {
  for (const link of causeChain(error)) {
    if (link instanceof SourceKafkaError) return link.failureType;
    if (link instanceof ConfigError) return 'config_error';
    if (link instanceof ConsumerError) return consumerFailureType(link);
    if (link instanceof SchemaRegistryError) return registryFailureTypes[link.code];
  }
  return undefined;
}
