export type { ConnectorLogger, FailureType, LogLevel } from './contract.js';
