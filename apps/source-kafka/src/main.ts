#!/usr/bin/env -S node --max-semi-space-size=16
// The flag caps V8's young generation at Node 20's size. Node 24 sizes it from the machine's memory (up to 64 MB
// per semi-space on a large host), which lifted the connector's peak RSS from 231 to 369 MB at 1M small messages
// and was no faster (README.md, "Benchmark"). V8 reads it only at start-up, so it sits
// here, where the image's entrypoint and the package's bin run the file; `node dist/main.js` goes without it.
import { readFileSync } from 'node:fs';
import { runConnector } from '@source-kafka/airbyte-protocol';
import { createSourceKafkaConnector } from './connector.js';

// package.json sits one level up from both src/ and dist/, and ships in the image.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

await runConnector(createSourceKafkaConnector(), { program: { name: 'source-kafka', version } });
