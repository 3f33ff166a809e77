// A parser for the one-line JAAS config Kafka takes in `sasl.jaas.config`. Written by hand because no
// maintained JS library parses Kafka's dialect. Error messages must never echo values: a malformed line can
// make a password look like an option name, so only option names from KNOWN_OPTIONS are ever named.

export const JAAS_INVALID = 'JAAS_INVALID' as const;

export class JaasConfigError extends Error {
  override readonly name = 'JaasConfigError';
  readonly code = JAAS_INVALID;
}

export type JaasControlFlag = 'required' | 'requisite' | 'sufficient' | 'optional';

export interface JaasLoginEntry {
  /** The class as written, e.g. `org.apache.kafka.common.security.plain.PlainLoginModule`. */
  readonly loginModule: string;
  /** The class without its package, e.g. `PlainLoginModule`. */
  readonly moduleName: string;
  readonly controlFlag: JaasControlFlag;
  readonly options: ReadonlyMap<string, string>;
}

const KNOWN_OPTIONS = new Set([
  'username',
  'password',
  'clientId',
  'clientSecret',
  'scope',
  'tokenauth',
  'unsecuredLoginStringClaim_sub',
]);

const CONTROL_FLAGS: readonly JaasControlFlag[] = ['required', 'requisite', 'sufficient', 'optional'];
const CLASS_NAME = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const OPTION_NAME = /^[A-Za-z_$][\w$.-]*$/;

/** How an option may be named in an error: by name when that cannot leak a value, else by position. */
function describeOption(name: string | undefined, position: number): string {
  if (name !== undefined && (KNOWN_OPTIONS.has(name) || /^extension_\w+$/.test(name)))
    return `option "${name}"`;
  return `option #${position}`;
}

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/**
 * Parses `<LoginModule class> <flag> key=value ... ;`. Values may be quoted with " or ' (backslash escapes
 * inside), or bare. Extra spaces, a missing trailing `;` and any option order are fine.
 */
export function parseJaasConfig(text: string): JaasLoginEntry {
  let i = 0;
  const skipSpace = (): void => {
    while (isSpace(text[i])) i++;
  };
  const readWord = (): string => {
    const start = i;
    while (i < text.length && !isSpace(text[i]) && !'=;"\''.includes(text[i] ?? '')) i++;
    return text.slice(start, i);
  };

  skipSpace();
  if (i >= text.length) {
    throw new JaasConfigError(
      'is empty; expected a line like org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";',
    );
  }
  const loginModule = readWord();
  if (!CLASS_NAME.test(loginModule)) {
    throw new JaasConfigError(
      'must start with a login module class name, such as org.apache.kafka.common.security.plain.PlainLoginModule',
    );
  }
  const moduleName = loginModule.slice(loginModule.lastIndexOf('.') + 1);

  skipSpace();
  const flagWord = readWord().toLowerCase();
  const controlFlag = CONTROL_FLAGS.find((flag) => flag === flagWord);
  if (controlFlag === undefined) {
    throw new JaasConfigError(
      `needs a control flag (${CONTROL_FLAGS.join(', ')}) after the login module class, e.g. "... PlainLoginModule required username=..."`,
    );
  }

  const options = new Map<string, string>();
  let position = 0;
  for (;;) {
    skipSpace();
    if (i >= text.length || text[i] === ';') break;
    position++;
    const name = readWord();
    if (name === '' || !OPTION_NAME.test(name)) {
      throw new JaasConfigError(`${describeOption(undefined, position)} is not of the form name="value"`);
    }
    const label = describeOption(name, position);
    skipSpace();
    if (text[i] !== '=') throw new JaasConfigError(`${label} has no "=" after its name`);
    i++;
    skipSpace();
    const quote = text[i];
    let value = '';
    if (quote === '"' || quote === "'") {
      i++;
      let closed = false;
      while (i < text.length) {
        const ch = text[i++] as string;
        if (ch === quote) {
          closed = true;
          break;
        }
        if (ch === '\\' && i < text.length) {
          const escaped = text[i++] as string;
          value += ESCAPES[escaped] ?? escaped;
        } else {
          value += ch;
        }
      }
      if (!closed) throw new JaasConfigError(`the quoted value of ${label} is not closed`);
      if (i < text.length && !isSpace(text[i]) && text[i] !== ';') {
        throw new JaasConfigError(
          `${label} has text right after its closing quote; separate options with spaces`,
        );
      }
    } else {
      value = readWord();
      if (value === '') throw new JaasConfigError(`${label} has no value`);
      if (text[i] === '"' || text[i] === "'" || text[i] === '=') {
        throw new JaasConfigError(`the value of ${label} is malformed; put it in double quotes`);
      }
    }
    if (options.has(name)) throw new JaasConfigError(`${label} is given twice`);
    options.set(name, value);
  }
  if (text[i] === ';') i++;
  skipSpace();
  if (i < text.length) {
    throw new JaasConfigError('holds more than one login module; Kafka takes exactly one');
  }
  return { loginModule, moduleName, controlFlag, options };
}
