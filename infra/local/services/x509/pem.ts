import { X509Certificate } from '../../../../shared/x509';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Raised when text that should hold PEM certificates does not. */
export class PemError extends Error {
  override readonly name = 'PemError';
}

/** Every certificate in a PEM bundle, in order. Throws PemError when there is none or one does not parse. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) throw new PemError('no PEM certificate found');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new PemError(`certificate ${i + 1} is not valid DER: ${(error as Error).message}`, {
        cause: error,
      });
    }
  });
}

/** Exactly one certificate from a PEM text. */
export function parseOneCertificate(pem: string): X509Certificate {
  const certs = parseCertificates(pem);
  const [first] = certs;
  if (first === undefined || certs.length !== 1)
    throw new PemError(`expected one certificate, found ${certs.length}`);
  return first;
}

/** A certificate as PEM text with a final newline, the form AWS returns. */
export function toPem(cert: X509Certificate): string {
  return `${cert.toString('pem').trim()}\n`;
}

/** Join PEM blocks into one bundle, one certificate after another. */
export function joinPem(blocks: readonly string[]): string {
  return blocks.map((b) => `${b.trim()}\n`).join('');
}
