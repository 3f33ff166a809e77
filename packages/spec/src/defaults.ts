// One place for every default, read by both the JSON schema (for the UI) and parseConfig (for the config),
// so the two can never disagree.

export const DEFAULTS = {
  clientId: 'airbyte-source-kafka',
  groupId: 'airbyte-source-kafka',
  maxPollRecords: 500,
  pollingTimeMs: 100,
  enableAutoCommit: true,
  autoCommitIntervalMs: 5000,
  clientDnsLookup: 'use_all_dns_ips',
  retryBackoffMs: 100,
  requestTimeoutMs: 30000,
  receiveBufferBytes: 32768,
  autoOffsetReset: 'latest',
  repeatedCalls: 3,
  maxRecordsProcess: 100000,
  subjectNameStrategy: 'TopicNameStrategy',
  valueFormat: 'JSON',
  keyFormat: 'STRING',
  validateJsonSchema: false,
  isolationLevel: 'read_committed',
  includeKey: true,
  includeHeaders: false,
  includeMetadata: true,
  valueLayout: 'nested',
  primaryKey: 'offset',
  envelope: 'none',
  checkpointEveryRecords: 10000,
  checkpointEverySeconds: 60,
  badMessagePolicy: 'fail',
  retentionGapPolicy: 'continue',
  brokerOutageSeconds: 60,
  schemaInferenceSampleSize: 1000,
} as const;

export const MESSAGE_FORMATS = ['JSON', 'STRING', 'BYTES', 'AVRO', 'PROTOBUF', 'JSON_SCHEMA'] as const;
export const REGISTRY_FORMATS = ['AVRO', 'PROTOBUF', 'JSON_SCHEMA'] as const;
export const SUBJECT_NAME_STRATEGIES = [
  'TopicNameStrategy',
  'RecordNameStrategy',
  'TopicRecordNameStrategy',
] as const;
