// The runner's contract with a connector. Knows nothing of Kafka.
// Message types themselves live in ./messages.ts (checked against the official YAML by a test).
import type {
  AirbyteCatalog,
  AirbyteConnectionStatus,
  AirbyteMessage,
  AirbyteRecordMessageMeta,
  ConfiguredAirbyteCatalog,
  ConnectorSpecification,
  FailureType,
  LogLevel,
  StreamDescriptor,
} from './messages.js';
import type { InputState } from './state.js';

export type { FailureType, LogLevel };

export interface ConnectorLogger {
  log(level: LogLevel, message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Where a connector sends messages. Producers pace themselves with `ready()`; see MessageWriter. */
export interface AirbyteMessageSink {
  /** Queues one message; false means "buffer above the high-water mark, await ready() before more". */
  write(message: AirbyteMessage): boolean;
  /** Same line as `write(recordMessage(...))`, several times faster: the path for bulk records. */
  writeRecord(
    stream: string,
    data: Record<string, unknown>,
    emittedAt: number,
    namespace?: string,
    meta?: AirbyteRecordMessageMeta,
  ): boolean;
  /** Resolves when the buffer is below the high-water mark again. */
  ready(): Promise<void>;
  /** Hands everything buffered to the output and waits until the output accepted it. */
  flush(): Promise<void>;
}

export interface ConnectorContext {
  readonly writer: AirbyteMessageSink;
  readonly logger: ConnectorLogger;
  /** Aborted on SIGTERM/SIGINT: stop reading, emit the last state, return. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
}

/** What `check` may return; returning nothing means SUCCEEDED, throwing means FAILED. */
export type CheckResult = AirbyteConnectionStatus | undefined;

/**
 * A source connector, driven by `runConnector`. `C` is the connector's parsed config type.
 * Errors thrown from any method become a TRACE ERROR (or, for `check`, a FAILED connection status).
 */
export interface Connector<C = unknown> {
  spec(): ConnectorSpecification | Promise<ConnectorSpecification>;
  /** Turns the raw JSON config into `C`; throw on bad input (`classifyError` says it is a config_error). */
  parseConfig?(raw: unknown): C | Promise<C>;
  /** Secret values beyond the spec's `airbyte_secret` fields (e.g. derived tokens), masked in logs and traces. */
  secretValues?(rawConfig: unknown): readonly string[];
  /** Overrides the runner's error classification; return undefined to fall back to it. */
  classifyError?(error: unknown): FailureType | undefined;
  /**
   * The stream a failure is about (a message that cannot be decoded, offsets lost to retention), written
   * as the TRACE error's `stream_descriptor`. Without it the runner looks for a `streamDescriptor`
   * property on the error and its causes.
   */
  streamOf?(error: unknown): StreamDescriptor | undefined;
  check(config: C, ctx: ConnectorContext): CheckResult | void | Promise<CheckResult> | Promise<void>;
  discover(config: C, ctx: ConnectorContext): AirbyteCatalog | Promise<AirbyteCatalog>;
  read(config: C, catalog: ConfiguredAirbyteCatalog, state: InputState, ctx: ConnectorContext): Promise<void>;
}
