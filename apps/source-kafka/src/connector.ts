import {
  type AirbyteCatalog,
  type AirbyteConnectionStatus,
  type ConfiguredAirbyteCatalog,
  type Connector,
  type ConnectorContext,
  causeChain,
  classifyError,
  type FailureType,
  type InputState,
} from '@source-kafka/airbyte-protocol';
import {
  type ConsumerDeps,
  ConsumerError,
  type KafkaRecord,
  type TopicInfo,
  withDeadline,
} from '@source-kafka/consumer';
import {
  createDeserializer,
  createSchemaRegistryClient,
  DeserializationError,
  type SchemaRegistry,
} from '@source-kafka/deserializers';
import { type FormatConfig, type KafkaSourceConfig, parseConfig, spec } from '@source-kafka/spec';
import { discoverStreams } from './discover.js';
import { errorCodes, SourceKafkaError } from './errors.js';
import { failureTypeOf } from './failure-types.js';
import { createKafkaPort } from './kafka-port.js';
import type { Decoders, KafkaPort } from './ports.js';
import { type ConfiguredStream, readStreams, reportIncomplete } from './read.js';

/** Seams for tests and other hosts; every field defaults to the real implementation. */
export interface SourceKafkaDeps {
  readonly createKafkaPort?: (config: KafkaSourceConfig, deps: ConsumerDeps) => KafkaPort;
  readonly createRegistry?: (config: KafkaSourceConfig) => SchemaRegistry | undefined;
  /** How often `read` logs progress. */
  readonly progressIntervalMs?: number;
}

const TOPICS_NAMED_IN_CHECK = 10;

/** Newest records read per partition in `discover`, for the Protobuf message indexes they carry. */
const DISCOVER_SAMPLES_PER_PARTITION = 3;

/**
 * Protobuf under TopicNameStrategy registers a whole file per subject; only the records tell which of its
 * messages the topic carries, so discover reads a few of the newest.
 */
function samplesMessageIndexes(format: FormatConfig): boolean {
  return format.format === 'PROTOBUF' && format.subjectNameStrategy === 'TopicNameStrategy';
}

/** Memory bound of discover's sample: a topic's keys and values beyond it are not kept. */
const DISCOVER_SAMPLE_MAX_BYTES_PER_TOPIC = 64 * 1024 * 1024;

/**
 * How many of the newest records discover reads per partition of a topic: a few for Protobuf message
 * indexes and for the embedded schemas of envelopes, and the topic's share of the inference sample for JSON keys and values.
 */
export function samplesPerPartition(
  config: Pick<KafkaSourceConfig, 'keyFormat' | 'valueFormat' | 'layout' | 'schemaInferenceSampleSize'>,
): (topic: TopicInfo) => number {
  const parts = [config.valueFormat, ...(config.layout.includeKey ? [config.keyFormat] : [])];
  const protobuf = parts.some(samplesMessageIndexes) ? DISCOVER_SAMPLES_PER_PARTITION : 0;
  const infers = config.schemaInferenceSampleSize > 0 && parts.some((f) => f.format === 'JSON');
  // Connect's embedded schemas type an envelope's rows even with inference off; the newest few carry them.
  const embedded =
    (config.layout.envelope ?? 'none') !== 'none' && parts.some((f) => f.format === 'JSON')
      ? DISCOVER_SAMPLES_PER_PARTITION
      : 0;
  return (topic) =>
    Math.max(
      protobuf,
      embedded,
      infers && topic.partitions > 0 ? Math.ceil(config.schemaInferenceSampleSize / topic.partitions) : 0,
    );
}

/** What discover does without its sample, for the warning when the sample cannot be read. */
function withoutSamples(config: Pick<KafkaSourceConfig, 'keyFormat' | 'valueFormat' | 'layout'>): string {
  const parts = [config.valueFormat, ...(config.layout.includeKey ? [config.keyFormat] : [])];
  const consequences: string[] = [];
  if (parts.some((f) => f.format === 'JSON'))
    consequences.push('JSON keys and values are declared as any JSON');
  if (parts.some(samplesMessageIndexes)) {
    consequences.push("each Protobuf topic is typed by its schema file's first message");
  }
  return consequences.join(', and ');
}

function defaultRegistry(config: KafkaSourceConfig): SchemaRegistry | undefined {
  const registry = config.schemaRegistry;
  if (registry === undefined) return undefined;
  return createSchemaRegistryClient({
    url: registry.url,
    username: registry.username,
    password: registry.password,
    bearerToken: registry.bearerToken,
    caCertificate: registry.caCertificate,
    clientCertificate: registry.clientCertificate,
    clientKey: registry.clientKey,
    clientKeyPassword: registry.clientKeyPassword,
    timeoutMs: config.requestTimeoutMs,
    retryBackoffMs: config.retryBackoffMs,
  });
}

/** The URL without user:password@, query or fragment (either may carry a key), for messages. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return '(the configured registry URL)';
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}

interface CheckFailure {
  readonly message: string;
  readonly failureType: FailureType;
  readonly error: unknown;
}

/**
 * FAILED when every problem is one the user fixes in the config; otherwise the check itself failed (a network
 * down, a bug), which the CDK reports as a TRACE error and a non-zero exit: thrown, with the same message.
 */
export function checkOutcome(failures: readonly CheckFailure[]): AirbyteConnectionStatus {
  if (failures.length === 0) return { status: 'SUCCEEDED' };
  const message = failures.map((failure) => failure.message).join(' | ');
  const unexpected = failures.find((failure) => failure.failureType !== 'config_error');
  if (unexpected === undefined) return { status: 'FAILED', message };
  const failureType = failures.some((failure) => failure.failureType === 'transient_error')
    ? 'transient_error'
    : 'system_error';
  throw new SourceKafkaError(errorCodes.checkFailed, message, { failureType, cause: unexpected.error });
}

export function createSourceKafkaConnector(deps: SourceKafkaDeps = {}): Connector<KafkaSourceConfig> {
  const makeKafka = deps.createKafkaPort ?? createKafkaPort;
  const makeRegistry = deps.createRegistry ?? defaultRegistry;
  const consumerDeps = (ctx: ConnectorContext): ConsumerDeps => ({ logger: ctx.logger, clock: ctx.clock });

  return {
    spec,
    parseConfig(raw) {
      return parseConfig(raw);
    },

    classifyError: failureTypeOf,

    streamOf(error) {
      // The app's own errors name their stream; a consumer error names its topic, and each topic is a stream.
      for (const link of causeChain(error)) {
        if (link instanceof ConsumerError && link.topic !== undefined) return { name: link.topic };
      }
      return undefined;
    },

    async check(config, ctx): Promise<AirbyteConnectionStatus> {
      const failures: CheckFailure[] = [];
      const fail = (message: string, error?: unknown): void => {
        failures.push({
          message,
          error,
          failureType: error === undefined ? 'config_error' : (failureTypeOf(error) ?? classifyError(error)),
        });
      };
      // Each step gets its own deadline, so one hanging service cannot hide what is wrong with another.
      const deadlineMs = config.requestTimeoutMs * 3 + 5_000;
      const timeout = (what: string) => () =>
        new SourceKafkaError(
          errorCodes.checkTimeout,
          `${what} did not answer within ${deadlineMs} ms; check the address and the network`,
          { failureType: 'transient_error' },
        );
      const kafka = makeKafka(config, consumerDeps(ctx));
      try {
        const topics = await withDeadline(
          kafka.listTopics(),
          deadlineMs,
          timeout(`The Kafka brokers ${config.brokers.join(',')}`),
        );
        if (topics.length === 0) {
          fail(
            config.subscription.type === 'subscribe'
              ? `No topic matches topic_pattern "${config.subscription.pattern}": fix the pattern or create the topic.`
              : 'None of the assigned partitions exist: fix subscription.topic_partitions.',
          );
        } else {
          // A broad pattern on a big cluster selects thousands of topics: name a few, count the rest.
          const shown = topics.slice(0, TOPICS_NAMED_IN_CHECK).map((t) => t.name);
          const more = topics.length - shown.length;
          ctx.logger.info(
            `The subscription selects ${topics.length} topic(s): ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`,
          );
        }
        if (config.testTopic !== undefined) {
          await withDeadline(
            kafka.checkTopicReadable(config.testTopic),
            deadlineMs * 2,
            timeout(`Reading test topic "${config.testTopic}"`),
          ).catch((error: unknown) => {
            fail(`Test topic "${config.testTopic}" cannot be read: ${messageOf(error)}`, error);
          });
        }
      } catch (error) {
        fail(`Kafka: ${messageOf(error)}`, error);
      } finally {
        await kafka.close().catch(() => undefined);
      }

      const registry = makeRegistry(config);
      if (registry !== undefined && config.schemaRegistry !== undefined) {
        const where = displayUrl(config.schemaRegistry.url);
        await withDeadline(
          registry.listSubjects(),
          deadlineMs,
          timeout(`The schema registry at ${where}`),
        ).catch((error: unknown) => {
          fail(
            `Schema registry at ${where}: ${messageOf(error)} (check schema_registry.url and its credentials)`,
            error,
          );
        });
      }
      return checkOutcome(failures);
    },

    async discover(config, ctx): Promise<AirbyteCatalog> {
      const kafka = makeKafka(config, consumerDeps(ctx));
      let topics: Awaited<ReturnType<KafkaPort['listTopics']>>;
      let samples: Map<string, KafkaRecord[]> = new Map();
      try {
        topics = await kafka.listTopics();
        const perPartition = samplesPerPartition(config);
        if (topics.some((t) => perPartition(t) > 0)) {
          // Describing topics needs less than reading them: without the records, discover still answers.
          samples = await kafka
            .sampleLatest(topics, perPartition, { maxBytesPerTopic: DISCOVER_SAMPLE_MAX_BYTES_PER_TOPIC })
            .catch((error: unknown) => {
              ctx.logger.warn(
                `Could not read the newest records of the topics (${messageOf(error)}); ${withoutSamples(config)}.`,
              );
              return new Map<string, KafkaRecord[]>();
            });
        }
      } finally {
        await kafka.close().catch(() => undefined);
      }
      const streams = await discoverStreams({
        topics,
        config,
        registry: makeRegistry(config),
        logger: ctx.logger,
        samples,
      });
      ctx.logger.info(`Discovered ${streams.length} stream(s).`);
      return { streams };
    },

    async read(config, catalog: ConfiguredAirbyteCatalog, state: InputState, ctx): Promise<void> {
      const streams: ConfiguredStream[] = catalog.streams.map((s) => ({
        name: s.stream.name,
        syncMode: s.sync_mode,
      }));
      let states: Map<string, unknown>;
      let decoders: Decoders;
      let kafka: KafkaPort;
      try {
        if (state.legacy !== undefined) {
          throw new SourceKafkaError(
            errorCodes.invalidState,
            'The state is in the legacy single-object form, which this connector never writes: pass the list of STREAM states, or reset the connection.',
            { failureType: 'config_error' },
          );
        }
        states = new Map<string, unknown>();
        for (const stream of streams) {
          const blob = state.streamState({ name: stream.name });
          if (blob !== undefined) states.set(stream.name, blob);
        }
        const registry = makeRegistry(config);
        decoders = {
          // Keys that are not written are never decoded, so their format needs no registry either.
          key: config.layout.includeKey ? createDeserializer(config.keyFormat, { registry }) : () => null,
          value: createDeserializer(config.valueFormat, { registry }),
        };
        kafka = makeKafka(config, consumerDeps(ctx));
      } catch (error) {
        // readStreams ends the streams itself on its own failures; these come before it runs.
        await reportIncomplete(
          ctx.writer,
          ctx.clock,
          streams.map((s) => s.name),
        );
        throw error;
      }
      await readStreams({
        config,
        streams,
        states,
        kafka,
        decoders,
        ctx,
        progressIntervalMs: deps.progressIntervalMs,
        isPoison: (error) => (error instanceof DeserializationError ? error.reason : undefined),
      });
    },
  };
}
