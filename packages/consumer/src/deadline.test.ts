import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('passes the result through when the promise settles first', async () => {
    await expect(withDeadline(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7);
  });

  it('fails with the given error when the deadline passes first', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withDeadline(never, 5, () => new Error('too slow: broker b1:9092'))).rejects.toThrowError(
      'too slow: broker b1:9092',
    );
  });
});
