import type { Subscription } from '@source-kafka/spec';
import { ConsumerError, consumerErrorCodes } from './errors.js';
import type { TopicInfo } from './types.js';

/** Broker-internal topics and the schema registry's store: never read, whatever the pattern says. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  '__consumer_offsets',
  '__transaction_state',
  '_schemas',
]);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/**
 * Java's `Pattern.matcher(name).matches()` must match the whole name, while a JS RegExp finds a match anywhere,
 * so the pattern is anchored around a non-capturing group (anchoring without the group would bind `^` and `$`
 * to the first and last alternatives only).
 */
export function compileSubscribePattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new ConsumerError(
      consumerErrorCodes.invalidConfig,
      `subscription.topic_pattern "${pattern}" is not a valid regular expression`,
      { cause: error },
    );
  }
}

export interface TopicSelection {
  readonly topics: readonly TopicInfo[];
  /** The exact partitions to read, per topic, in ascending order. */
  readonly partitions: ReadonlyMap<string, readonly number[]>;
}

/**
 * Applies the subscription to the cluster's topics (name -> partition count). Pure, so the rules are unit-tested
 * without a broker. Assign lists are checked: a missing topic or partition fails, naming every one missing.
 */
export function selectTopics(
  subscription: Subscription,
  cluster: ReadonlyMap<string, number>,
): TopicSelection {
  if (subscription.type === 'subscribe') {
    const regex = compileSubscribePattern(subscription.pattern);
    const names = [...cluster.keys()].filter((name) => !isInternalTopic(name) && regex.test(name)).sort();
    const partitions = new Map<string, number[]>();
    const topics: TopicInfo[] = [];
    for (const name of names) {
      const count = cluster.get(name) ?? 0;
      topics.push({ name, partitions: count });
      partitions.set(
        name,
        Array.from({ length: count }, (_, i) => i),
      );
    }
    return { topics, partitions };
  }

  const missing: string[] = [];
  const internal: string[] = [];
  const partitions = new Map<string, number[]>();
  for (const { topic, partition } of subscription.partitions) {
    if (isInternalTopic(topic)) {
      internal.push(`${topic}:${partition}`);
      continue;
    }
    const count = cluster.get(topic);
    if (count === undefined) {
      missing.push(`${topic}:${partition} (topic does not exist)`);
      continue;
    }
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      missing.push(`${topic}:${partition} (topic has ${count} partition${count === 1 ? '' : 's'})`);
      continue;
    }
    const list = partitions.get(topic) ?? [];
    if (!list.includes(partition)) list.push(partition);
    partitions.set(topic, list);
  }
  if (internal.length > 0) {
    throw new ConsumerError(
      consumerErrorCodes.invalidConfig,
      `subscription.topic_partitions names internal topics, which are never read: ${internal.join(', ')}`,
    );
  }
  if (missing.length > 0) {
    throw new ConsumerError(
      missing.some((m) => m.includes('does not exist'))
        ? consumerErrorCodes.topicNotFound
        : consumerErrorCodes.partitionNotFound,
      `subscription.topic_partitions names partitions that do not exist: ${missing.join(', ')}`,
    );
  }
  const topics: TopicInfo[] = [];
  for (const [name, list] of [...partitions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => a - b);
    topics.push({ name, partitions: cluster.get(name) ?? list.length });
  }
  return { topics, partitions };
}
