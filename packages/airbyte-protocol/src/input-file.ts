import { readFile } from 'node:fs/promises';
import { InputFileError } from './errors.js';

/**
 * Reads and parses a JSON input file named by a flag. The JSON parser's own message is left out on purpose:
 * V8 quotes the offending text, and in a config file that text may be a password.
 */
export async function readJsonFile(flag: string, path: string): Promise<unknown> {
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
    throw new InputFileError(flag, path, `The ${flag} file '${path}' is not valid JSON.`);
  }
}
