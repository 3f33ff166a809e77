export type { TestCertificates } from './certs.js';
export { createTestCertificates } from './certs.js';
export type { StoredReference, TestRegistry, TestRegistryOptions } from './server.js';
export { startTestRegistry } from './server.js';
