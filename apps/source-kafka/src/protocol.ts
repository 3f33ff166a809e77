// The protocol types this app uses, gathered in one place.
export type {
  AirbyteMessage,
  AirbyteMessageSink,
  AirbyteRecordMessageMeta,
  AirbyteStreamStatus,
  Clock,
  ConnectorLogger,
  SyncMode,
} from '@source-kafka/airbyte-protocol';
