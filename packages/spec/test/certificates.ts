// Test helper: a real self-signed X.509 certificate made with node:crypto alone. Node can sign but has no
// certificate builder, so this encodes the few DER structures a minimal v3 certificate needs.
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const der = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...content: Buffer[]): Buffer => der(0x30, ...content);
const integer = (value: number): Buffer => der(0x02, Buffer.from([value]));
const utf8 = (text: string): Buffer => der(0x0c, Buffer.from(text, 'utf8'));
const utcTime = (date: Date): Buffer => {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return der(0x17, Buffer.from(`${text}Z`, 'ascii'));
};

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift(value % 128);
      if (value < 128) break;
    }
    bytes.push(...groups.map((group, index) => (index < groups.length - 1 ? group | 0x80 : group)));
  }
  return der(0x06, Buffer.from(bytes));
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const commonName = (name: string): Buffer => sequence(der(0x31, sequence(oid('2.5.4.3'), utf8(name))));
const toPem = (label: string, body: Buffer): string => {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
};

export interface TestCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly privateKey: KeyObject;
}

/** A self-signed P-256 certificate valid for a year from `now`, and its private key. */
export function selfSignedCertificate(name = 'source-kafka-test', now = new Date()): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const tbs = sequence(
    der(0xa0, integer(2)),
    integer(1),
    ECDSA_WITH_SHA256,
    commonName(name),
    sequence(utcTime(now), utcTime(notAfter)),
    commonName(name),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature));
  return {
    certificatePem: toPem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
  };
}

/** The key of `certificate`, encrypted with `passphrase`. */
export function encryptedKeyPem(certificate: TestCertificate, passphrase: string): string {
  return createPrivateKey(certificate.keyPem)
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    .toString();
}
