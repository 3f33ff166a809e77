import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FdOutput } from './fd-output.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-output-'));
  dirs.push(dir);
  return dir;
}

/** Chunks whose bytes say where they belong, so a reordering or a lost piece shows. */
function numberedChunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, `${String(i).padStart(6, '0')}|`));
}

function writeAll(output: FdOutput, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    output.on('error', reject);
    output.on('finish', resolve);
    for (const chunk of chunks) output.write(chunk);
    output.end();
  });
}

describe('FdOutput', () => {
  it('writes every chunk in order to a file descriptor', async () => {
    const path = join(tempDir(), 'out');
    const fd = openSync(path, 'w');
    const chunks = numberedChunks(80, 64 * 1024 + 7);
    await writeAll(new FdOutput(fd), chunks);
    closeSync(fd);
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('waits out a full non-blocking pipe (EAGAIN) and loses nothing', async () => {
    const fifo = join(tempDir(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const output = new FdOutput(writeFd);
    const chunks = numberedChunks(32, 32 * 1024);
    const done = writeAll(output, chunks);
    // Nobody reads yet: the pipe (64 KiB) fills and the output must hold the rest.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(output.writableLength).toBeGreaterThan(0);
    const received: Buffer[] = [];
    const buffer = Buffer.alloc(16 * 1024);
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    for (;;) {
      let n = 0;
      try {
        n = readSync(readFd, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
      if (n > 0) received.push(Buffer.from(buffer.subarray(0, n)));
      else if (finished) break;
      else await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await done;
    closeSync(writeFd);
    closeSync(readFd);
    expect(Buffer.concat(received).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('reports a descriptor that cannot be written as an error', async () => {
    const path = join(tempDir(), 'read-only');
    execFileSync('touch', [path]);
    const fd = openSync(path, 'r');
    const failure = writeAll(new FdOutput(fd), [Buffer.from('x')]);
    await expect(failure).rejects.toMatchObject({ code: 'EBADF' });
    closeSync(fd);
  });
});
