import { informationRequest, type ParsedArgs, parseConnectorArgs, usageText } from './argv.js';
import {
  catalogMessage,
  connectionStatusMessage,
  errorTraceMessage,
  logMessage,
  specMessage,
} from './builders.js';
import { parseConfiguredCatalog } from './catalog.js';
import {
  causeChain,
  classifyError,
  internalMessage,
  isFailureType,
  stackTrace,
  userMessage,
} from './classify.js';
import type { Clock, Connector, ConnectorContext, FailureType, LogLevel } from './contract.js';
import { InputFileError } from './errors.js';
import { FdOutput } from './fd-output.js';
import { readJsonFile } from './input-file.js';
import { createLogger } from './logger.js';
import type { StreamDescriptor } from './messages.js';
import { redactorForConfig, SecretRedactor } from './redactor.js';
import { EMPTY_INPUT_STATE, parseInputState } from './state.js';
import { describeUnknownFields, findUnknownFields } from './unknown-fields.js';
import { type MessageOutput, MessageWriter, type MessageWriterOptions } from './writer.js';

const STDOUT_FD = 1;
/** On a fatal path, how long lines already handed to the output get to reach it before the process exits. */
const EXIT_OUTPUT_GRACE_MS = 5_000;

export interface RunnerOptions {
  /** Command line without node and script; default `process.argv.slice(2)`. */
  readonly argv?: readonly string[];
  /** Default: standard output (file descriptor 1), written off the main thread (FdOutput). */
  readonly output?: MessageOutput;
  readonly clock?: Clock;
  /** Lowest level written; default INFO, DEBUG with `--debug`. */
  readonly logLevel?: LogLevel;
  readonly writer?: Pick<MessageWriterOptions, 'chunkSize' | 'highWaterMark'>;
  /**
   * Install SIGTERM/SIGINT, uncaughtException/unhandledRejection and exit-flush handlers, and call
   * `process.exit` with the result. Default true; tests running the runner in-process turn it off.
   */
  readonly manageProcess?: boolean;
  /** After SIGTERM, how long the connector gets to stop before the runner flushes and exits. Default 20 s. */
  readonly shutdownGraceMs?: number;
  /** The program's name and version, for `--help` and `--version`. */
  readonly program?: { readonly name: string; readonly version: string };
}

/** Exit code after SIGTERM/SIGINT (128 + SIGTERM), whether or not the connector stopped in time. */
export const EXIT_TERMINATED = 143;

const systemClock: Clock = { now: () => Date.now() };

/**
 * Runs one Airbyte command (`spec`, `check`, `discover`, `read`) against a connector and resolves with the
 * exit code: 0 on success (and for a `check` that answers FAILED for a configuration problem), 1 after a
 * TRACE ERROR, 143 after SIGTERM.
 */
export async function runConnector<C>(connector: Connector<C>, options: RunnerOptions = {}): Promise<number> {
  const manageProcess = options.manageProcess ?? true;
  const clock = options.clock ?? systemClock;
  const argv = options.argv ?? process.argv.slice(2);
  const information = informationRequest(argv);
  if (information !== undefined) {
    // For people at a terminal, not the platform: plain text, exit 0.
    const program = options.program ?? { name: 'connector', version: 'unknown' };
    const text = information === 'help' ? usageText(program.name) : `${program.name} ${program.version}\n`;
    await writeText(options.output ?? process.stdout, text);
    if (manageProcess) process.exit(0);
    return 0;
  }
  let redactor = new SecretRedactor([]);
  const writer = new MessageWriter(options.output ?? new FdOutput(STDOUT_FD), {
    ...options.writer,
    redact: (message) => redactor.redactMessage(message),
  });
  const abort = new AbortController();
  let command: ParsedArgs['command'] | undefined;
  let terminated = false;
  /** Set when a fatal error or signal is ending the process: a connector that then returns cannot undo it. */
  let exitingWith: number | undefined;

  /** Writes the failure in the form the command calls for and returns the exit code. */
  const reportFailure = (error: unknown): number => {
    const failureType = classify(connector, error);
    // As the CDK's entrypoint: a config problem is a check result (FAILED, exit 0); anything else (a network
    // that is down, a bug) is a failure of the check itself, so the platform sees a TRACE and the exit code.
    if (command === 'check' && failureType === 'config_error' && !terminated) {
      writeQuietly(writer, connectionStatusMessage('FAILED', userMessage(error, failureType)));
      return 0;
    }
    if (terminated) {
      // Most likely the connector unwinding after the abort signal: not a failure of the sync itself.
      writeQuietly(
        writer,
        logMessage('WARN', `Stopped after a termination signal: ${internalMessage(error)}`),
      );
      return EXIT_TERMINATED;
    }
    writeQuietly(
      writer,
      errorTraceMessage(
        {
          message: userMessage(error, failureType),
          failureType,
          internalMessage: internalMessage(error),
          stackTrace: stackTrace(error),
          streamDescriptor: streamOf(connector, error),
        },
        clock.now(),
      ),
    );
    return 1;
  };

  const detach = manageProcess
    ? attachProcessHandlers({
        writer,
        onSignal: (signal) => {
          terminated = true;
          writeQuietly(writer, logMessage('WARN', `Received ${signal}; stopping and flushing output.`));
          abort.abort(new Error(`Received ${signal}`));
        },
        onFatal: reportFailure,
        onExiting: (code) => {
          exitingWith = code;
          if (!abort.signal.aborted) abort.abort(new Error('The connector is exiting'));
        },
        onPrematureExit: () =>
          reportFailure(
            new Error(
              `The connector stopped before the '${command ?? 'unknown'}' command finished: an awaited promise never settled, or process.exit was called early.`,
            ),
          ),
        shutdownGraceMs: options.shutdownGraceMs ?? 20_000,
      })
    : () => {};

  let exitCode = 0;
  // The platform puts the command first; knowing it is `check` early lets bad flags still be answered
  // with a connection status.
  if (argv[0] === 'check') command = 'check';
  try {
    const args = parseConnectorArgs(argv);
    command = args.command;
    const logger = createLogger(writer, options.logLevel ?? (args.debug ? 'DEBUG' : 'INFO'));
    const ctx: ConnectorContext = { writer, logger, signal: abort.signal, clock };
    const spec = await connector.spec();
    if (args.command === 'spec') {
      writer.write(specMessage(spec));
    } else {
      const rawConfig = await readJsonObject('--config', args.configPath!);
      redactor = redactorForConfig(
        spec.connectionSpecification,
        rawConfig,
        connector.secretValues?.(rawConfig),
      );
      // Unknown fields are not errors (a field a later version drops must not break saved configs), but a
      // typo must not pass unnoticed either: one WARN per command names them all.
      const unknown = describeUnknownFields(findUnknownFields(spec.connectionSpecification, rawConfig));
      if (unknown !== undefined) logger.warn(unknown);
      exitCode = await runWithConfig(connector, args, rawConfig, ctx);
    }
  } catch (error) {
    exitCode = reportFailure(error);
  } finally {
    try {
      await writer.close();
    } catch {
      // The reader went away (EPIPE); nothing left to tell it.
    }
    detach();
  }
  if (terminated) exitCode = EXIT_TERMINATED;
  if (exitingWith !== undefined) exitCode = exitingWith;
  if (manageProcess) process.exit(exitCode);
  return exitCode;
}

async function runWithConfig<C>(
  connector: Connector<C>,
  args: ParsedArgs,
  rawConfig: Record<string, unknown>,
  ctx: ConnectorContext,
): Promise<number> {
  const config = connector.parseConfig ? await connector.parseConfig(rawConfig) : (rawConfig as C);
  switch (args.command) {
    case 'check': {
      const result = await connector.check(config, ctx);
      ctx.writer.write(
        result === undefined
          ? connectionStatusMessage('SUCCEEDED')
          : connectionStatusMessage(result.status, result.message),
      );
      return 0;
    }
    case 'discover':
      ctx.writer.write(catalogMessage(await connector.discover(config, ctx)));
      return 0;
    case 'read': {
      const catalog = parseConfiguredCatalog(await readJsonFile('--catalog', args.catalogPath!));
      const state =
        args.statePath === undefined
          ? EMPTY_INPUT_STATE
          : parseInputState(await readJsonFile('--state', args.statePath, { jsonLines: true }));
      await connector.read(config, catalog, state, ctx);
      return 0;
    }
    default:
      return 0;
  }
}

async function readJsonObject(flag: string, path: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(flag, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputFileError(flag, path, `The ${flag} file '${path}' must contain a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function classify<C>(connector: Connector<C>, error: unknown): FailureType {
  let custom: FailureType | undefined;
  try {
    custom = connector.classifyError?.(error);
  } catch {
    custom = undefined;
  }
  return isFailureType(custom) ? custom : classifyError(error);
}

function streamOf<C>(connector: Connector<C>, error: unknown): StreamDescriptor | undefined {
  let found: StreamDescriptor | undefined;
  try {
    found = connector.streamOf?.(error);
  } catch {
    found = undefined;
  }
  if (isStreamDescriptor(found)) return found;
  for (const link of causeChain(error)) {
    const candidate = (link as { streamDescriptor?: unknown }).streamDescriptor;
    if (isStreamDescriptor(candidate)) return candidate;
  }
  return undefined;
}

function isStreamDescriptor(value: unknown): value is StreamDescriptor {
  if (typeof value !== 'object' || value === null) return false;
  const { name, namespace } = value as { name?: unknown; namespace?: unknown };
  return typeof name === 'string' && (namespace === undefined || typeof namespace === 'string');
}

function writeText(output: MessageOutput, text: string): Promise<void> {
  return new Promise((done) => {
    output.write(text, () => done());
  });
}

function writeQuietly(writer: MessageWriter, message: Parameters<MessageWriter['write']>[0]): void {
  try {
    if (!writer.closed) writer.write(message);
  } catch {
    // The output failed; the exit code still tells the platform.
  }
}

/** Node's exit code when the event loop empties while a top-level await is pending. */
const UNSETTLED_TOP_LEVEL_AWAIT = 13;

interface ProcessHandlerOptions {
  readonly writer: MessageWriter;
  readonly onSignal: (signal: NodeJS.Signals) => void;
  readonly onFatal: (error: unknown) => number;
  /** The process is about to exit with `code` on a fatal error or signal: stop the connector. */
  readonly onExiting: (code: number) => void;
  /** The process is exiting while the command is still running (process.exit elsewhere, or an empty loop). */
  readonly onPrematureExit: () => void;
  readonly shutdownGraceMs: number;
}

/** Signal, crash and exit handlers; returns a function that removes them. */
function attachProcessHandlers({
  writer,
  onSignal,
  onFatal,
  onExiting,
  onPrematureExit,
  shutdownGraceMs,
}: ProcessHandlerOptions): () => void {
  let signalled = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let exiting = false;
  const exitNow = (code: number): void => {
    if (exiting) return;
    exiting = true;
    process.exitCode = code;
    onExiting(code);
    writer.flushSync();
    // The output writes on another thread: what it holds (the TRACE among it) must reach the reader first,
    // and nothing may follow it, so the writer refuses the lines a connector still unwinding would add.
    const timer = setTimeout(() => process.exit(code), EXIT_OUTPUT_GRACE_MS);
    timer.unref();
    writer.close().then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  const handleSignal = (signal: NodeJS.Signals): void => {
    // A second signal, or a connector that ignores the abort signal, ends the process once the output is out
    // (or after EXIT_OUTPUT_GRACE_MS).
    if (signalled) {
      exitNow(EXIT_TERMINATED);
      return;
    }
    signalled = true;
    onSignal(signal);
    // Kept referenced: a connector stuck on a promise with nothing else pending still exits with 143.
    graceTimer = setTimeout(() => exitNow(EXIT_TERMINATED), shutdownGraceMs);
  };
  const handleFatal = (error: unknown): void => {
    // A failure while already exiting (the connector still unwinding) adds nothing for the platform.
    if (!exiting) exitNow(onFatal(error));
  };
  // Only reached while the command runs: the runner detaches these handlers before its own exit.
  const handleExit = (code: number): void => {
    if (!exiting) {
      onPrematureExit();
      // An unfinished command is a failure (1), also when Node was about to exit with 0 or, as Node 24 does when
      // the loop empties under a pending top-level await, with 13.
      if (code === 0 || code === UNSETTLED_TOP_LEVEL_AWAIT) process.exitCode = 1;
    }
    writer.flushSync();
  };

  process.on('SIGTERM', handleSignal);
  process.on('SIGINT', handleSignal);
  process.on('uncaughtException', handleFatal);
  process.on('unhandledRejection', handleFatal);
  process.on('exit', handleExit);
  return () => {
    if (graceTimer) clearTimeout(graceTimer);
    process.off('SIGTERM', handleSignal);
    process.off('SIGINT', handleSignal);
    process.off('uncaughtException', handleFatal);
    process.off('unhandledRejection', handleFatal);
    process.off('exit', handleExit);
  };
}
