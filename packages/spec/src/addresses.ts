import { isIPv4, isIPv6 } from 'node:net';
import type { TopicPartitionRef } from './config.js';

/** A parsed list and the problems found in it; each problem reads well after `<field path>: `. */
export interface ListParse<T> {
  readonly values: readonly T[];
  readonly problems: readonly string[];
}

const HOST_LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);
// Kafka tolerates a listener prefix such as SASL_SSL://, and saved Java configs may carry one.
const LISTENER_PREFIX = /^[A-Za-z][A-Za-z0-9_+.-]*:\/\//;
const MAX_PORT = 65535;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= MAX_PORT ? port : undefined;
}

/** The entry with everything before its last `@` (after any listener prefix) masked. */
function withoutUserInfo(entry: string): string {
  const prefix = LISTENER_PREFIX.exec(entry)?.[0] ?? '';
  return `${prefix}***@${entry.slice(entry.lastIndexOf('@') + 1)}`;
}

/** Parses `host1:port1,host2:port2` into `host:port` strings (IPv6 kept in brackets), without duplicates. */
export function parseBootstrapServers(text: string): ListParse<string> {
  const values: string[] = [];
  const problems: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const address = entry.replace(LISTENER_PREFIX, '');
    // `user:password@host` pasted from a URL: refuse it without quoting it, or the password lands in the logs.
    if (address.includes('@')) {
      problems.push(
        `"${withoutUserInfo(entry)}" carries credentials; list host:port only and put credentials in the protocol's sasl_jaas_config`,
      );
      continue;
    }
    // A list split with spaces or semicolons reads as one entry with several colons, which looks like IPv6.
    if (address.split(/[\s;]+/).filter((part) => part.includes(':')).length > 1) {
      problems.push(
        `"${entry}" holds more than one address; separate brokers with commas, e.g. broker1:9092,broker2:9092`,
      );
      continue;
    }
    if (/^\[[^\]]*\]$/.test(address)) {
      problems.push(`"${entry}" has no port; expected [address]:port, e.g. ${address}:9092`);
      continue;
    }
    let host: string;
    let portText: string;
    const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(address);
    if (bracketed) {
      host = bracketed[1] ?? '';
      portText = bracketed[2] ?? '';
      if (!isIPv6(host)) {
        problems.push(`"${entry}" has no valid IPv6 address in its brackets`);
        continue;
      }
    } else {
      const colon = address.lastIndexOf(':');
      if (colon < 0) {
        problems.push(`"${entry}" has no port; expected host:port, e.g. ${address}:9092`);
        continue;
      }
      host = address.slice(0, colon);
      portText = address.slice(colon + 1);
      if (host.includes(':')) {
        problems.push(`"${entry}" looks like an IPv6 address; write it in brackets, e.g. [::1]:9092`);
        continue;
      }
      if (!(isIPv4(host) || HOSTNAME.test(host))) {
        problems.push(`"${entry}" has an invalid host name`);
        continue;
      }
    }
    const port = parsePort(portText);
    if (port === undefined) {
      problems.push(`"${entry}" has an invalid port; expected a number from 1 to ${MAX_PORT}`);
      continue;
    }
    const normalized = bracketed ? `[${host}]:${port}` : `${host}:${port}`;
    if (!values.includes(normalized)) values.push(normalized);
  }
  if (values.length === 0 && problems.length === 0) {
    problems.push('must list at least one host:port, e.g. broker1:9092,broker2:9092');
  }
  return { values, problems };
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const MAX_PARTITION = 2 ** 31 - 1;

/** The problem with a topic name, or undefined when Kafka allows it. */
export function topicNameProblem(topic: string): string | undefined {
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    return `"${topic}" is not a valid topic name (letters, digits, '.', '_' and '-', at most 249 characters)`;
  }
  return undefined;
}

/** Parses `topic:partition, topic:partition` (the Java connector's format), without duplicates. */
export function parseTopicPartitions(text: string): ListParse<TopicPartitionRef> {
  const values: TopicPartitionRef[] = [];
  const problems: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.lastIndexOf(':');
    const topic = colon < 0 ? entry : entry.slice(0, colon).trim();
    const partitionText = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (colon < 0 || topic === '' || !/^\d+$/.test(partitionText)) {
      problems.push(`"${entry}" is not topic:partition`);
      continue;
    }
    const partition = Number(partitionText);
    if (partition > MAX_PARTITION) {
      problems.push(`"${entry}": the partition must be a whole number from 0 to ${MAX_PARTITION}`);
      continue;
    }
    const topicProblem = topicNameProblem(topic);
    if (topicProblem !== undefined) {
      problems.push(`"${entry}": ${topicProblem}`);
      continue;
    }
    if (!values.some((ref) => ref.topic === topic && ref.partition === partition))
      values.push({ topic, partition });
  }
  if (values.length === 0 && problems.length === 0) {
    problems.push('must list at least one topic:partition, e.g. orders:0, orders:1');
  }
  return { values, problems };
}
