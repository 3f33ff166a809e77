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
  'awsProfileName',
  'awsRoleArn',
  'awsRoleSessionName',
  'awsRoleExternalId',
  'awsStsRegion',
  'awsRoleAccessKeyId',
  'awsRoleSecretAccessKey',
  'awsRoleSessionToken',
  'awsDebugCreds',
  'awsMaxRetries',
  'awsMaxBackOffTimeMs',
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

type Token =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: ';' | '=' | 'other' | 'end' };

const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Tokens as kafka-clients' JaasConfig reads them (a java.io.StreamTokenizer): characters up to the space are
 * blanks; `/` starts a comment (`/* ... *\/` a block, any other `/` runs to the end of the line); `"` and `'`
 * quote, with backslash escapes, up to the same quote or the end of the line; `;` and `=` stand alone; every
 * other character of the range Latin-1 marks as text belongs to a word.
 */
function tokenize(text: string): () => Token {
  let i = 0;
  const lineEnd = (ch: string | undefined): boolean => ch === '\n' || ch === '\r';
  const isWordChar = (code: number): boolean => (code > 32 && code <= 128) || code >= 160;
  return () => {
    for (;;) {
      while (i < text.length && text.charCodeAt(i) <= 32) i++;
      if (i >= text.length) return { kind: 'end' };
      const ch = text[i] as string;
      if (ch === '/') {
        if (text[i + 1] === '*') {
          const close = text.indexOf('*/', i + 2);
          i = close < 0 ? text.length : close + 2;
        } else {
          while (i < text.length && !lineEnd(text[i])) i++;
        }
        continue;
      }
      if (ch === ';' || ch === '=') {
        i++;
        return { kind: ch };
      }
      if (ch === '"' || ch === "'") {
        i++;
        let value = '';
        while (i < text.length && text[i] !== ch && !lineEnd(text[i])) {
          const c = text[i++] as string;
          if (c !== '\\' || i >= text.length) {
            value += c;
            continue;
          }
          const escaped = text[i++] as string;
          const octal = /^[0-7]{1,3}/.exec(text.slice(i - 1, i + 2))?.[0];
          if (octal !== undefined) {
            // Three digits only when the first is 0-3, so the value stays within a byte.
            const digits = octal.length === 3 && octal[0]! > '3' ? octal.slice(0, 2) : octal;
            value += String.fromCharCode(Number.parseInt(digits, 8));
            i += digits.length - 1;
          } else {
            value += ESCAPES[escaped] ?? escaped;
          }
        }
        if (text[i] === ch) i++;
        return { kind: 'text', value };
      }
      if (!isWordChar(text.charCodeAt(i)) || '/;="\''.includes(ch)) {
        i++;
        return { kind: 'other' };
      }
      const start = i;
      while (i < text.length && isWordChar(text.charCodeAt(i)) && !'/;="\''.includes(text[i] as string)) i++;
      return { kind: 'text', value: text.slice(start, i) };
    }
  };
}

/**
 * Parses `<LoginModule class> <flag> key=value ... ;` with the answers kafka-clients 3.9 gives: comments are
 * skipped, the entry must end with `;`, a repeated option keeps its last value, and the client takes exactly
 * one login module. Values may be quoted with " or ' (backslash escapes inside), or bare words.
 */
export function parseJaasConfig(text: string): JaasLoginEntry {
  const next = tokenize(text);
  const entries: JaasLoginEntry[] = [];
  for (let token = next(); token.kind !== 'end'; token = next()) {
    entries.push(parseEntry(token, next));
  }
  if (entries.length === 0) {
    throw new JaasConfigError(
      'is empty; expected a line like org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";',
    );
  }
  if (entries.length > 1) {
    throw new JaasConfigError(
      `holds ${entries.length} login modules; Kafka takes exactly one (end the line after its ";")`,
    );
  }
  return entries[0]!;
}

function parseEntry(first: Token, next: () => Token): JaasLoginEntry {
  const loginModule = first.kind === 'text' ? first.value : '';
  if (!CLASS_NAME.test(loginModule)) {
    throw new JaasConfigError(
      'must start with a login module class name, such as org.apache.kafka.common.security.plain.PlainLoginModule',
    );
  }
  const moduleName = loginModule.slice(loginModule.lastIndexOf('.') + 1);
  const flag = next();
  const flagWord = flag.kind === 'text' ? flag.value.toLowerCase() : '';
  const controlFlag = CONTROL_FLAGS.find((f) => f === flagWord);
  if (controlFlag === undefined) {
    throw new JaasConfigError(
      `needs a control flag (${CONTROL_FLAGS.join(', ')}) after the login module class, e.g. "... PlainLoginModule required username=..."`,
    );
  }

  const options = new Map<string, string>();
  let position = 0;
  let token = next();
  for (; token.kind !== 'end' && token.kind !== ';'; token = next()) {
    position++;
    const name = token.kind === 'text' ? token.value : undefined;
    if (name === undefined || !OPTION_NAME.test(name)) {
      throw new JaasConfigError(`${describeOption(undefined, position)} is not of the form name="value"`);
    }
    const label = describeOption(name, position);
    if (next().kind !== '=') throw new JaasConfigError(`${label} has no "=" after its name`);
    const value = next();
    if (value.kind !== 'text') throw new JaasConfigError(`${label} has no value`);
    options.set(name, value.value);
  }
  if (token.kind !== ';') {
    throw new JaasConfigError(
      'does not end with ";" after the last option; Kafka refuses a login module without it',
    );
  }
  return { loginModule, moduleName, controlFlag, options };
}
