#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runConnector } from '@source-kafka/airbyte-protocol';
import { createSourceKafkaConnector } from './connector.js';

// package.json sits one level up from both src/ and dist/, and ships in the image.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

await runConnector(createSourceKafkaConnector(), { program: { name: 'source-kafka', version } });
