import { describe, expect, it } from 'vitest';
import {
  accountRun,
  formatTable,
  lostIds,
  newRow,
  type OutMessage,
  recordTrial,
  suitePassed,
} from '../faults/ledger.js';

const record = (partition: number, offset: number, id?: string): OutMessage => ({
  kind: 'record',
  record: { partition, offset: String(offset), id },
});
const state = (partitions: Record<string, string>): OutMessage => ({ kind: 'state', partitions });

describe('the fault suite ledger', () => {
  it('counts a record below the input state of its partition as a duplicate beyond a checkpoint', () => {
    const account = accountRun({ '0': '10', '1': '5' }, [
      record(0, 9),
      record(0, 10),
      record(1, 4),
      record(2, 0),
    ]);
    expect(account.duplicatesBeyondCheckpoint).toBe(2);
  });

  it('counts a record below a STATE written earlier in the same run', () => {
    const account = accountRun({}, [
      record(0, 0),
      record(0, 1),
      state({ '0': '2' }),
      record(0, 1),
      record(0, 2),
    ]);
    expect(account.duplicatesBeyondCheckpoint).toBe(1);
    expect(account.checkpoint).toEqual({ '0': '2' });
  });

  it('does not count repeats after the last STATE, and keeps the input state when a run wrote none', () => {
    expect(accountRun({ '0': '3' }, [record(0, 3), record(0, 4)])).toEqual({
      duplicatesBeyondCheckpoint: 0,
      checkpoint: { '0': '3' },
    });
  });

  it('lists the produced ids no run wrote', () => {
    expect(lostIds(['a', 'b', 'c'], new Set(['a', 'c', 'x']))).toEqual(['b']);
  });

  it('fails the suite on a failed trial, a lost record, a duplicate or a scenario without trials', () => {
    const ok = newRow('ok');
    recordTrial(ok, 't', []);
    expect(suitePassed([ok])).toBe(true);
    const lost = newRow('lost');
    recordTrial(lost, 't', [], { lost: 1 });
    expect(suitePassed([ok, lost])).toBe(false);
    const failed = newRow('failed');
    recordTrial(failed, 't', ['exit 1']);
    expect(suitePassed([failed])).toBe(false);
    expect(suitePassed([newRow('empty')])).toBe(false);
    expect(formatTable([ok, failed])).toMatch(/failed: t: exit 1/);
  });
});
