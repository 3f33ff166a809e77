import { logMessage } from './builders.js';
import type { AirbyteMessageSink, ConnectorLogger, LogLevel } from './contract.js';

const SEVERITY: Record<LogLevel, number> = { FATAL: 5, ERROR: 4, WARN: 3, INFO: 2, DEBUG: 1, TRACE: 0 };

/**
 * A logger that emits LOG messages through the writer, so logs stay in order with records. Messages below
 * `minLevel` are dropped. Secrets are masked by the writer's redactor, not here.
 */
export function createLogger(writer: AirbyteMessageSink, minLevel: LogLevel = 'INFO'): ConnectorLogger {
  const threshold = SEVERITY[minLevel];
  const log = (level: LogLevel, message: string): void => {
    if (SEVERITY[level] >= threshold) writer.write(logMessage(level, message));
  };
  return {
    log,
    debug: (message) => log('DEBUG', message),
    info: (message) => log('INFO', message),
    warn: (message) => log('WARN', message),
    error: (message) => log('ERROR', message),
  };
}
