// What the connector needs of Kafka and of the decoders, in its own words. The adapters in ./kafka-port.ts and ./connector.ts
// fill them from the consumer and deserializers packages; unit tests fill them with in-memory fakes.
import type {
  KafkaRecord,
  OffsetReport,
  PartitionRange,
  PartitionStart,
  RecordBatch,
  StopReason,
  TopicInfo,
} from '@source-kafka/consumer';
import type { Deserializer, JsonTextDeserializer, StreamJsonSchema } from '@source-kafka/deserializers';

export interface TopicOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** One bounded read: the end offsets were snapshotted when it was opened. */
export interface ReadSession {
  readonly ranges: readonly PartitionRange[];
  /** Retention gaps and offsets beyond the end found while resolving the starts. */
  readonly reports: readonly OffsetReport[];
  readonly batches: AsyncIterable<RecordBatch>;
  /** Commits checkpointed offsets to the consumer group (only called when configured). */
  commit(offsets: readonly TopicOffset[]): Promise<void>;
  /**
   * After the batches ended on their own: the exact next offset of every partition, including moves past
   * transaction markers and aborted messages that never came as records.
   */
  finalOffsets(): readonly TopicOffset[];
  /**
   * How the batches ended: 'end' when every partition reached its snapshotted end, 'stalled' when the brokers
   * sent nothing for the stall timeout before that, 'closed' when the read was stopped (a cap, a signal).
   */
  stopReason(): StopReason;
  close(): Promise<void>;
}

export interface KafkaPort {
  /** Topics the subscription selects, with partition counts. */
  listTopics(): Promise<TopicInfo[]>;
  /**
   * The Kafka topic IDs of these topics (name -> ID), or undefined when the cluster has none to give. A port
   * without it (a test fake) makes the read rely on offsets alone to notice a recreated topic.
   */
  topicIds?(topics: readonly string[]): Promise<ReadonlyMap<string, string> | undefined>;
  /**
   * Opens a read of exactly these partitions. A start without an offset uses the configured start
   * position; full refresh passes `earliest: true` for its partitions.
   */
  openRead(starts: readonly ReadStart[]): Promise<ReadSession>;
  /**
   * For `discover`: up to `perPartition` of the newest records of every partition of these topics (fewer
   * when a partition holds fewer), by topic. Reads no further than the end offsets found when it starts, so
   * it reads only the sample whatever the topic's size; a topic's records beyond `maxBytesPerTopic` (keys
   * and values) are dropped, so memory stays bounded too.
   */
  sampleLatest(
    topics: readonly TopicInfo[],
    perPartition: number | ((topic: TopicInfo) => number),
    options?: SampleOptions,
  ): Promise<Map<string, KafkaRecord[]>>;
  /** For `check`: the topic exists and this principal may read it. Throws an error that says which. */
  checkTopicReadable(topic: string): Promise<void>;
  /** Releases the admin connection used by listTopics and checkTopicReadable. */
  close(): Promise<void>;
}

export interface SampleOptions {
  readonly maxBytesPerTopic?: number | undefined;
}

export interface ReadStart extends PartitionStart {
  /** Read from the log start whatever the configured start position (full refresh). */
  readonly earliest?: boolean;
}

export interface Decoders {
  readonly key: Deserializer;
  readonly value: Deserializer;
  /**
   * The formats' text paths, where they have one: used when the record keeps the key or value whole under
   * one field (nested layout, no envelope), so its JSON text goes into the output as it arrived.
   */
  readonly keyText?: JsonTextDeserializer | undefined;
  readonly valueText?: JsonTextDeserializer | undefined;
  /** The value's text path for flattened records: an object's members as JsonObjectMembers. */
  readonly valueMembers?: JsonTextDeserializer | undefined;
}

export interface SchemaSource {
  /** The JSON Schema of a topic's keys or values, from the registry when the format uses one. */
  streamSchema(topic: string, part: 'key' | 'value'): Promise<StreamJsonSchema>;
}
