import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { AirbyteMessageSink } from './contract.js';
import { RecordDataError, WriterClosedError } from './errors.js';
import { stringifyJson } from './json-text.js';
import type { AirbyteMessage, AirbyteRecordMessageMeta } from './messages.js';

export interface MessageWriterOptions {
  /** Buffered bytes at which a chunk is handed to the output. Default 64 KiB. */
  readonly chunkSize?: number;
  /** Buffered bytes above which write() returns false and ready() waits. Default 1 MiB. */
  readonly highWaterMark?: number;
  /**
   * Applied to every message except RECORD and STATE (data is not ours to rewrite) before it is serialized:
   * the runner masks secrets in LOG, TRACE and CONNECTION_STATUS text with it.
   */
  readonly redact?: (message: AirbyteMessage) => AirbyteMessage;
}

/** An output the writer can use; `fd` enables the synchronous last-chance flush at process exit. */
export type MessageOutput = Writable & { readonly fd?: number };

const DEFAULT_CHUNK_SIZE = 64 * 1024;
const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Writes Airbyte messages as JSON lines. Lines are built as UTF-8 bytes in one buffer and handed to the output
 * only when a chunk is full or on flush(), so there is never one `write` per record, the output never encodes
 * text again, and only whole lines are ever written. When the output asks to wait ('drain'), lines keep collecting in memory up to `highWaterMark`;
 * past it `write()` returns false and `ready()` blocks the producer until the output drains.
 */
export class MessageWriter implements AirbyteMessageSink {
  readonly #out: MessageOutput;
  readonly #chunkSize: number;
  readonly #highWaterMark: number;
  readonly #redact: ((message: AirbyteMessage) => AirbyteMessage) | undefined;
  /** Lines not yet handed over: bytes [0, #length) of #buffer. */
  #buffer: Buffer;
  #length = 0;
  #waitingForDrain = false;
  #readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** Chunks handed to the output whose write callback has not run yet. */
  #inFlight = 0;
  #idleWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** A handed-over buffer the output wrote out at once (a synchronous stdout): the next one to fill. */
  #spare: Buffer | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #failure: Error | undefined;
  readonly #recordPrefixes = new Map<string, Buffer>();

  constructor(out: MessageOutput, options: MessageWriterOptions = {}) {
    this.#out = out;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#highWaterMark = Math.max(options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, this.#chunkSize);
    this.#redact = options.redact;
    this.#buffer = this.#freshBuffer();
    out.on('drain', this.#onDrain);
    out.on('error', this.#onError);
  }

  /** Bytes buffered here and not yet handed to the output. */
  get bufferedLength(): number {
    return this.#length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(message: AirbyteMessage): boolean {
    if (this.#closed) throw new WriterClosedError();
    if (this.#failure) throw this.#failure;
    const redact = this.#redact;
    const line =
      redact !== undefined && message.type !== 'RECORD' && message.type !== 'STATE'
        ? stringifyJson(redact(message))
        : stringifyJson(message);
    this.#appendText(line);
    this.#appendByte(NEWLINE);
    return this.#afterLine();
  }

  /**
   * The hot path for records: the same line `write(recordMessage(...))` produces, without building the
   * envelope objects or serializing their constant parts again for every record. Bigints in `data` are
   * written as JSON numbers with every digit.
   */
  writeRecord(
    stream: string,
    data: Record<string, unknown>,
    emittedAt: number,
    namespace?: string,
    meta?: AirbyteRecordMessageMeta,
  ): boolean {
    return this.writeRecordData(stream, stringifyJson(data), emittedAt, namespace, meta);
  }

  /**
   * A record whose `data` the caller serialized already: `data` is the JSON text of one object, as a string
   * or as UTF-8 bytes, and is copied into the line as is. The caller vouches that it is valid JSON; a line
   * break in it (which would split the line) is refused with RecordDataError, as that check costs no more
   * than a memchr.
   */
  writeRecordData(
    stream: string,
    data: string | Uint8Array,
    emittedAt: number,
    namespace?: string,
    meta?: AirbyteRecordMessageMeta,
  ): boolean {
    if (this.#closed) throw new WriterClosedError();
    if (this.#failure) throw this.#failure;
    if (typeof data === 'string' ? data.includes('\n') : data.indexOf(NEWLINE) !== -1) {
      throw new RecordDataError(stream);
    }
    const key = namespace === undefined ? stream : `${namespace}\u0000${stream}`;
    let prefix = this.#recordPrefixes.get(key);
    if (prefix === undefined) {
      prefix = Buffer.from(
        `{"type":"RECORD","record":{${namespace === undefined ? '' : `"namespace":${JSON.stringify(namespace)},`}"stream":${JSON.stringify(stream)},"data":`,
      );
      this.#recordPrefixes.set(key, prefix);
    }
    this.#appendBytes(prefix);
    if (typeof data === 'string') this.#appendText(data);
    else this.#appendBytes(data);
    if (meta === undefined) this.#appendAscii(`,"emitted_at":${Math.trunc(emittedAt)}}}\n`);
    else this.#appendText(`,"emitted_at":${Math.trunc(emittedAt)},"meta":${JSON.stringify(meta)}}}\n`);
    return this.#afterLine();
  }

  #afterLine(): boolean {
    if (this.#length >= this.#chunkSize && !this.#waitingForDrain) this.#handOver();
    return this.#length < this.#highWaterMark;
  }

  /**
   * Twice the chunk size, so a line that starts just below it seldom makes the buffer grow. A buffer the
   * output already wrote out is reused: one per chunk left their memory to the garbage collector.
   */
  #freshBuffer(): Buffer {
    const spare = this.#spare;
    if (spare !== undefined) {
      this.#spare = undefined;
      return spare;
    }
    return Buffer.allocUnsafe(this.#chunkSize * 2);
  }

  #reserve(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  #appendBytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  #appendByte(byte: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = byte;
  }

  /** Short ASCII text: a loop beats Buffer#write's native call. */
  #appendAscii(text: string): void {
    const n = text.length;
    this.#reserve(n);
    const buffer = this.#buffer;
    let at = this.#length;
    for (let k = 0; k < n; k++) buffer[at++] = text.charCodeAt(k);
    this.#length = at;
  }

  #appendText(text: string): void {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    this.#reserve(text.length * 3);
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
  }

  ready(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#length < this.#highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  async flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    // At a flush the caller wants the bytes out, so a pending drain does not hold the tail back.
    if (this.#length > 0) this.#handOver();
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve, reject) => this.#idleWaiters.push({ resolve, reject }));
  }

  /**
   * Refuses further writes at once, then flushes what it holds; every call gets the same promise. The output
   * itself stays open (stdout must not be ended).
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.flush().finally(() => {
      this.#out.off('drain', this.#onDrain);
      this.#rejectWaiters(new WriterClosedError());
    });
    return this.#closing;
  }

  /**
   * Last-chance flush for process 'exit' and fatal paths, where no more event-loop turns will come: writes
   * the buffer synchronously to the output's file descriptor. Falls back to a plain stream write when the
   * stream still holds earlier chunks, since writing the fd directly would then put lines out of order.
   */
  flushSync(): void {
    if (this.#length === 0 || this.#failure) return;
    const data = this.#buffer.subarray(0, this.#length);
    this.#buffer = this.#freshBuffer();
    this.#length = 0;
    const fd = this.#out.fd;
    if (typeof fd === 'number' && this.#out.writableLength === 0) {
      writeAllSync(fd, data);
    } else {
      // Counted in flight, so a flush() after this one waits for these bytes too.
      this.#inFlight++;
      this.#out.write(data, this.#onChunkWritten);
    }
  }

  #handOver(): void {
    // The output keeps the chunk until it is written, so the next lines go into a new buffer.
    const handed = this.#buffer;
    const data = handed.subarray(0, this.#length);
    this.#buffer = this.#freshBuffer();
    this.#length = 0;
    this.#inFlight++;
    // One shared callback, not a closure per chunk: a closure would keep its chunk alive until the
    // callback runs, which a producer that never yields (sync stdout) would postpone to the very end.
    if (!this.#out.write(data, this.#onChunkWritten)) this.#waitingForDrain = true;
    // An fd-backed output (stdout) with nothing left queued wrote the bytes out synchronously, so the buffer
    // is free again. Other outputs may keep the chunk itself (a PassThrough does), so theirs is never reused.
    if (
      typeof this.#out.fd === 'number' &&
      this.#out.writableLength === 0 &&
      handed.length === this.#chunkSize * 2
    ) {
      this.#spare = handed;
    }
    this.#settleWaiters();
  }

  readonly #onChunkWritten = (error?: Error | null): void => {
    this.#inFlight--;
    if (error) {
      this.#onError(error);
      return;
    }
    if (this.#inFlight === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  };

  readonly #onDrain = (): void => {
    this.#waitingForDrain = false;
    if (this.#length >= this.#chunkSize) this.#handOver();
    else this.#settleWaiters();
  };

  readonly #onError = (error: Error): void => {
    this.#failure ??= error;
    this.#rejectWaiters(error);
  };

  #settleWaiters(): void {
    if (this.#length >= this.#highWaterMark || this.#readyWaiters.length === 0) return;
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #rejectWaiters(error: Error): void {
    const waiters = [...this.#readyWaiters, ...this.#idleWaiters];
    this.#readyWaiters = [];
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}

function writeAllSync(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // A non-blocking pipe that is full: retry; anything else (EPIPE) means nobody is reading any more.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}
