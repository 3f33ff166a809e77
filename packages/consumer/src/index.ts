export type {
  Clock,
  KafkaHeader,
  KafkaRecord,
  Logger,
  OffsetReport,
  PartitionRange,
  PartitionStart,
  RecordBatch,
  TimestampType,
  TopicInfo,
} from './types.js';
