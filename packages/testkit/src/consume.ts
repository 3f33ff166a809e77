import { randomBytes } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { type ClientOptions, createKafka, type ListenerName } from './clients.js';
import type { BrokerConnection } from './connection.js';

export interface ConsumedMessage {
  readonly partition: number;
  readonly message: KafkaMessage;
}

export interface ConsumeOptions {
  readonly listener?: ListenerName;
  readonly client?: ClientOptions;
  /** Deadline for receiving every expected message. */
  readonly timeoutMs?: number;
}

/**
 * Reads `count` messages from the start of a topic with a throwaway consumer group: a test-side check of
 * what is on the broker, independent of the connector's own consumer.
 */
export async function consumeMessages(
  conn: BrokerConnection,
  topic: string,
  count: number,
  options: ConsumeOptions = {},
): Promise<ConsumedMessage[]> {
  const kafka = createKafka(conn, options.listener ?? 'plaintext', {
    clientId: 'testkit-consumer',
    ...options.client,
  });
  const consumer = kafka.consumer({ groupId: `testkit-${randomBytes(6).toString('hex')}` });
  const received: ConsumedMessage[] = [];
  const timeoutMs = options.timeoutMs ?? 60_000;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `Received ${received.length} of ${count} messages from ${topic} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({ partition, message });
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
