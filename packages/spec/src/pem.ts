// Checks that PEM fields parse, so a pasted-wrong certificate fails at `check` with the field's name rather
// than deep inside a TLS handshake. Messages never quote the PEM text or node's error text.
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export interface ParsedCertificates {
  readonly certificates: readonly X509Certificate[];
  readonly problem?: string | undefined;
}

/** Parses one or more PEM certificates (a chain or a bundle). */
export function parseCertificates(pem: string): ParsedCertificates {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    return { certificates: [], problem: 'is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)' };
  }
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      const which = blocks.length === 1 ? 'the certificate' : `certificate #${index + 1}`;
      return { certificates, problem: `${which} does not parse as X.509 PEM` };
    }
  }
  return { certificates };
}

export interface ParsedPrivateKey {
  readonly key?: KeyObject | undefined;
  readonly problem?: string | undefined;
}

/** Parses a PEM private key, decrypting it with the passphrase when it is encrypted. */
export function parsePrivateKey(pem: string, passphrase: string | undefined): ParsedPrivateKey {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return { problem: 'is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)' };
  }
  // Checked up front: without a passphrase, OpenSSL 3 reports an encrypted key only as "interrupted".
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
  if (encrypted && passphrase === undefined) return { problem: 'is encrypted; set ssl_client_key_password' };
  try {
    const key = createPrivateKey(
      passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase },
    );
    return { key };
  } catch {
    if (encrypted)
      return { problem: 'could not be decrypted with ssl_client_key_password, or does not parse' };
    return { problem: 'does not parse as a PEM private key' };
  }
}
