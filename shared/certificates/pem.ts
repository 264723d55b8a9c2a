import { webcrypto } from 'node:crypto';
import { BadRequestError } from '../errors';
import type { CertificateFacts } from '../ports';
import type { SubjectAlternativeNameExtension, X509Certificate } from '../x509';
import type * as X509 from './x509-used';

let loaded: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509, loaded on first use, once. With asn1js, tsyringe and reflect-metadata it sets
 * up a dependency-injection container when evaluated; only certificate work needs it, so the
 * functions that bundle it do not pay for it at every cold start.
 */
export function loadX509(): Promise<typeof X509> {
  loaded ??= import('./x509-used').then((x509) => {
    // @peculiar/x509 signs and verifies through WebCrypto; Node's own implementation is native.
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  });
  return loaded;
}

/** The subjectAltName extension's OID: the parsed certificate holds it as its registered class. */
const SUBJECT_ALT_NAME = '2.5.29.17';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, in order. BadRequestError when there is none or one is malformed. */
export async function parseCertificates(pem: string): Promise<X509Certificate[]> {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new BadRequestError('no PEM certificate found');
  const { X509Certificate } = await loadX509();
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new BadRequestError(`certificate ${i + 1} of the bundle cannot be parsed`, { cause: error });
    }
  });
}

/** The first certificate of a PEM bundle. */
export async function parseCertificate(pem: string): Promise<X509Certificate> {
  const [first] = await parseCertificates(pem);
  if (first === undefined) throw new BadRequestError('no PEM certificate found');
  return first;
}

/** The DNS names of a certificate's subjectAltName extension. */
export function dnsNamesOf(cert: X509Certificate): string[] {
  const san = cert.getExtension<SubjectAlternativeNameExtension>(SUBJECT_ALT_NAME);
  return san?.names.items.filter((n) => n.type === 'dns').map((n) => n.value) ?? [];
}

/** Subject, names, issuer and validity of a certificate. */
export function factsOf(cert: X509Certificate): CertificateFacts {
  return {
    subject: cert.subject,
    sans: dnsNamesOf(cert),
    issuer: cert.issuer,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

/** The PEM text of certificates, one block each, newline-terminated. */
export function toPem(certs: readonly X509Certificate[]): string {
  return certs.map((c) => `${c.toString('pem').trim()}\n`).join('');
}
