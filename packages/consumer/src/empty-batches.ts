// kafkajs 2.2.4 (unmaintained since 2023, pinned) decodes a fetched record batch into its records only, so a batch
// with none is invisible. The log cleaner leaves exactly such batches behind: it keeps an idempotent or
// transactional producer's last batch as an empty header (the Java producer is idempotent by default). A fetch
// whose segment holds nothing else after the position then looks empty, kafkajs fetches the same offset forever and
// the read could only end as 'stalled'. The Java consumer moves to the empty batch's next offset; kafkajs offers no
// hook for that, so kafkajs-internals.ts replaces its fetch-response decoder with one that, through recordsOfBatch,
// adds a control record at the empty batch's last offset. kafkajs already steps over batches made only of control records
// (see Batch.isEmptyDueToFiltering), never hands them out, and this package follows it via END_BATCH_PROCESS.
export interface DecodedRecordBatch {
  readonly firstOffset: string;
  readonly lastOffsetDelta: number;
  readonly maxTimestamp: string;
  readonly records: unknown[];
}

/** What kafkajs' record decoder makes of a control record, placed at `offset`. */
export interface SyntheticControlRecord {
  readonly magicByte: 2;
  readonly attributes: 0;
  readonly timestamp: string;
  readonly offset: string;
  readonly key: null;
  readonly value: null;
  readonly headers: Record<string, never>;
  readonly isControlRecord: true;
  readonly batchContext: Omit<DecodedRecordBatch, 'records'>;
}

/** The records kafkajs should see for one decoded batch: its own, or a control record standing for an empty one. */
export function recordsOfBatch(batch: DecodedRecordBatch): unknown[] {
  if (batch.records.length > 0) return batch.records;
  const { records: _records, ...context } = batch;
  const marker: SyntheticControlRecord = {
    magicByte: 2,
    attributes: 0,
    timestamp: batch.maxTimestamp,
    offset: (BigInt(batch.firstOffset) + BigInt(batch.lastOffsetDelta)).toString(),
    key: null,
    value: null,
    headers: {},
    isControlRecord: true,
    batchContext: context,
  };
  return [marker];
}
