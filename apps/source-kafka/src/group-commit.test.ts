import { describe, expect, it } from 'vitest';
import { BackgroundGroupCommitter } from './group-commit.js';
import type { TopicOffset } from './ports.js';

const silent = { log() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('BackgroundGroupCommitter', () => {
  it('runs one commit at a time and sends only the newest offsets queued meanwhile', async () => {
    const calls: TopicOffset[][] = [];
    let release: () => void = () => {};
    const committer = new BackgroundGroupCommitter(async (offsets) => {
      calls.push([...offsets]);
      if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, silent);
    committer.submit([{ topic: 't', partition: 0, offset: '10' }]);
    committer.submit([
      { topic: 't', partition: 0, offset: '20' },
      { topic: 't', partition: 1, offset: '5' },
    ]);
    committer.submit([{ topic: 't', partition: 0, offset: '30' }]);
    expect(calls).toHaveLength(1);
    release();
    await committer.drain();
    expect(calls).toEqual([
      [{ topic: 't', partition: 0, offset: '10' }],
      [
        { topic: 't', partition: 0, offset: '30' },
        { topic: 't', partition: 1, offset: '5' },
      ],
    ]);
  });

  it('counts failures, warns once, and never rejects', async () => {
    const warnings: string[] = [];
    const committer = new BackgroundGroupCommitter(
      async () => {
        throw new Error('group busy');
      },
      { ...silent, warn: (m: string) => warnings.push(m) },
    );
    committer.submit([{ topic: 't', partition: 0, offset: '1' }]);
    await committer.drain();
    committer.submit([{ topic: 't', partition: 0, offset: '2' }]);
    await committer.drain();
    expect(committer.failedCommits).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('group busy');
  });
});
