// Benchmark (not a test): N small RECORD messages to /dev/null through MessageWriter and through naive
// console.log(JSON.stringify(m)), in the same run. Each way runs in its own child process whose stdout is
// /dev/null, so both pay the same process and file costs.
//   pnpm --filter @source-kafka/airbyte-protocol bench [-- --records 2000000 --rounds 1]
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { recordMessage } from '../src/builders.js';
import { MessageWriter } from '../src/writer.js';

type Mode = 'writer' | 'writeRecord' | 'naive';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '1' },
    mode: { type: 'string' },
  },
});
const records = Number(values.records);

function data(i: number) {
  return { id: i, name: `user-${i}`, active: i % 2 === 0, score: i * 0.5 };
}

function message(i: number, now: number) {
  return recordMessage('events', data(i), now);
}

async function runChild(mode: Mode): Promise<void> {
  const now = Date.now();
  const started = process.hrtime.bigint();
  if (mode === 'writer') {
    const writer = new MessageWriter(process.stdout);
    for (let i = 0; i < records; i++) {
      if (!writer.write(message(i, now))) await writer.ready();
    }
    await writer.close();
  } else if (mode === 'writeRecord') {
    const writer = new MessageWriter(process.stdout);
    for (let i = 0; i < records; i++) {
      if (!writer.writeRecord('events', data(i), now)) await writer.ready();
    }
    await writer.close();
  } else {
    for (let i = 0; i < records; i++) console.log(JSON.stringify(message(i, now)));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`${JSON.stringify({ mode, seconds, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

function spawnMode(mode: Mode): Promise<{ seconds: number; maxRssKiB: number }> {
  const devNull = openSync('/dev/null', 'w');
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--mode', mode, '--records', String(records)],
    { stdio: ['ignore', devNull, 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const last = stderr.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${mode} child exited ${code}: ${stderr}`));
      else resolve(JSON.parse(last) as { seconds: number; maxRssKiB: number });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (values.mode === 'writer' || values.mode === 'writeRecord' || values.mode === 'naive') {
  await runChild(values.mode);
} else {
  const rounds = Number(values.rounds);
  const times: Record<Mode, number[]> = { writer: [], writeRecord: [], naive: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so neither way always runs on a warmer (or busier) machine.
    const order: Mode[] =
      round % 2 === 0 ? ['naive', 'writer', 'writeRecord'] : ['writeRecord', 'writer', 'naive'];
    for (const mode of order) times[mode].push((await spawnMode(mode)).seconds);
  }
  const rate = (mode: Mode) => records / median(times[mode]);
  const naiveRate = rate('naive');
  const line = (label: string, mode: Mode) =>
    `| ${label} | ${Math.round(rate(mode)).toLocaleString('en')} | ${(rate(mode) / naiveRate).toFixed(2)}x |`;
  console.log(`records: ${records}, rounds: ${rounds} (median), node ${process.version}\n`);
  console.log('| way | records/s | vs naive |');
  console.log('| --- | ---: | ---: |');
  console.log(line('`console.log(JSON.stringify(recordMessage(...)))`', 'naive'));
  console.log(line('`writer.write(recordMessage(...))`', 'writer'));
  console.log(line('`writer.writeRecord(stream, data, emittedAt)`', 'writeRecord'));
}
