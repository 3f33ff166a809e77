import { describe, expect, it } from 'vitest';
import { parseConnectorArgs } from './argv.js';
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
