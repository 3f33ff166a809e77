export type { BrokerConnection, BrokerUsers, SaslUser, TlsMaterial } from './connection.js';
