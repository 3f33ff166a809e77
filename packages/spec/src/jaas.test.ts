import { describe, expect, it } from 'vitest';
import { JaasConfigError, parseJaasConfig } from './jaas.js';

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';

const optionsOf = (text: string): Record<string, string> => Object.fromEntries(parseJaasConfig(text).options);

function errorOf(text: string): JaasConfigError {
  try {
    parseJaasConfig(text);
  } catch (error) {
    if (error instanceof JaasConfigError) return error;
    throw error;
  }
  throw new Error('expected a JaasConfigError');
}

describe('parseJaasConfig', () => {
  it('parses the login module, the control flag and the options', () => {
    const entry = parseJaasConfig(`${PLAIN} required username="alice" password="pw";`);
    expect(entry.loginModule).toBe(PLAIN);
    expect(entry.moduleName).toBe('PlainLoginModule');
    expect(entry.controlFlag).toBe('required');
    expect(Object.fromEntries(entry.options)).toEqual({ username: 'alice', password: 'pw' });
  });

  it('unescapes escaped quotes and backslashes inside quoted values', () => {
    expect(optionsOf(`${PLAIN} required username="a" password="p\\"w\\\\d";`).password).toBe('p"w\\d');
  });

  it('keeps spaces, = and ; inside quoted values', () => {
    expect(optionsOf(`${PLAIN} required username="a" password="a b=c;d";`).password).toBe('a b=c;d');
  });

  it('accepts extra spaces, line breaks and spaces around =', () => {
    const text = `  ${PLAIN}\n   required\tusername = "alice"\n  password =   "pw"  ;  `;
    expect(optionsOf(text)).toEqual({ username: 'alice', password: 'pw' });
  });

  it('refuses a login module without its closing semicolon, as Kafka does', () => {
    expect(errorOf(`${PLAIN} required username="alice" password="pw"`).message).toBe(
      'does not end with ";" after the last option; Kafka refuses a login module without it',
    );
    expect(errorOf(`${PLAIN} required`).message).toMatch(/does not end with ";"/);
  });

  it('skips // and /* */ comments, as Kafka does', () => {
    expect(optionsOf(`${PLAIN} required username="alice" password="pw"; // the service account`)).toEqual({
      username: 'alice',
      password: 'pw',
    });
    expect(
      optionsOf(
        `/* sasl */ ${PLAIN} /* flag: */ required\n  // user\n  username="alice" /* and */ password="pw";`,
      ),
    ).toEqual({ username: 'alice', password: 'pw' });
    expect(optionsOf(`${PLAIN} required username="alice" password="pw"; /* unclosed`)).toEqual({
      username: 'alice',
      password: 'pw',
    });
  });

  it('keeps // and /* inside quoted values', () => {
    expect(optionsOf(`${PLAIN} required username="a//b" password='p/*w';`)).toEqual({
      username: 'a//b',
      password: 'p/*w',
    });
  });

  it('ends a bare value at a slash, which starts a comment, as Kafka does', () => {
    expect(errorOf(`${PLAIN} required username=a/b password="pw";`).message).toMatch(/does not end with ";"/);
  });

  it('keeps the last value of a repeated option, as Kafka does', () => {
    expect(optionsOf(`${PLAIN} required password="a" password="b";`).password).toBe('b');
  });

  it('reads a quote as the end of a token, so options need no space between them, as Kafka does', () => {
    expect(optionsOf(`${PLAIN} required username="a"password="b";`)).toEqual({
      username: 'a',
      password: 'b',
    });
  });

  it('unescapes octal and control escapes in quoted values, as Kafka does', () => {
    expect(optionsOf(`${PLAIN} required username="\\101\\t" password="\\x";`)).toEqual({
      username: 'A\t',
      password: 'x',
    });
  });

  it('accepts options in any order', () => {
    expect(optionsOf(`${PLAIN} required password="pw" username="alice";`)).toEqual({
      username: 'alice',
      password: 'pw',
    });
  });

  it('accepts single quotes, bare values and a control flag in any case', () => {
    const entry = parseJaasConfig(`${PLAIN} REQUIRED username=alice password='pw';`);
    expect(entry.controlFlag).toBe('required');
    expect(Object.fromEntries(entry.options)).toEqual({ username: 'alice', password: 'pw' });
  });

  it('accepts an empty quoted value, leaving the policy to the caller', () => {
    expect(optionsOf(`${PLAIN} required username="" password="pw";`).username).toBe('');
  });

  it('parses SCRAM and OAUTHBEARER lines with their own options', () => {
    expect(
      parseJaasConfig(
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p" tokenauth=true;',
      ).moduleName,
    ).toBe('ScramLoginModule');
    expect(
      optionsOf(
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="c" clientSecret="s" scope="a b" extension_x="1";',
      ),
    ).toEqual({ clientId: 'c', clientSecret: 's', scope: 'a b', extension_x: '1' });
  });

  it.each([
    ['', 'is empty; expected a line like'],
    ['"not a class" required;', 'must start with a login module class name'],
    [`${PLAIN} username="a"`, 'needs a control flag (required, requisite, sufficient, optional)'],
    [`${PLAIN} always username="a"`, 'needs a control flag'],
    [`${PLAIN} required username="a" password="open;`, 'does not end with ";"'],
    [`${PLAIN} required username "a"`, 'option "username" has no "=" after its name'],
    [`${PLAIN} required username=`, 'option "username" has no value'],
    [`${PLAIN} required username=;`, 'option "username" has no value'],
    [`${PLAIN} required username="a"; ${PLAIN} required username="b";`, 'holds 2 login modules'],
    [`${PLAIN} required username="a"; more`, 'needs a control flag'],
    ['// only a comment', 'is empty'],
    [`${PLAIN} required ="a"`, 'option #1 is not of the form name="value"'],
  ])('rejects %j', (text, expected) => {
    expect(errorOf(text).message).toContain(expected);
    expect(errorOf(text).code).toBe('JAAS_INVALID');
  });

  it('never names an unknown option, which may be a piece of a password', () => {
    const error = errorOf(`${PLAIN} required username=alice password=first second third;`);
    expect(error.message).toBe('option #3 has no "=" after its name');
    expect(error.message).not.toMatch(/first|second|third/);
  });

  it('never shows an option value in an error', () => {
    const secret = 'pw-never-shown';
    const malformed = [
      `${PLAIN} required username="a" password="${secret}`,
      `${PLAIN} required password="${secret}" password="${secret}"`,
      `${PLAIN} required password="${secret}"x`,
      `${PLAIN} required password=${secret}"x"`,
      `${PLAIN} password="${secret}"`,
      `${PLAIN} required password="${secret}"; more`,
    ];
    for (const text of malformed) expect(errorOf(text).message).not.toContain(secret);
  });
});
