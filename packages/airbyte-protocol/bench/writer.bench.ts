// Benchmark (not a test): N small RECORD messages to /dev/null through MessageWriter and through naive
// console.log(JSON.stringify(m)), in the same run. Each way runs in its own child process whose stdout is
// /dev/null, so both pay the same process and file costs.
//   pnpm --filter @source-kafka/airbyte-protocol bench [--records 2000000] [--rounds 1]
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { recordMessage } from '../src/builders.js';
import { MessageWriter } from '../src/writer.js';

type Mode = 'writer' | 'writeRecord' | 'naive';

const { values } = parseArgs({
  allowPositionals: true,
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
  const cpuStarted = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stderr.write(
    `${JSON.stringify({ mode, seconds, cpuSeconds, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
  );
}

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  maxRssKiB: number;
}

function spawnMode(mode: Mode): Promise<ChildResult> {
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
      else resolve(JSON.parse(last) as ChildResult);
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (values.mode === 'writer' || values.mode === 'writeRecord' || values.mode === 'naive') {
  await runChild(values.mode);
} else {
  const rounds = Number(values.rounds);
  const results: Record<Mode, ChildResult[]> = { writer: [], writeRecord: [], naive: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so neither way always runs on a warmer (or busier) machine.
    const order: Mode[] =
      round % 2 === 0 ? ['naive', 'writer', 'writeRecord'] : ['writeRecord', 'writer', 'naive'];
    for (const mode of order) results[mode].push(await spawnMode(mode));
  }
  // Wall time says what a user waits; CPU time (user + system) is steadier on a shared machine.
  const wall = (mode: Mode) => records / median(results[mode].map((r) => r.seconds));
  const cpu = (mode: Mode) => records / median(results[mode].map((r) => r.cpuSeconds));
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const line = (label: string, mode: Mode) =>
    `| ${label} | ${fmt(wall(mode))} | ${(wall(mode) / wall('naive')).toFixed(2)}x | ${fmt(cpu(mode))} | ${(cpu(mode) / cpu('naive')).toFixed(2)}x | ${Math.round(median(results[mode].map((r) => r.maxRssKiB)) / 1024)} MiB |`;
  console.log(`records: ${records}, rounds: ${rounds} (medians), node ${process.version}\n`);
  console.log('| way | records/s (wall) | vs naive | records/s (CPU) | vs naive | peak RSS |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(line('`console.log(JSON.stringify(recordMessage(...)))`', 'naive'));
  console.log(line('`writer.write(recordMessage(...))`', 'writer'));
  console.log(line('`writer.writeRecord(stream, data, emittedAt)`', 'writeRecord'));
}
