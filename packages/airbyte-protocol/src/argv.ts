import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export const COMMANDS = ['spec', 'check', 'discover', 'read'] as const;
export type Command = (typeof COMMANDS)[number];

export interface ParsedArgs {
  readonly command: Command;
  readonly configPath?: string;
  readonly catalogPath?: string;
  readonly statePath?: string;
  readonly debug: boolean;
}

const USAGE =
  'usage: spec | check --config F | discover --config F | read --config F --catalog F [--state F]';

/** The text `--help` prints. */
export function usageText(name: string): string {
  return [
    `usage: ${name} <command> [flags]`,
    '',
    'Commands (the Airbyte protocol; every output line is one JSON AirbyteMessage):',
    '  spec                                          print the connector specification',
    '  check    --config FILE                        test the config: CONNECTION_STATUS',
    '  discover --config FILE                        list the streams: CATALOG',
    '  read     --config FILE --catalog FILE [--state FILE]',
    '                                                read the configured streams: RECORD, STATE, ...',
    '',
    'Flags:',
    '  --debug      also write DEBUG logs',
    '  --help, -h   print this help',
    '  --version    print the version',
    '',
  ].join('\n');
}

/**
 * `help` or `version` when the command line asks for either anywhere (`--help`, `-h`, `help`, `--version`),
 * so a person who types them gets an answer instead of a usage error. Help wins when both are asked.
 */
export function informationRequest(argv: readonly string[]): 'help' | 'version' | undefined {
  if (argv.some((arg) => arg === '--help' || arg === '-h') || argv[0] === 'help') return 'help';
  if (argv.some((arg) => arg === '--version') || argv[0] === 'version') return 'version';
  return undefined;
}

/** Parses the Airbyte connector command line. Throws UsageError (config_error) on anything unexpected. */
export function parseConnectorArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // node:util's messages name the flag ("Unknown option '--x'"), which is what the user needs.
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}. ${USAGE}`, {
      cause: error,
    });
  }
  const [command, ...extra] = parsed.positionals;
  if (command === undefined) throw new UsageError(`No command given. ${USAGE}`);
  if (!isCommand(command)) throw new UsageError(`Unknown command '${command}'. ${USAGE}`);
  if (extra.length > 0)
    throw new UsageError(`Unexpected argument '${extra[0]}' after '${command}'. ${USAGE}`);
  const { config, catalog, state, debug } = parsed.values;
  if (command !== 'spec' && config === undefined) {
    throw new UsageError(`The '${command}' command needs --config <file>. ${USAGE}`);
  }
  if (command === 'read' && catalog === undefined) {
    throw new UsageError(`The 'read' command needs --catalog <file>. ${USAGE}`);
  }
  return {
    command,
    ...(config === undefined ? {} : { configPath: config }),
    ...(catalog === undefined ? {} : { catalogPath: catalog }),
    ...(state === undefined ? {} : { statePath: state }),
    debug: debug ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      catalog: { type: 'string' },
      state: { type: 'string' },
      debug: { type: 'boolean' },
    },
  });
}

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}
