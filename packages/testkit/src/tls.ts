import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from './process-util.js';

export interface GeneratedTls {
  readonly caPath: string;
  readonly otherCaPath: string;
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
  readonly keystorePath: string;
  readonly keystorePassword: string;
}

const DAYS = '3650';
const TIMEOUT_MS = 60_000;

async function openssl(dir: string, args: string[], what: string): Promise<void> {
  await runTool('openssl', args, { cwd: dir, timeoutMs: TIMEOUT_MS, what });
}

async function selfSignedCa(dir: string, name: string, subject: string): Promise<void> {
  await openssl(
    dir,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`]
      .concat(['-days', DAYS, '-subj', subject])
      .concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]),
    `creating test CA ${name}`,
  );
}

async function signedLeaf(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  await openssl(
    dir,
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ],
    `creating key for ${name}`,
  );
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(
    dir,
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-out',
      `${name}.pem`,
      '-days',
      DAYS,
      '-sha256',
      '-extfile',
      `${name}.ext`,
    ]),
    `signing certificate for ${name}`,
  );
}

/**
 * Generates, with openssl, a CA, a broker certificate for 127.0.0.1/localhost, a client certificate for mTLS
 * and an unrelated second CA for "wrong CA" tests. Everything is fresh at every broker start.
 */
export async function generateTls(dir: string): Promise<GeneratedTls> {
  await mkdir(dir, { recursive: true });
  await selfSignedCa(dir, 'ca', '/CN=source-kafka test CA');
  await selfSignedCa(dir, 'other-ca', '/CN=source-kafka unrelated CA');
  await signedLeaf(
    dir,
    'broker',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await signedLeaf(
    dir,
    'client',
    '/CN=source-kafka-test-client',
    'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  const keystorePassword = randomBytes(12).toString('hex');
  await openssl(
    dir,
    ['pkcs12', '-export', '-in', 'broker.pem', '-inkey', 'broker.key', '-certfile', 'ca.pem'].concat([
      '-name',
      'broker',
      '-out',
      'broker.p12',
      '-passout',
      `pass:${keystorePassword}`,
    ]),
    'packing the broker keystore',
  );
  return {
    caPath: join(dir, 'ca.pem'),
    otherCaPath: join(dir, 'other-ca.pem'),
    clientCertPath: join(dir, 'client.pem'),
    clientKeyPath: join(dir, 'client.key'),
    keystorePath: join(dir, 'broker.p12'),
    keystorePassword,
  };
}
