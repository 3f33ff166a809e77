import { open, readFile, rm } from 'node:fs/promises';
import { BrokerError, brokerErrorCodes } from './errors.js';
import { isAlive, sleep } from './process-util.js';

/**
 * Cross-process mutual exclusion through an exclusively created file holding the owner's pid. Written by
 * hand because the lock only needs to survive crashes (a dead owner's lock is taken over), nothing more.
 */
export async function withFileLock<T>(path: string, timeoutMs: number, action: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && !(await isAlive(owner))) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new BrokerError(
          brokerErrorCodes.lockTimeout,
          `Waited ${timeoutMs} ms for the lock ${path} held by pid ${owner}; remove the file if that process is gone`,
        );
      }
      await sleep(250);
    }
  }
  try {
    return await action();
  } finally {
    await rm(path, { force: true });
  }
}
