// Kafka topic IDs (KIP-516): a topic deleted and recreated under the same name gets a new ID, which is the only
// reliable way to tell the new log from the old one whatever its size. Only Metadata v10+ carries them, and
// kafkajs 2.2.4 speaks Metadata up to v6, so this module encodes a Metadata v11 request and decodes its
// response itself, and sends it over a kafkajs broker connection reached through the private cluster factory
// (the `private-cluster` and `raw-broker` hooks of kafkajs-internals.ts). A broker older than 2.8 yields no
// IDs: callers then keep the offset-based checks alone. kafkajs internals that moved are a KAFKAJS_HOOK_MISSING
// error, never a silent fallback.
import { type ConsumerDeps, createKafka } from './client.js';
import { hookMissing, privateClusterFactory } from './kafkajs-internals.js';
import type { KafkaConnection } from './types.js';

const METADATA_API_KEY = 3;
const METADATA_VERSION = 11;

/** The request body of Metadata v11, with the flexible request header's empty tagged fields in front. */
export function encodeMetadataV11(topics: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0])]; // request header v2: no tagged fields
  parts.push(uvarint(topics.length + 1));
  for (const name of topics) {
    const bytes = Buffer.from(name, 'utf8');
    parts.push(Buffer.alloc(16)); // topic_id: zero, the topic is named
    parts.push(uvarint(bytes.length + 1), bytes);
    parts.push(Buffer.from([0])); // tagged fields
  }
  // allow_auto_topic_creation false, include_topic_authorized_operations false, tagged fields
  parts.push(Buffer.from([0, 0, 0]));
  return Buffer.concat(parts);
}

function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}
  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }
  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.buffer.readUInt8(this.take(1));
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
    }
    throw new RangeError('a varint longer than 5 bytes');
  }
  bytes(length: number): Buffer {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }
  compactString(): string | null {
    const length = this.uvarint();
    return length === 0 ? null : this.bytes(length - 1).toString('utf8');
  }
  compactArray<T>(item: () => T): T[] {
    const length = this.uvarint();
    return length === 0 ? [] : Array.from({ length: length - 1 }, item);
  }
  taggedFields(): void {
    for (let n = this.uvarint(); n > 0; n--) {
      this.uvarint();
      this.bytes(this.uvarint());
    }
  }
  private take(length: number): number {
    const at = this.offset;
    if (at + length > this.buffer.length) throw new RangeError('the response ended early');
    this.offset += length;
    return at;
  }
}

/** Kafka prints a topic ID as its 16 bytes in URL-safe base64 without padding (Uuid.toString()). */
export function formatTopicId(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Topic name -> ID from a Metadata v11 response (after the correlation id); topics with an error are left out. */
export function decodeMetadataV11(payload: Buffer): Map<string, string> {
  const r = new Reader(payload);
  r.taggedFields(); // response header v1
  r.int32(); // throttle_time_ms
  r.compactArray(() => {
    r.int32();
    r.compactString();
    r.int32();
    r.compactString();
    r.taggedFields();
  });
  r.compactString(); // cluster_id
  r.int32(); // controller_id
  const ids = new Map<string, string>();
  r.compactArray(() => {
    const error = r.int16();
    const name = r.compactString();
    const id = r.bytes(16);
    r.int8(); // is_internal
    r.compactArray(() => {
      r.int16();
      r.int32();
      r.int32();
      r.int32();
      r.compactArray(() => r.int32());
      r.compactArray(() => r.int32());
      r.compactArray(() => r.int32());
      r.taggedFields();
    });
    r.int32(); // topic_authorized_operations
    r.taggedFields();
    // An all-zero id is Kafka's "none" (a topic without an id, e.g. on a cluster upgraded from ZooKeeper mode).
    if (error === 0 && name !== null && id.some((b) => b !== 0)) ids.set(name, formatTopicId(id));
  });
  r.taggedFields();
  return ids;
}

interface RawBroker {
  readonly versions?: Record<number, { readonly maxVersion: number }> | null;
  readonly connectionPool?: {
    send(options: { request: unknown; response: unknown }): Promise<unknown>;
  };
}

interface RawCluster {
  connect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  disconnect(): Promise<void>;
  getNodeIds(): readonly (string | number)[];
  findBroker(options: { nodeId: string | number }): Promise<RawBroker>;
}

/**
 * The IDs of these topics (name -> ID), or undefined when the cluster cannot say: a broker without Metadata
 * v11 (Kafka < 2.8). Errors from the broker itself (unreachable, refused) are thrown, and so is a
 * KAFKAJS_HOOK_MISSING ConsumerError when the kafkajs internals this relies on moved.
 */
export async function fetchTopicIds(
  connection: KafkaConnection,
  topics: readonly string[],
  deps: ConsumerDeps,
): Promise<Map<string, string> | undefined> {
  if (topics.length === 0) return new Map();
  const cluster = privateClusterFactory(createKafka(connection, deps))({
    allowAutoTopicCreation: false,
  }) as unknown as RawCluster;
  if (typeof cluster.getNodeIds !== 'function' || typeof cluster.findBroker !== 'function') {
    throw hookMissing('raw-broker', 'the private cluster has no getNodeIds/findBroker');
  }
  await cluster.connect();
  try {
    // Loads the broker list (for no topics): a broker to ask is any of them.
    await cluster.refreshMetadata();
    const nodeId = cluster.getNodeIds()[0];
    if (nodeId === undefined) return undefined;
    const broker = await cluster.findBroker({ nodeId });
    const max = broker.versions?.[METADATA_API_KEY]?.maxVersion;
    const pool = broker.connectionPool;
    if (max === undefined || pool === undefined) {
      throw hookMissing('raw-broker', 'a kafkajs broker without api versions or a connection pool');
    }
    if (max < METADATA_VERSION) return undefined;
    const body = encodeMetadataV11(topics);
    const result = await pool.send({
      request: {
        apiKey: METADATA_API_KEY,
        apiVersion: METADATA_VERSION,
        apiName: 'Metadata',
        // kafkajs writes the v1 request header and then this body; its Encoder is read through `buf`/`buffer`.
        encode: async () => ({ buf: body, buffer: body }),
      },
      response: {
        decode: async (payload: Buffer) => decodeMetadataV11(payload),
        parse: async (ids: Map<string, string>) => ids,
      },
    });
    return result instanceof Map ? (result as Map<string, string>) : undefined;
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}
