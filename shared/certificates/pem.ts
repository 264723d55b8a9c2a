import { webcrypto } from 'node:crypto';
import { BadRequestError } from '../errors';
import type { CertificateFacts } from '../ports';
import { cryptoProvider, SubjectAlternativeNameExtension, X509Certificate } from '../x509';

// @peculiar/x509 signs and verifies through WebCrypto; Node's own implementation is native.
cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, in order. BadRequestError when there is none or one is malformed. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new BadRequestError('no PEM certificate found');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new BadRequestError(`certificate ${i + 1} of the bundle cannot be parsed`, { cause: error });
    }
  });
}

/** The first certificate of a PEM bundle. */
export function parseCertificate(pem: string): X509Certificate {
  const [first] = parseCertificates(pem);
  if (first === undefined) throw new BadRequestError('no PEM certificate found');
  return first;
}

/** The DNS names of a certificate's subjectAltName extension. */
export function dnsNamesOf(cert: X509Certificate): string[] {
  const san = cert.getExtension(SubjectAlternativeNameExtension);
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
