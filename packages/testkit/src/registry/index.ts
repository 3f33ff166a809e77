export { createTestCertificates } from './certs.js';
export { startTestRegistry } from './server.js';

export type { TestCertificates } from './certs.js';
export type { StoredReference, TestRegistry, TestRegistryOptions } from './server.js';
