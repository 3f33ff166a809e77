import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** CA that signed `cert`. */
  readonly caPem: string;
  /** A second, unrelated CA, for "wrong CA" tests. */
  readonly otherCaPem: string;
  readonly key: string;
  readonly cert: string;
  /** A client certificate and key signed by `caPem`, for mutual TLS. */
  readonly clientKey: string;
  readonly clientCert: string;
}

/** A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with the openssl CLI. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'test-registry-tls-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  /** A new key `<name>.key` and a certificate signing request `<name>.csr` for `subject`. */
  const request = (name: string, subject: string): void => {
    run('req', ...EC_KEY, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  };
  /** `<name>.pem`, the CA's signature on `<name>.csr` with the extensions `extensions`. */
  const sign = (name: string, extensions: string): void => {
    writeFileSync(join(dir, `${name}-ext.cnf`), extensions);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}-ext.cnf`,
      '-out',
      `${name}.pem`,
    );
  };
  try {
    for (const ca of ['ca', 'other-ca']) {
      run(
        'req',
        '-x509',
        ...EC_KEY,
        '-days',
        '2',
        '-subj',
        `/CN=${ca}`,
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.pem`,
      );
    }
    request('server', '/CN=localhost');
    sign('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    request('client', '/CN=registry-client');
    sign('client', 'extendedKeyUsage=clientAuth\n');
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    return {
      caPem: read('ca.pem'),
      otherCaPem: read('other-ca.pem'),
      key: read('server.key'),
      cert: read('server.pem'),
      clientKey: read('client.key'),
      clientCert: read('client.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
