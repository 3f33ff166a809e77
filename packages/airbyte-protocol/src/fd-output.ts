import { write } from 'node:fs';
import { Writable } from 'node:stream';

/** Bytes queued beyond the chunk being written before write() asks the caller to wait for 'drain'. */
const HIGH_WATER_MARK = 64 * 1024;
/** How long to wait before writing again to a non-blocking descriptor that was full. */
const FULL_RETRY_MS = 1;

/**
 * A Writable over a file descriptor whose writes run on libuv's thread pool. Node writes `process.stdout`
 * synchronously when it is a pipe or a file, so a slow reader stalls the whole process and the copy into
 * the pipe costs the main thread; here the main thread goes on building lines while a chunk is written.
 * Chunks are written in order, one at a time, each to its last byte (short writes are continued, and a
 * non-blocking descriptor that reports EAGAIN is retried). `fd` lets a last-chance flush write directly once
 * nothing is queued.
 */
export class FdOutput extends Writable {
  readonly fd: number;

  constructor(fd: number) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.fd = fd;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeFrom(chunk, 0, callback);
  }

  #writeFrom(chunk: Buffer, offset: number, callback: (error?: Error | null) => void): void {
    write(this.fd, chunk, offset, chunk.length - offset, null, (error, written) => {
      if (error) {
        if (error.code === 'EAGAIN')
          setTimeout(() => this.#writeFrom(chunk, offset, callback), FULL_RETRY_MS);
        else callback(error);
        return;
      }
      const next = offset + written;
      if (next < chunk.length) this.#writeFrom(chunk, next, callback);
      else callback();
    });
  }
}
