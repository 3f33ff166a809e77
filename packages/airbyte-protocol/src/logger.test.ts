import { describe, expect, it } from 'vitest';
import type { AirbyteMessageSink } from './contract.js';
import { createLogger } from './logger.js';
import type { AirbyteMessage } from './messages.js';

function sink(): AirbyteMessageSink & { messages: AirbyteMessage[] } {
  const messages: AirbyteMessage[] = [];
  return {
    messages,
    write: (message) => messages.push(message) > 0,
    writeRecord: () => true,
    writeRecordData: () => true,
    ready: async () => {},
    flush: async () => {},
  };
}

describe('createLogger', () => {
  it('writes LOG messages at or above the minimum level', () => {
    const out = sink();
    const logger = createLogger(out, 'INFO');
    logger.debug('hidden');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.log('FATAL', 'f');
    expect(out.messages).toEqual([
      { type: 'LOG', log: { level: 'INFO', message: 'i' } },
      { type: 'LOG', log: { level: 'WARN', message: 'w' } },
      { type: 'LOG', log: { level: 'ERROR', message: 'e' } },
      { type: 'LOG', log: { level: 'FATAL', message: 'f' } },
    ]);
  });

  it('includes DEBUG when asked', () => {
    const out = sink();
    createLogger(out, 'DEBUG').debug('d');
    expect(out.messages).toEqual([{ type: 'LOG', log: { level: 'DEBUG', message: 'd' } }]);
  });
});
