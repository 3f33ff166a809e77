import { describe, expect, it } from 'vitest';
import { informationRequest, parseConnectorArgs, usageText } from './argv.js';
import { UsageError } from './errors.js';

describe('parseConnectorArgs', () => {
  it('parses each command with its flags', () => {
    expect(parseConnectorArgs(['spec'])).toEqual({ command: 'spec', debug: false });
    expect(parseConnectorArgs(['check', '--config', 'c.json'])).toEqual({
      command: 'check',
      configPath: 'c.json',
      debug: false,
    });
    expect(parseConnectorArgs(['read', '--config=c', '--catalog', 'k', '--state', 's', '--debug'])).toEqual({
      command: 'read',
      configPath: 'c',
      catalogPath: 'k',
      statePath: 's',
      debug: true,
    });
  });

  it.each([
    [['nope'], "Unknown command 'nope'."],
    [['check'], "The 'check' command needs --config <file>."],
    [['read', '--config', 'c'], "The 'read' command needs --catalog <file>."],
    [['spec', '--config'], "Option '--config <value>' argument missing"],
    [['spec', '--what'], "Unknown option '--what'"],
  ])('rejects %j', (argv, start) => {
    expect(() => parseConnectorArgs(argv)).toThrow(UsageError);
    expect(() => parseConnectorArgs(argv)).toThrow(start);
  });
});

describe('informationRequest', () => {
  it.each([
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['help'], 'help'],
    [['read', '--config', 'c', '--help'], 'help'],
    [['--version'], 'version'],
    [['version'], 'version'],
    [['--version', '--help'], 'help'],
    [['check', '--config', 'c'], undefined],
    [['check', '--config', 'help'], undefined],
  ])('%j asks for %s', (argv, expected) => {
    expect(informationRequest(argv)).toBe(expected);
  });

  it('documents every command and flag in the help text', () => {
    const text = usageText('source-kafka');
    for (const word of [
      'spec',
      'check',
      'discover',
      'read',
      '--config',
      '--catalog',
      '--state',
      '--debug',
      '--version',
    ]) {
      expect(text).toContain(word);
    }
  });
});
