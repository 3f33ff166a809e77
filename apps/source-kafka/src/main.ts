#!/usr/bin/env node
import { runConnector } from '@source-kafka/airbyte-protocol';
import { createSourceKafkaConnector } from './connector.js';

await runConnector(createSourceKafkaConnector());
