/** One thing wrong with a config: where (dotted JSON path, '' for the whole config) and what. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export const CONFIG_INVALID = 'CONFIG_INVALID' as const;

/** Formats a problem as `path: message`, the form users see. */
export function formatProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

/**
 * Thrown by parseConfig with every problem found, never just the first. Messages never carry a secret
 * value, so the error may be logged or shown as it is.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = CONFIG_INVALID;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    // One line: runners show an error's first line to the user, and every problem must reach them.
    super(`Invalid config: ${problems.map(formatProblem).join('; ')}`, options);
    this.problems = problems;
  }
}
