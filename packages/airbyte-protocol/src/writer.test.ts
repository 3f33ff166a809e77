import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logMessage, recordMessage } from './builders.js';
import { RecordDataError, WriterClosedError } from './errors.js';
import { MessageWriter } from './writer.js';

/** A Writable that accepts chunks only when `release()` is called, like a stdout nobody reads. */
class HeldOutput extends Writable {
  readonly chunks: string[] = [];
  #pending: Array<() => void> = [];
  #open = false;

  constructor(highWaterMark: number) {
    super({ highWaterMark, decodeStrings: false });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(String(chunk));
    if (this.#open) callback();
    else this.#pending.push(() => callback());
  }

  release(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const done of pending) done();
  }

  /** From now on accept every chunk at once. */
  open(): void {
    this.#open = true;
    this.release();
  }

  get text(): string {
    return this.chunks.join('');
  }
}

const record = (i: number) => recordMessage('s', { i }, 1);

describe('MessageWriter', () => {
  it('joins lines into chunks instead of one write per message', async () => {
    const out = new HeldOutput(1 << 20);
    const writer = new MessageWriter(out, { chunkSize: 1024 });
    for (let i = 0; i < 1000; i++) writer.write(record(i));
    expect(out.chunks.length).toBeGreaterThan(0);
    expect(out.chunks.length).toBeLessThan(100);
    const flushed = writer.flush();
    out.open();
    await flushed;
    const lines = out.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(
      lines.map((line) => (JSON.parse(line) as { record: { data: { i: number } } }).record.data.i),
    ).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const chunk of out.chunks) expect(chunk.endsWith('\n')).toBe(true);
  });

  it('reuses a buffer an fd-backed output wrote out at once, and every line comes out intact', async () => {
    const copies: string[] = [];
    const arrayBuffers = new Set<ArrayBufferLike>();
    let writes = 0;
    // Like stdout on a pipe: an fd, and each chunk written (here: copied) before write() returns.
    const out = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          copies.push(Buffer.from(chunk).toString('utf8'));
          arrayBuffers.add(chunk.buffer);
          writes++;
          callback();
        },
      }),
      { fd: 99 },
    );
    // Buffers of 8 KiB and more never come from the shared pool, so a repeated ArrayBuffer means reuse.
    const writer = new MessageWriter(out, { chunkSize: 4096 });
    for (let i = 0; i < 2000; i++) writer.writeRecordData('s', `{"i":${i}}`, 1);
    await writer.flush();
    const lines = copies.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(
      lines.map((line) => (JSON.parse(line) as { record: { data: { i: number } } }).record.data.i),
    ).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(writes).toBeGreaterThan(10);
    expect(arrayBuffers.size).toBeLessThan(writes);
  });

  it('refuses record data with a line break, naming only the stream', () => {
    const writer = new MessageWriter(new HeldOutput(1 << 20));
    expect(() => writer.writeRecordData('s', '{"a":\n1}', 1)).toThrow(RecordDataError);
    expect(() => writer.writeRecordData('s', Buffer.from('{"a":\n1}'), 1)).toThrow(/stream "s"/);
  });

  it('keeps everything below the chunk size in memory until flush', async () => {
    const out = new HeldOutput(1 << 20);
    const writer = new MessageWriter(out, { chunkSize: 1 << 20 });
    writer.write(record(1));
    expect(out.chunks).toEqual([]);
    expect(writer.bufferedLength).toBeGreaterThan(0);
    const flushed = writer.flush();
    out.release();
    await flushed;
    expect(out.chunks).toHaveLength(1);
    expect(writer.bufferedLength).toBe(0);
  });

  it('returns false past the high-water mark while the output waits for drain, and ready() resumes after it', async () => {
    const out = new HeldOutput(256);
    const writer = new MessageWriter(out, { chunkSize: 512, highWaterMark: 4096 });
    let i = 0;
    while (writer.write(record(i))) i++;
    // The output refused more after the first chunk, so the rest stayed here, bounded by the mark.
    expect(out.chunks).toHaveLength(1);
    expect(writer.bufferedLength).toBeGreaterThanOrEqual(4096);
    expect(writer.bufferedLength).toBeLessThan(4096 + 100);

    let resumed = false;
    const ready = writer.ready().then(() => {
      resumed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(resumed).toBe(false);

    out.release(); // the output drains; the writer hands over its buffer and lets the producer go on
    await ready;
    expect(resumed).toBe(true);
    expect(writer.bufferedLength).toBe(0);
    expect(out.chunks).toHaveLength(2);

    const flushed = writer.flush();
    out.release();
    await flushed;
    const seen = out.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).record.data.i as number);
    expect(seen).toEqual(Array.from({ length: i + 1 }, (_, n) => n));
  });

  it('ready() resolves at once below the high-water mark', async () => {
    const writer = new MessageWriter(new HeldOutput(1024));
    writer.write(record(1));
    await expect(writer.ready()).resolves.toBeUndefined();
  });

  it('masks through redact for log messages but never touches records', async () => {
    const out = new HeldOutput(1 << 20);
    const writer = new MessageWriter(out, {
      redact: (message) => (message.type === 'LOG' ? logMessage(message.log.level, 'masked') : message),
    });
    writer.write(logMessage('INFO', 'secret'));
    writer.write(recordMessage('s', { value: 'secret' }, 1));
    const flushed = writer.flush();
    out.release();
    await flushed;
    expect(out.text).toContain('"message":"masked"');
    expect(out.text).toContain('"value":"secret"');
  });

  it('refuses writes after close', async () => {
    const out = new HeldOutput(1024);
    const writer = new MessageWriter(out);
    writer.write(record(1));
    const closed = writer.close();
    out.release();
    await closed;
    expect(out.text).toContain('"i":1');
    expect(() => writer.write(record(2))).toThrow(WriterClosedError);
  });

  it('rejects ready() when the output fails', async () => {
    const out = new HeldOutput(16);
    const writer = new MessageWriter(out, { chunkSize: 64, highWaterMark: 128 });
    while (writer.write(record(1))) {}
    const ready = writer.ready();
    out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(ready).rejects.toThrow('EPIPE');
    expect(() => writer.write(record(2))).toThrow('EPIPE');
  });
});

describe('MessageWriter.writeRecord', () => {
  it('writes the same line as write(recordMessage(...)), valid against the protocol', async () => {
    const { validateAirbyteMessage } = await import('@source-kafka/testkit/airbyte-schema');
    const out = new HeldOutput(1 << 20);
    const writer = new MessageWriter(out);
    const meta = {
      changes: [{ field: 'v', change: 'NULLED' as const, reason: 'SOURCE_SERIALIZATION_ERROR' as const }],
    };
    const cases: Array<
      [string, Record<string, unknown>, number, string | undefined, typeof meta | undefined]
    > = [
      ['orders', { id: 1, s: 'a"b\n' }, 1700000000123, undefined, undefined],
      ['or"ders', { nested: { x: [1, null] } }, 5.9, 'shop', undefined],
      ['orders', { v: null }, 7, 'shop', meta],
    ];
    for (const [stream, data, at, namespace, m] of cases) {
      writer.writeRecord(stream, data, at, namespace, m);
      writer.write(recordMessage(stream, data, at, { namespace, meta: m }));
    }
    const flushed = writer.flush();
    out.open();
    await flushed;
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(cases.length * 2);
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toBe(lines[i + 1]);
      expect(validateAirbyteMessage(JSON.parse(lines[i]!))).toEqual([]);
    }
  });
});
