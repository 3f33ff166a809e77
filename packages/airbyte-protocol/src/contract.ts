// The runner's contract with a connector. Knows nothing of Kafka.
// Message types themselves live in ./messages.ts (derived from or checked against the official YAML).

export type FailureType = 'config_error' | 'system_error' | 'transient_error';

export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface ConnectorLogger {
  log(level: LogLevel, message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
