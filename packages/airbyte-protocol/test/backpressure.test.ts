// A child writes 1M records through the runner into a pipe this process reads slowly. The writer must make
// the producer wait (bounded memory) and every line must arrive whole and in order.
import { describe, expect, it } from 'vitest';
import { eventsCatalog, inputFiles, spawnFixture } from './run-fixture.js';

const RECORDS = 1_000_000;

interface FloodResult {
  code: number | null;
  records: number;
  outOfOrder: number;
  badLines: number;
  maxRssKiB: number;
}

/** Reads the child's stdout in small sips, checking each line as it arrives. */
function runFlood(records: number, behaviour = 'flood'): Promise<FloodResult> {
  const files = inputFiles({
    'config.json': { behaviour, password: 'flood-password', records },
    'catalog.json': eventsCatalog,
  });
  const child = spawnFixture([
    'read',
    '--config',
    files['config.json']!,
    '--catalog',
    files['catalog.json']!,
  ]);
  const stdout = child.stdout!;
  stdout.setEncoding('utf8');
  const result: FloodResult = { code: null, records: 0, outOfOrder: 0, badLines: 0, maxRssKiB: -1 };
  let carry = '';
  let chunks = 0;
  const onLine = (line: string): void => {
    let message: { type?: string; record?: { data?: { i?: number } }; log?: { message?: string } };
    try {
      message = JSON.parse(line);
    } catch {
      result.badLines++;
      return;
    }
    if (message.type === 'RECORD') {
      if (message.record?.data?.i !== result.records) result.outOfOrder++;
      result.records++;
    } else if (message.type === 'LOG') {
      const rss = /^maxRSS=(\d+)$/.exec(message.log?.message ?? '');
      if (rss) result.maxRssKiB = Number(rss[1]);
    }
  };
  stdout.on('data', (text: string) => {
    const lines = (carry + text).split('\n');
    carry = lines.pop()!;
    for (const line of lines) onLine(line);
    // Slow reader: a long stall first, so the pipe fills up, then a short one every few chunks.
    chunks++;
    if (chunks === 1 || chunks % 8 === 0) {
      stdout.pause();
      setTimeout(() => stdout.resume(), chunks === 1 ? 1000 : 5);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (carry !== '') result.badLines++;
      result.code = code;
      resolve(result);
    });
  });
}

// V8 lets the heap grow with garbage before collecting, so a paced 1M-record run still sits ~70 MiB above
// the baseline; a producer that ignores ready() buffers the whole ~110 MB output and lands ~300 MiB above.
const GROWTH_BOUND_MIB = 128;

describe('writer backpressure through a slow pipe', () => {
  it('keeps the peak RSS of a paced 1M-record child within a bound an unpaced producer exceeds, lines whole and in order', async () => {
    const baseline = await runFlood(1_000);
    expect(baseline).toMatchObject({ code: 0, records: 1_000, outOfOrder: 0, badLines: 0 });
    expect(baseline.maxRssKiB).toBeGreaterThan(0);
    const paced = await runFlood(RECORDS);
    expect(paced).toMatchObject({ code: 0, records: RECORDS, outOfOrder: 0, badLines: 0 });
    // The control: same output, producer ignoring write()'s false. It shows the bound can fail.
    const unpaced = await runFlood(RECORDS, 'flood-unpaced');
    expect(unpaced).toMatchObject({ code: 0, records: RECORDS, outOfOrder: 0, badLines: 0 });

    const growth = (run: FloodResult) => (run.maxRssKiB - baseline.maxRssKiB) / 1024;
    console.log(
      `peak RSS growth over a 1k-record run: paced ${growth(paced).toFixed(0)} MiB, unpaced ${growth(unpaced).toFixed(0)} MiB (baseline ${(baseline.maxRssKiB / 1024).toFixed(0)} MiB)`,
    );
    expect(growth(paced)).toBeLessThan(GROWTH_BOUND_MIB);
    expect(growth(unpaced)).toBeGreaterThan(GROWTH_BOUND_MIB);
  }, 180_000);
});
