import { readFile } from 'node:fs/promises';
import { InputFileError } from './errors.js';

export interface ReadJsonFileOptions {
  /**
   * Also accept JSON lines (one JSON value per line, as `read` writes its messages): the file then reads as
   * the array of those values. Only a file that is not one JSON document is tried this way.
   */
  readonly jsonLines?: boolean;
}

/**
 * Reads and parses a JSON input file named by a flag. The JSON parser's own message is left out on purpose:
 * V8 quotes the offending text, and in a config file that text may be a password.
 */
export async function readJsonFile(
  flag: string,
  path: string,
  options: ReadJsonFileOptions = {},
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not readable (permission denied)'
          : code === 'EISDIR'
            ? 'is a directory, not a file'
            : `cannot be read (${code ?? 'unknown error'})`;
    throw new InputFileError(flag, path, `The ${flag} file '${path}' ${reason}.`, { cause: error });
  }
  if (text.trim() === '') throw new InputFileError(flag, path, `The ${flag} file '${path}' is empty.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (options.jsonLines) {
      const lines = parseJsonLines(text);
      if (typeof lines === 'number') {
        throw new InputFileError(
          flag,
          path,
          `The ${flag} file '${path}' is neither valid JSON nor JSON lines (line ${lines} is not valid JSON).`,
        );
      }
      return lines;
    }
    throw new InputFileError(flag, path, `The ${flag} file '${path}' is not valid JSON.`);
  }
}

/** The values of a JSON-lines text (blank lines skipped), or the 1-based number of its first bad line. */
function parseJsonLines(text: string): unknown[] | number {
  const values: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line) as unknown);
    } catch {
      return index + 1;
    }
  }
  return values;
}
