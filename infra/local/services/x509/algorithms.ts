import { createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type RsaHashedImportParams = webcrypto.RsaHashedImportParams;
type EcKeyImportParams = webcrypto.EcKeyImportParams;
type EcdsaParams = webcrypto.EcdsaParams;

import { cryptoProvider } from '../../../../shared/x509';

// @peculiar/x509 signs and verifies through WebCrypto; Node's own implementation is native.
cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);

/** A key family: the two the AWS certificate services sign with. */
export type KeyFamily = 'RSA' | 'EC';

interface KeySpec {
  readonly family: KeyFamily;
  /** RSA modulus length in bits, or the EC curve's WebCrypto name. */
  readonly size: number | 'P-256' | 'P-384' | 'P-521';
}

/**
 * Key algorithms by their ACM / ACM PCA names (`RSA_2048`, `EC_prime256v1`...). Post-quantum
 * and SM2 keys exist in AWS too but node:crypto cannot sign X.509 with them, so they are refused.
 */
export const KEY_ALGORITHMS: Readonly<Record<string, KeySpec>> = {
  RSA_1024: { family: 'RSA', size: 1024 },
  RSA_2048: { family: 'RSA', size: 2048 },
  RSA_3072: { family: 'RSA', size: 3072 },
  RSA_4096: { family: 'RSA', size: 4096 },
  EC_prime256v1: { family: 'EC', size: 'P-256' },
  EC_secp384r1: { family: 'EC', size: 'P-384' },
  EC_secp521r1: { family: 'EC', size: 'P-521' },
};

type Hash = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Signing algorithms by their ACM PCA names, e.g. `SHA256WITHECDSA`. */
export const SIGNING_ALGORITHMS: Readonly<
  Record<string, { readonly family: KeyFamily; readonly hash: Hash }>
> = {
  SHA256WITHECDSA: { family: 'EC', hash: 'SHA-256' },
  SHA384WITHECDSA: { family: 'EC', hash: 'SHA-384' },
  SHA512WITHECDSA: { family: 'EC', hash: 'SHA-512' },
  SHA256WITHRSA: { family: 'RSA', hash: 'SHA-256' },
  SHA384WITHRSA: { family: 'RSA', hash: 'SHA-384' },
  SHA512WITHRSA: { family: 'RSA', hash: 'SHA-512' },
};

const CURVE_BY_OPENSSL_NAME: Readonly<Record<string, string>> = {
  prime256v1: 'EC_prime256v1',
  secp384r1: 'EC_secp384r1',
  secp521r1: 'EC_secp521r1',
};

/** A key pair as the services keep it: the private key as PKCS#8 PEM. */
export interface GeneratedKey {
  readonly privateKeyPem: string;
  readonly keys: CryptoKeyPair;
}

function signingParams(spec: KeySpec, hash: Hash): RsaHashedImportParams | EcKeyImportParams {
  return spec.family === 'RSA'
    ? { name: 'RSASSA-PKCS1-v1_5', hash }
    : { name: 'ECDSA', namedCurve: spec.size as string };
}

/** Generate a key pair for a named key algorithm, usable to sign with `hash`. */
export async function generateKey(keyAlgorithm: string, hash: Hash = 'SHA-256'): Promise<GeneratedKey> {
  const spec = KEY_ALGORITHMS[keyAlgorithm];
  if (spec === undefined) throw new Error(`Unsupported key algorithm ${keyAlgorithm}`);
  const params =
    spec.family === 'RSA'
      ? {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: spec.size as number,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash,
        }
      : { name: 'ECDSA', namedCurve: spec.size as string };
  const keys = (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    privateKeyPem: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
      type: 'pkcs8',
      format: 'pem',
    }) as string,
    keys,
  };
}

/** The ACM key algorithm name of a key (`RSA_2048`, `EC_prime256v1`), or undefined when AWS has none. */
export function keyAlgorithmOf(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa')
    return Object.hasOwn(KEY_ALGORITHMS, `RSA_${details?.modulusLength}`)
      ? `RSA_${details?.modulusLength}`
      : undefined;
  if (key.asymmetricKeyType === 'ec') return CURVE_BY_OPENSSL_NAME[details?.namedCurve ?? ''];
  return undefined;
}

/** The family of a named key algorithm. */
export function familyOf(keyAlgorithm: string): KeyFamily | undefined {
  return KEY_ALGORITHMS[keyAlgorithm]?.family;
}

/** Import a PKCS#8 PEM private key (and its public half) as WebCrypto keys that sign with `signingAlgorithm`. */
export async function importSigningKeys(
  privateKeyPem: string,
  signingAlgorithm: string,
): Promise<CryptoKeyPair> {
  const signing = SIGNING_ALGORITHMS[signingAlgorithm];
  const privateKey = createPrivateKey(privateKeyPem);
  const keyAlgorithm = keyAlgorithmOf(privateKey);
  const spec = keyAlgorithm === undefined ? undefined : KEY_ALGORITHMS[keyAlgorithm];
  if (signing === undefined || spec === undefined || spec.family !== signing.family) {
    throw new Error(
      `Signing algorithm ${signingAlgorithm} does not fit a ${keyAlgorithm ?? 'unsupported'} key`,
    );
  }
  const params = signingParams(spec, signing.hash);
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', der, params, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, params, true, ['verify']),
  };
}

/** The WebCrypto algorithm that signs a certificate with a named signing algorithm. */
export function webcryptoSigningAlgorithm(signingAlgorithm: string): RsaHashedImportParams | EcdsaParams {
  const signing = SIGNING_ALGORITHMS[signingAlgorithm];
  if (signing === undefined) throw new Error(`Unsupported signing algorithm ${signingAlgorithm}`);
  return signing.family === 'RSA'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: signing.hash }
    : { name: 'ECDSA', hash: signing.hash };
}

/** The conventional signing algorithm for a key algorithm (what ACM uses for its own CSRs). */
export function defaultSigningAlgorithm(keyAlgorithm: string): string {
  const spec = KEY_ALGORITHMS[keyAlgorithm];
  if (spec?.family === 'RSA') return 'SHA256WITHRSA';
  if (spec?.size === 'P-384') return 'SHA384WITHECDSA';
  if (spec?.size === 'P-521') return 'SHA512WITHECDSA';
  return 'SHA256WITHECDSA';
}
