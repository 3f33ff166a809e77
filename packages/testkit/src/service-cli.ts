import type { ServiceState, ServiceStatus } from './managed-service.js';

type RunningStatus<S extends ServiceState> = Extract<ServiceStatus<S>, { readonly running: true }>;

/** The commands `pnpm broker` and `pnpm registry` share, and what each says in its own words. */
export interface ServiceCli<S extends ServiceState> {
  readonly usage: string;
  /** "broker" or "registry", as the output names it. */
  readonly noun: string;
  readonly stop: () => Promise<boolean>;
  readonly status: () => Promise<ServiceStatus<S>>;
  /** The lines `status` prints for a running service. */
  readonly describe: (status: RunningStatus<S>) => readonly string[];
  readonly stopOrphaned: () => Promise<boolean>;
  readonly connectionFilePath: () => string;
  /** The service's own commands (start, fetch, …), given the argument after the command. */
  readonly commands: Readonly<Record<string, (argument: string | undefined) => Promise<number>>>;
}

async function dispatch<S extends ServiceState>(
  build: () => ServiceCli<S>,
  command: string | undefined,
  argument: string | undefined,
): Promise<number> {
  const cli = build();
  const own =
    command !== undefined && Object.hasOwn(cli.commands, command) ? cli.commands[command] : undefined;
  if (own !== undefined) return own(argument);
  switch (command) {
    case 'stop':
      console.log((await cli.stop()) ? 'Stopped' : `No ${cli.noun} was running`);
      return 0;
    case 'status': {
      const status = await cli.status();
      if (!status.running) {
        console.log(`Not running (run folder ${status.runDir})`);
        return 1;
      }
      console.log(cli.describe(status).join('\n'));
      return status.answering ? 0 : 1;
    }
    case 'gc':
      console.log(
        (await cli.stopOrphaned()) ? `Stopped an orphaned test-run ${cli.noun}` : 'Nothing to stop',
      );
      return 0;
    case 'env':
      console.log(cli.connectionFilePath());
      return 0;
    default:
      console.error(cli.usage);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

/**
 * Runs the command in argv and sets the exit code: 0 done, 1 failed or not answering, 2 bad usage. `build`
 * runs inside, so a bad setting is reported like any other failure.
 */
export function runServiceCli<S extends ServiceState>(
  argv: readonly string[],
  /** Errors whose code and message people read as they are; the stack adds nothing. */
  ownError: abstract new (...args: never[]) => { readonly code: string; readonly message: string },
  build: () => ServiceCli<S>,
): void {
  dispatch(build, argv[2], argv[3]).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof ownError ? `${error.code}: ${error.message}` : String(error));
      process.exitCode = 1;
    },
  );
}
