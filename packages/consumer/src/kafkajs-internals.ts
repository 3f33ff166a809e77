// Every place this package reaches past kafkajs' public API, in one module. kafkajs 2.2.4 has had no release since
// 2023; it lacks things a bounded read needs and has one timer bug, and each hook below works around one of them
// through kafkajs' internals. They were proven on exactly the versions in PROVEN_KAFKAJS_VERSIONS (the canaries in
// test/kafkajs-hooks.int.test.ts, against the real broker), so another version is refused when the package loads,
// and a hook that is missing fails the read with a ConsumerError instead of falling back. The README's "kafkajs
// hooks" section says what each one buys and which test guards it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import kafkajs, { type Kafka, type KafkaMessage } from 'kafkajs';
import { type DecodedRecordBatch, recordsOfBatch } from './empty-batches.js';
import { ConsumerError, consumerErrorCodes } from './errors.js';
import type { TimestampType } from './types.js';

/** The kafkajs releases whose internals the hooks below were proven on. */
export const PROVEN_KAFKAJS_VERSIONS: readonly string[] = ['2.2.4'];

export type KafkajsHook =
  | 'version'
  | 'empty-batches'
  | 'private-cluster'
  | 'batch-context'
  | 'seek-before-run'
  | 'raw-broker'
  | 'idle-request-queue';

export interface KafkajsHookStatus {
  readonly hook: KafkajsHook;
  readonly installed: boolean;
  /** What was found: the version and path, the symbol, the error text matched. */
  readonly detail: string;
}

const require = createRequire(import.meta.url);

/** The error every hook throws when kafkajs no longer has what it reaches for. */
export function hookMissing(hook: KafkajsHook, detail: string, cause?: unknown): ConsumerError {
  return new ConsumerError(
    consumerErrorCodes.kafkajsHookMissing,
    `kafkajs internals changed: hook "${hook}" of @source-kafka/consumer is missing (${detail}). Install exactly kafkajs ${PROVEN_KAFKAJS_VERSIONS.join(' or ')}.`,
    cause === undefined ? undefined : { cause },
  );
}

// --- version -------------------------------------------------------------------------------------------------

export interface LocatedKafkajs {
  readonly version: string;
  /** The folder holding kafkajs' package.json. */
  readonly root: string;
}

function locateKafkajs(): LocatedKafkajs | Error {
  try {
    const path = require.resolve('kafkajs/package.json');
    const { version } = require(path) as { version?: unknown };
    if (typeof version !== 'string') return new Error(`${path} names no version`);
    return { version, root: dirname(path) };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

const located = locateKafkajs();

/** Whether the kafkajs that `import 'kafkajs'` loads is a version the hooks were proven on. */
export function kafkajsVersionStatus(): KafkajsHookStatus {
  if (located instanceof Error) {
    return {
      hook: 'version',
      installed: false,
      detail: `kafkajs/package.json not found: ${located.message}`,
    };
  }
  return {
    hook: 'version',
    installed: PROVEN_KAFKAJS_VERSIONS.includes(located.version),
    detail: `kafkajs ${located.version} at ${located.root}`,
  };
}

/** The refusal for a kafkajs found (or not) where `import 'kafkajs'` looks; undefined for a proven version. */
export function kafkajsVersionRefusal(found: LocatedKafkajs | Error): ConsumerError | undefined {
  if (found instanceof Error) return hookMissing('version', 'kafkajs/package.json cannot be read', found);
  if (PROVEN_KAFKAJS_VERSIONS.includes(found.version)) return undefined;
  return new ConsumerError(
    consumerErrorCodes.kafkajsNotProven,
    `kafkajs ${found.version} is installed, but @source-kafka/consumer replaces kafkajs internals proven only on kafkajs ${PROVEN_KAFKAJS_VERSIONS.join(', ')}: install exactly that version.`,
    { cause: new Error(`kafkajs ${found.version} loaded from ${found.root}`) },
  );
}

const versionError = (): ConsumerError | undefined => kafkajsVersionRefusal(located);

// --- empty-batches: kafkajs' fetch-response decoder, replaced through require.cache ----------------------------
// kafkajs decodes a fetched record batch into its records only, so a batch with none (the log cleaner keeps an
// idempotent producer's last batch as such an empty header) is invisible and kafkajs fetches the same offset
// forever. The replacement decoder adds a control record at the empty batch's last offset (recordsOfBatch), which
// kafkajs and the read step over, as the Java consumer does.

interface KafkajsDecoder {
  readInt32(): number;
  readBytes(length: number): Buffer;
  canReadBytes(length: number): boolean;
}

/** What the replacement keeps on itself: the empty batches it has stepped over in this process. */
interface Replacement {
  stepped: number;
}

type DecodeMessages = ((decoder: KafkajsDecoder) => Promise<unknown[]>) & { [REPLACED]?: Replacement };

// Marks the replacement, so a second copy of this module (a bundle or test runner that evaluates it twice) finds
// it in place and shares its count.
const REPLACED = Symbol.for('@source-kafka/consumer:decodeMessages');

// Mirrors kafkajs' src/protocol/requests/fetch/v4/decodeMessages.js, line for line, except for recordsOfBatch.
const MAGIC_OFFSET = 16;
const RECORD_BATCH_MAGIC = 2;
const RECORD_BATCH_OVERHEAD = 49;
const FETCH_RESPONSE_VERSIONS = ['v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11'];

let replacement: Replacement | undefined;

function installEmptyBatches(root: string): KafkajsHookStatus {
  const source = (path: string) => join(root, 'src', path);
  const decodeMessagesPath = source('protocol/requests/fetch/v4/decodeMessages.js');
  try {
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
    if (cached === undefined) throw new Error(`${decodeMessagesPath} is not in require.cache`);
    replacement = (cached.exports as DecodeMessages)[REPLACED];
    if (replacement === undefined) {
      const state: Replacement = { stepped: 0 };
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
            const batch = await decodeRecordBatch(messagesDecoder);
            if (batch.records.length === 0) state.stepped += 1;
            records.push(...recordsOfBatch(batch));
          } catch (error) {
            // A fetch may end in a partial batch (maxBytes); kafkajs drops it the same way.
            if (error instanceof Error && error.name === 'KafkaJSPartialMessageError') break;
            throw error;
          }
        }
        return records;
      };
      decodeMessages[REPLACED] = state;
      cached.exports = decodeMessages;
      replacement = state;
    }
    // The response parsers bind the decoder when they load: unload any loaded before this, so they load again
    // (on the next fetch) with the replacement.
    for (const version of FETCH_RESPONSE_VERSIONS) {
      delete require.cache[source(`protocol/requests/fetch/${version}/response.js`)];
    }
    return { hook: 'empty-batches', installed: true, detail: `replaced ${decodeMessagesPath}` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      hook: 'empty-batches',
      installed: false,
      detail: `cannot replace ${decodeMessagesPath}: ${reason}`,
    };
  }
}

// Installed when this module loads, whatever kafkajs fetched before (its response parsers are reloaded); not on
// an unproven kafkajs, whose files may differ.
const emptyBatches: KafkajsHookStatus =
  located instanceof Error || versionError() !== undefined
    ? { hook: 'empty-batches', installed: false, detail: 'not installed: kafkajs version not proven' }
    : installEmptyBatches(located.root);

/** Whether kafkajs' fetch-response decoder is the replacement that steps over empty record batches. */
export function emptyBatchesStatus(): KafkajsHookStatus {
  return emptyBatches;
}

/** How many empty record batches the replacement decoder has turned into control records in this process. */
export function emptyBatchesStepped(): number {
  return replacement?.stepped ?? 0;
}

// --- idle-request-queue: no timer loop on a connection with nothing to send ------------------------------------
// After every response kafkajs' RequestQueue schedules its next look at the pending requests, even with none
// pending and no throttle: `throttledUntil` starts at -1, so the delay is minus the current Unix time in ms. Node
// 24 warns about that on stderr, in every sync (TimeoutNegativeWarning, kafkajs issue 1751), and clamps it to
// 1 ms, so each connection wakes the process a thousand times a second for nothing until it closes (issue
// 1704). The replacement schedules nothing when nothing is pending and the queue is not throttled, and
// otherwise does what kafkajs does: a request that has to wait schedules its own check when it is queued.

/** kafkajs' own value, in the same file. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;
const IDLE_PATCHED = Symbol.for('@source-kafka/consumer:scheduleCheckPendingRequests');

/** The fields of a kafkajs RequestQueue the replacement reads and writes, as kafkajs names them. */
export interface KafkajsRequestQueue {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: readonly unknown[];
  checkPendingRequests(): void;
}

/** RequestQueue#scheduleCheckPendingRequests without the loop; exported for its unit test. */
export function scheduleCheckPendingRequests(this: KafkajsRequestQueue): void {
  if (this.throttleCheckTimeoutId) return;
  let delay = this.throttledUntil - Date.now();
  if (this.pending.length > 0) delay = delay > 0 ? delay : CHECK_PENDING_REQUESTS_INTERVAL;
  else if (delay <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

function installIdleRequestQueue(root: string): KafkajsHookStatus {
  const path = join(root, 'src', 'network', 'requestQueue', 'index.js');
  try {
    const RequestQueue = require(path) as { prototype?: Record<string | symbol, unknown> };
    const prototype = RequestQueue.prototype;
    if (typeof prototype?.scheduleCheckPendingRequests !== 'function') {
      throw new Error('it has no RequestQueue#scheduleCheckPendingRequests');
    }
    // Connections require the same file, so they share this prototype whenever they were made.
    if (prototype[IDLE_PATCHED] !== true) {
      prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
      prototype[IDLE_PATCHED] = true;
    }
    return {
      hook: 'idle-request-queue',
      installed: true,
      detail: `replaced RequestQueue#scheduleCheckPendingRequests of ${path}`,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { hook: 'idle-request-queue', installed: false, detail: `cannot patch ${path}: ${reason}` };
  }
}

const idleRequestQueue: KafkajsHookStatus =
  located instanceof Error || versionError() !== undefined
    ? { hook: 'idle-request-queue', installed: false, detail: 'not installed: kafkajs version not proven' }
    : installIdleRequestQueue(located.root);

/** Whether kafkajs' request queues leave an idle connection alone. */
export function idleRequestQueueStatus(): KafkajsHookStatus {
  return idleRequestQueue;
}

// --- private-cluster: kafkajs' own Cluster factory, behind a private symbol -----------------------------------
// kafkajs' public admin and consumer cannot send two requests this package needs: ListOffsets with
// READ_UNCOMMITTED (the high watermark) and OffsetCommit as a standalone consumer (generation -1, no member id).
// Its internal Cluster can; the Kafka instance keeps that Cluster's factory behind a private symbol.

const CREATE_CLUSTER = 'private:Kafka:createCluster';

export interface OffsetRequest {
  readonly topic: string;
  readonly fromBeginning: boolean;
  readonly partitions: readonly { readonly partition: number }[];
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  readonly groupGenerationId: number;
  readonly memberId: string;
  readonly topics: readonly {
    readonly topic: string;
    readonly partitions: readonly { readonly partition: number; readonly offset: string }[];
  }[];
}

/** The part of a kafkajs Broker (one connection) used here. Errors are kafkajs protocol errors with a `type`. */
export interface PrivateBroker {
  offsetCommit(request: OffsetCommitRequest): Promise<unknown>;
}

export interface PrivateCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: readonly string[]): Promise<void>;
  fetchTopicsOffset(
    topics: readonly OffsetRequest[],
  ): Promise<readonly { topic: string; partitions: readonly { partition: number; offset: string }[] }[]>;
  findGroupCoordinator(request: { groupId: string }): Promise<PrivateBroker>;
}

export type CreateCluster = (options: {
  allowAutoTopicCreation: boolean;
  isolationLevel?: number | undefined;
}) => PrivateCluster;

function findClusterFactory(kafka: Kafka): CreateCluster | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  if (symbol === undefined) return undefined;
  const factory: unknown = (kafka as unknown as Record<symbol, unknown>)[symbol];
  return typeof factory === 'function' ? (factory as CreateCluster) : undefined;
}

// A client that is never connected: constructing one opens no socket.
const probeClient = () => new kafkajs.Kafka({ brokers: ['127.0.0.1:9'], logLevel: kafkajs.logLevel.NOTHING });

/** Whether kafkajs' Kafka instances carry the private Cluster factory. */
export function privateClusterStatus(): KafkajsHookStatus {
  const installed = findClusterFactory(probeClient()) !== undefined;
  return {
    hook: 'private-cluster',
    installed,
    detail: installed ? `Symbol(${CREATE_CLUSTER}) found` : `no function under Symbol(${CREATE_CLUSTER})`,
  };
}

/** kafkajs' own Cluster factory (same brokers, TLS, SASL, retry and logger as `kafka`). */
export function privateClusterFactory(kafka: Kafka): CreateCluster {
  const factory = findClusterFactory(kafka);
  if (factory === undefined)
    throw hookMissing('private-cluster', `no function under Symbol(${CREATE_CLUSTER})`);
  return factory;
}

// --- batch-context: the record batch each decoded record came from --------------------------------------------
// kafkajs' record decoder keeps the batch header on each record as `batchContext` (not in its types); only there
// does the batch's timestamp type (CreateTime or LogAppendTime) survive.

const LOG_APPEND_TIME = 1;
// Magic 1 messages (the pre-0.11 format) carry the timestamp type in bit 3 of their attributes.
const MESSAGE_SET_LOG_APPEND_TIME = 0x08;

let batchContextSeen = 0;

/** The timestamp type of a record kafkajs decoded; throws when a record batch entry lacks its batch context. */
export function timestampTypeOf(message: KafkaMessage): TimestampType {
  const context: unknown = (message as { batchContext?: unknown }).batchContext;
  if (typeof context === 'object' && context !== null) {
    const type: unknown = (context as { timestampType?: unknown }).timestampType;
    if (typeof type === 'number') {
      batchContextSeen += 1;
      return type === LOG_APPEND_TIME ? 'LogAppendTime' : 'CreateTime';
    }
  }
  // Records of the old message-set format come without a batch; kafkajs gives them a size instead.
  if (typeof message.size === 'number') {
    return (message.attributes & MESSAGE_SET_LOG_APPEND_TIME) !== 0 ? 'LogAppendTime' : 'CreateTime';
  }
  throw hookMissing('batch-context', `record at offset ${message.offset} has no batchContext.timestampType`);
}

/** Whether decoded records have carried their batch context; verified on every record as it is read. */
export function batchContextStatus(): KafkajsHookStatus {
  return {
    hook: 'batch-context',
    installed: batchContextSeen > 0,
    detail:
      batchContextSeen > 0
        ? `batchContext.timestampType read on ${batchContextSeen} record(s)`
        : 'no record read yet in this process (checked on every record, a missing one throws)',
  };
}

// --- seek-before-run: kafkajs' refusal of a seek after a crash, known only by its text -------------------------
// kafkajs throws this plain KafkaJSNonRetriableError from consumer.seek once a crash has stopped the consumer,
// and emits CRASH, with the real cause, only after that.

const SEEK_BEFORE_RUN = 'consumer#run must be called first';

/** True for kafkajs' "consumer group was not initialized, consumer#run must be called first" error. */
export function isSeekBeforeRunError(error: unknown): boolean {
  return error instanceof Error && error.message.includes(SEEK_BEFORE_RUN);
}

/** Whether kafkajs still refuses a seek before run() with the text isSeekBeforeRunError matches. */
export function seekBeforeRunStatus(): KafkajsHookStatus {
  let thrown: unknown;
  try {
    probeClient()
      .consumer({ groupId: 'source-kafka-probe' })
      .seek({ topic: 'probe', partition: 0, offset: '0' });
  } catch (error) {
    thrown = error;
  }
  const installed = isSeekBeforeRunError(thrown);
  const seen = thrown instanceof Error ? thrown.message : String(thrown);
  return {
    hook: 'seek-before-run',
    installed,
    detail: installed ? `seek before run throws "${seen}"` : `seek before run threw ${seen}`,
  };
}

// --- the fence --------------------------------------------------------------------------------------------------

// Checked once, when the package loads; batch-context can only be checked on real records, as they are read.
const loadFailure: ConsumerError | undefined = (() => {
  const version = versionError();
  if (version !== undefined) return version;
  for (const status of [emptyBatches, idleRequestQueue, privateClusterStatus(), seekBeforeRunStatus()]) {
    if (!status.installed) return hookMissing(status.hook, status.detail);
  }
  return undefined;
})();

/** Every hook's status, for diagnostics and the canary tests. */
export function kafkajsHookStatuses(): readonly KafkajsHookStatus[] {
  return [
    kafkajsVersionStatus(),
    emptyBatchesStatus(),
    idleRequestQueueStatus(),
    privateClusterStatus(),
    batchContextStatus(),
    seekBeforeRunStatus(),
  ];
}

/**
 * Throws (a system_error ConsumerError, KAFKAJS_NOT_PROVEN or KAFKAJS_HOOK_MISSING) when the installed kafkajs is
 * not a proven version or a hook could not be installed. Every kafkajs client this package makes passes here.
 */
export function assertKafkajsFenced(): void {
  if (loadFailure !== undefined) throw loadFailure;
}
