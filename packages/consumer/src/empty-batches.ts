// kafkajs 2.2.4 (unmaintained since 2023, pinned) decodes a fetched record batch into its records only, so a batch
// with none is invisible. The log cleaner leaves exactly such batches behind: it keeps an idempotent or
// transactional producer's last batch as an empty header (the Java producer is idempotent by default). A fetch
// whose segment holds nothing else after the position then looks empty, kafkajs fetches the same offset forever and
// the read could only end as 'stalled'. The Java consumer moves to the empty batch's next offset; kafkajs offers no
// hook for that, so this replaces its fetch-response decoder (loaded lazily, on the first fetch) with one that adds a
// control record at the empty batch's last offset. kafkajs already steps over batches made only of control records
// (see Batch.isEmptyDueToFiltering), never hands them out, and this package follows it via END_BATCH_PROCESS.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface KafkajsDecoder {
  readInt32(): number;
  readBytes(length: number): Buffer;
  canReadBytes(length: number): boolean;
}

interface DecodedRecordBatch {
  readonly firstOffset: string;
  readonly lastOffsetDelta: number;
  readonly maxTimestamp: string;
  readonly records: unknown[];
}

type DecodeMessages = (decoder: KafkajsDecoder) => Promise<unknown[]>;

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

// Mirrors kafkajs' src/protocol/requests/fetch/v4/decodeMessages.js, line for line, except for recordsOfBatch.
const MAGIC_OFFSET = 16;
const RECORD_BATCH_MAGIC = 2;
const RECORD_BATCH_OVERHEAD = 49;

let installed: boolean | undefined;

/**
 * Makes kafkajs step over empty record batches. Idempotent. Returns false if kafkajs' fetch decoding was already
 * loaded (a fetch ran before this package was imported), in which case nothing is changed.
 */
export function stepOverEmptyBatches(): boolean {
  if (installed !== undefined) return installed;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('kafkajs'));
  const source = (path: string) => join(root, 'src', path);
  const decodeMessagesPath = source('protocol/requests/fetch/v4/decodeMessages.js');
  const responsePaths = ['v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11'].map((v) =>
    source(`protocol/requests/fetch/${v}/response.js`),
  );
  if (responsePaths.some((path) => require.cache[path] !== undefined)) {
    installed = false;
    return installed;
  }
  const Decoder = require(source('protocol/decoder.js')) as new (buffer: Buffer) => KafkajsDecoder;
  const decodeRecordBatch = require(source('protocol/recordBatch/v0/decoder.js')) as (
    decoder: KafkajsDecoder,
  ) => Promise<DecodedRecordBatch>;
  const decodeMessageSet = require(source('protocol/messageSet/decoder.js')) as (
    decoder: KafkajsDecoder,
    size: number,
  ) => unknown[];
  require(decodeMessagesPath);
  const cached = require.cache[decodeMessagesPath];
  if (cached === undefined) {
    installed = false;
    return installed;
  }
  const decodeMessages: DecodeMessages = async (decoder) => {
    const messagesSize = decoder.readInt32();
    if (messagesSize <= 0 || !decoder.canReadBytes(messagesSize)) return [];
    const messagesBuffer = decoder.readBytes(messagesSize);
    const messagesDecoder = new Decoder(messagesBuffer);
    if (messagesBuffer.subarray(MAGIC_OFFSET).readInt8(0) !== RECORD_BATCH_MAGIC) {
      return decodeMessageSet(messagesDecoder, messagesSize);
    }
    const records: unknown[] = [];
    while (messagesDecoder.canReadBytes(RECORD_BATCH_OVERHEAD)) {
      try {
        records.push(...recordsOfBatch(await decodeRecordBatch(messagesDecoder)));
      } catch (error) {
        // A fetch may end in a partial batch (maxBytes); kafkajs drops it the same way.
        if (error instanceof Error && error.name === 'KafkaJSPartialMessageError') break;
        throw error;
      }
    }
    return records;
  };
  cached.exports = decodeMessages;
  installed = true;
  return installed;
}
