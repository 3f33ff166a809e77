export type { ListParse } from './addresses.js';
export { parseBootstrapServers, parseTopicPartitions } from './addresses.js';
export { MSK_IAM_LOGIN_MODULE, regionFromBrokers } from './aws-msk-iam.js';
export type {
  AwsMskIamConfig,
  CheckpointConfig,
  FormatConfig,
  KafkaSourceConfig,
  MessageFormat,
  ReadBoundsConfig,
  RecordLayoutConfig,
  SaslConfig,
  SchemaRegistryConfig,
  SecurityConfig,
  SecurityProtocol,
  StartPosition,
  SubjectNameStrategy,
  Subscription,
  TlsConfig,
  TopicPartitionRef,
} from './config.js';
export type { ConfigProblem } from './errors.js';
export { CONFIG_INVALID, ConfigError, formatProblem } from './errors.js';
export type { JaasControlFlag, JaasLoginEntry } from './jaas.js';
export { JAAS_INVALID, JaasConfigError, parseJaasConfig } from './jaas.js';
export { parseConfig, recordNamesForTopic } from './parse.js';
export type { ConnectorSpecification, JsonObject, JsonValue } from './schema.js';
export { secretPaths, spec } from './schema.js';
