// Benchmark (not a test): this package vs a bare kafkajs eachBatch loop vs kcat, reading the same topic in the
// same run. Usage: pnpm --filter @source-kafka/consumer bench [-- --messages 1000000 --runs 5 --size 1024]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTopic, deleteTopics, readBrokerConnection } from '@source-kafka/testkit';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const messages = arg('messages', 1_000_000);
const runs = arg('runs', 5);
const size = arg('size', 1024);
const partitions = 6;

interface Sample {
  readonly messages: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly peakRssMb: number;
}

const conn = await readBrokerConnection();
const brokers = conn.plaintext.brokers.join(',');
const topic = await createTopic(conn, { prefix: 'bench-read', partitions });

async function produce(): Promise<void> {
  // kcat writes one message per line; null keys spread them over the partitions.
  const child = spawn(
    'kcat',
    ['-P', '-b', brokers, '-t', topic, '-X', 'linger.ms=50', '-X', 'batch.size=1000000'],
    {
      stdio: ['pipe', 'inherit', 'inherit'],
    },
  );
  const line = Buffer.alloc(size, 'x');
  line[size - 1] = 0x0a;
  const chunk = Buffer.concat(Array.from({ length: 1000 }, () => line));
  for (let sent = 0; sent < messages; sent += 1000) {
    const slice = messages - sent >= 1000 ? chunk : chunk.subarray(0, (messages - sent) * size);
    if (!child.stdin.write(slice)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  await new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited with ${code}`)))),
  );
}

const readerPath = fileURLToPath(new URL('./reader.ts', import.meta.url));

function nodeReader(mode: 'package' | 'kafkajs'): Sample {
  const out = execFileSync(
    process.execPath,
    ['--conditions=source-kafka-source', '--import', 'tsx', readerPath, mode, topic, brokers],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const sample = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Sample;
  if (sample.messages !== messages)
    throw new Error(`${mode} read ${sample.messages} messages, expected ${messages}`);
  return sample;
}

function kcatReader(): Sample {
  const started = performance.now();
  // GNU time reports the peak RSS (KiB) of kcat, on stderr.
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', 'RSS=%M', 'sh', '-c', `kcat -C -b ${brokers} -t ${topic} -e -o beginning -q > /dev/null`],
    { encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`kcat -C failed: ${result.stderr}`);
  const rss = /RSS=(\d+)/.exec(result.stderr);
  return {
    messages,
    bytes: messages * (size - 1),
    seconds,
    peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

console.log(`Producing ${messages} x ${size} B into ${topic} (${partitions} partitions)...`);
await produce();
const samples: Record<string, Sample[]> = { package: [], kafkajs: [], kcat: [] };
try {
  for (let run = 1; run <= runs; run++) {
    // Interleaved, so drift on the shared machine hits every reader alike.
    samples.package?.push(nodeReader('package'));
    samples.kafkajs?.push(nodeReader('kafkajs'));
    samples.kcat?.push(kcatReader());
    console.log(`run ${run}/${runs} done`);
  }
} finally {
  await deleteTopics(conn, [topic]);
}
const rows = Object.entries(samples).map(([name, list]) => {
  const seconds = median(list.map((s) => s.seconds));
  return {
    name,
    msgsPerSec: messages / seconds,
    mbPerSec: (list[0]?.bytes ?? 0) / 1e6 / seconds,
    peakRssMb: median(list.map((s) => s.peakRssMb)),
    seconds,
  };
});
const baseline = rows.find((r) => r.name === 'kafkajs');
console.log(`\n${messages} messages x ${size} B, ${partitions} partitions, median of ${runs}`);
console.log('reader          msgs/s      MB/s   peak RSS MB   vs bare kafkajs');
for (const row of rows) {
  const ratio = baseline ? row.msgsPerSec / baseline.msgsPerSec : Number.NaN;
  console.log(
    `${row.name.padEnd(12)} ${row.msgsPerSec.toFixed(0).padStart(9)} ${row.mbPerSec.toFixed(1).padStart(9)} ${row.peakRssMb
      .toFixed(0)
      .padStart(13)} ${ratio.toFixed(2).padStart(17)}x`,
  );
}
