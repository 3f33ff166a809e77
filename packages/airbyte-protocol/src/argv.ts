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
