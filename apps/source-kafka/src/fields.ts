// Names of the fields the connector adds to every record. One prefix, so they never clash with the
// value's own fields in a destination, and partition+offset can serve as the primary key anywhere.

export const METADATA_PREFIX = '_kafka_';

export const fieldNames = {
  topic: '_kafka_topic',
  partition: '_kafka_partition',
  offset: '_kafka_offset',
  timestamp: '_kafka_timestamp',
  timestampType: '_kafka_timestamp_type',
  key: '_kafka_key',
  headers: '_kafka_headers',
  isTombstone: '_kafka_is_tombstone',
  /** With the message key as primary key, each field of an object key also becomes `_kafka_key_<field>`. */
  keyFieldPrefix: '_kafka_key_',
  /** Airbyte's CDC columns: deduplicating destinations delete the row whose latest version has this set. */
  deletedAt: '_ab_cdc_deleted_at',
  updatedAt: '_ab_cdc_updated_at',
  /** Where the decoded value sits in the nested layout (and non-object values in the flattened one). */
  value: 'value',
} as const;
