export type {
  ApicurioConnection,
  ApicurioOwner,
  ApicurioState,
  ApicurioStatus,
  StartApicurioOptions,
  StartedApicurio,
} from './apicurio.js';
export {
  apicurioConnectionFilePath,
  apicurioStatus,
  probeApicurio,
  readApicurioConnection,
  releaseApicurio,
  startApicurio,
  stopApicurio,
  stopOrphanedApicurio,
} from './apicurio.js';
export type { ApicurioDistribution } from './apicurio-distribution.js';
export { ensureApicurio, ensureJava21, findJava21 } from './apicurio-distribution.js';
export type { ApicurioSettings } from './apicurio-settings.js';
export { APICURIO_VERSION, apicurioSettingsFrom, DEFAULT_APICURIO_PORT } from './apicurio-settings.js';
export type { BrokerOwner, BrokerState, BrokerStatus, StartedBroker, StartOptions } from './broker.js';
export {
  brokerConfigHash,
  brokerStatus,
  connectionFilePath,
  readBrokerConnection,
  releaseBroker,
  restartBroker,
  startBroker,
  stopBroker,
  stopOrphanedBroker,
} from './broker.js';
export type { ClientOptions, ListenerName, SaslMechanismOption } from './clients.js';
export { createKafka, kafkaConfigFor, LISTENER_NAMES, unsecuredJwt, withAdmin } from './clients.js';
export type {
  BrokerConnection,
  BrokerUsers,
  MskIamTestAccount,
  SaslUser,
  TlsMaterial,
} from './connection.js';
export type { ConsumedMessage, ConsumeOptions } from './consume.js';
export { consumeMessages } from './consume.js';
export type { KafkaDistribution } from './distribution.js';
export { ensureKafkaJars } from './distribution.js';
export type { ApicurioErrorCode, BrokerErrorCode } from './errors.js';
export { ApicurioError, apicurioErrorCodes, BrokerError, brokerErrorCodes } from './errors.js';
export { ensureMskIamValidator, MSK_IAM_VALIDATOR_CLASS } from './msk-iam-validator.js';
export { TEST_MSK_IAM, TEST_USERS } from './server-config.js';
export type { BrokerPorts, BrokerSettings } from './settings.js';
export {
  brokerSettingsFrom,
  DEFAULT_KAFKA_VERSION,
  DEFAULT_PORT_BASE,
  KAFKA_4_VERSION,
  portsFrom,
} from './settings.js';
export type { CreateTopicOptions, FixtureMessage, ProduceOptions } from './topics.js';
export {
  createTopic,
  deleteTopics,
  fixtureProducerConfig,
  produceMessages,
  uniqueTopicName,
} from './topics.js';
