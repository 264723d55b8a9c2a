import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { PublicKey } from '../../../../shared/x509';

/** Raised for a private key that cannot be used; the message says why. */
export class PrivateKeyError extends Error {
  override readonly name = 'PrivateKeyError';
}

/** Read an unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1). */
export function readPrivateKey(pem: string): KeyObject {
  if (/ENCRYPTED/.test(pem))
    throw new PrivateKeyError('The private key is encrypted; provide it unencrypted');
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new PrivateKeyError(`The private key cannot be parsed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The key as PKCS#8 PEM, the one form local AWS stores keys in. */
export function toPkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Whether a private key is the other half of a certificate's or CSR's public key. */
export function keyMatches(privateKey: KeyObject, publicKey: PublicKey): boolean {
  const fromPrivate = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return fromPrivate.equals(Buffer.from(publicKey.rawData));
}

/** Encrypt a private key as PKCS#8 `ENCRYPTED PRIVATE KEY` PEM with a passphrase, as ACM exports it. */
export function encryptPrivateKey(privateKeyPem: string, passphrase: Buffer): string {
  return createPrivateKey(privateKeyPem).export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase,
  }) as string;
}
