import { webcrypto } from 'node:crypto';
import type { RotationKeyAlgorithm } from '../policy/sections/certificates';
import type { Pkcs10CertificateRequestGenerator } from '../x509';
import { loadX509 } from './pem';

const KEY_PARAMS: Readonly<
  Record<
    RotationKeyAlgorithm,
    {
      generate: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
      sign: webcrypto.EcdsaParams | webcrypto.Algorithm;
    }
  >
> = {
  EC_prime256v1: {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
  },
  RSA_2048: {
    generate: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
};

/** A new private key (PKCS#8 PEM) and a CSR for it naming `sans`. */
export interface KeyAndCsr {
  readonly privateKeyPem: string;
  readonly csrPem: string;
}

function pkcs8Pem(der: ArrayBuffer): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN PRIVATE KEY-----\n${base64}-----END PRIVATE KEY-----\n`;
}

/**
 * Always a new key: a renewed certificate never reuses the old one, so a key that leaked with
 * the old certificate is worthless once it expires. The first name is the common name when it
 * fits (64 characters); every name is a DNS subjectAltName.
 */
export async function createKeyAndCsr(
  algorithm: RotationKeyAlgorithm,
  sans: readonly string[],
): Promise<KeyAndCsr> {
  const params = KEY_PARAMS[algorithm];
  const keys = (await webcrypto.subtle.generateKey(params.generate, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const [first] = sans;
  const { Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } = await loadX509();
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: first !== undefined && first.length <= 64 ? [{ '2.5.4.3': [first] }] : [],
    keys: keys as unknown as Parameters<typeof Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: params.sign,
    extensions: [new SubjectAlternativeNameExtension(sans.map((value) => ({ type: 'dns' as const, value })))],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { privateKeyPem: pkcs8Pem(der), csrPem: `${csr.toString('pem').trim()}\n` };
}
