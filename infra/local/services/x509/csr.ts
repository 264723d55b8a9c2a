import {
  type Extension,
  type JsonName,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from '../../../../shared/x509';
import { importSigningKeys, webcryptoSigningAlgorithm } from './algorithms';

/** Raised for a CSR AWS would call malformed; the message says what is wrong. */
export class CsrError extends Error {
  override readonly name = 'CsrError';
}

/** A parsed, signature-checked certificate signing request. */
export interface ParsedCsr {
  readonly request: Pkcs10CertificateRequest;
  /** The subjectAltName extension the CSR asks for, copied as is into the certificate. */
  readonly subjectAltName: SubjectAlternativeNameExtension | undefined;
}

const SUBJECT_ALT_NAME = '2.5.29.17';

/** Parse a PEM CSR and check its self-signature. */
export async function parseCsr(pem: string): Promise<ParsedCsr> {
  if (!pem.includes('-----BEGIN CERTIFICATE REQUEST-----'))
    throw new CsrError('The CSR is not a PEM certificate request');
  let request: Pkcs10CertificateRequest;
  try {
    request = new Pkcs10CertificateRequest(pem);
    void request.publicKey.algorithm;
  } catch (error) {
    throw new CsrError(`The CSR cannot be parsed: ${(error as Error).message}`, { cause: error });
  }
  let valid = false;
  try {
    valid = await request.verify();
  } catch {
    valid = false;
  }
  if (!valid) throw new CsrError('The CSR signature does not verify with its own public key');
  const raw = request.getExtension(SUBJECT_ALT_NAME);
  const subjectAltName = raw === null ? undefined : new SubjectAlternativeNameExtension(raw.rawData);
  if (request.subjectName.toJSON().length === 0 && (subjectAltName?.names.items.length ?? 0) === 0) {
    throw new CsrError('The CSR has neither a subject name nor a subject alternative name');
  }
  return { request, subjectAltName };
}

/** What a new CSR says about its subject. */
export interface CsrSpec {
  readonly privateKeyPem: string;
  readonly signingAlgorithm: string;
  readonly subject: JsonName | string;
  readonly dnsNames?: readonly string[];
  readonly extensions?: readonly Extension[];
}

/** Create a PEM CSR signed with the given private key. */
export async function createCsr(spec: CsrSpec): Promise<string> {
  const keys = await importSigningKeys(spec.privateKeyPem, spec.signingAlgorithm);
  const extensions: Extension[] = [...(spec.extensions ?? [])];
  if (spec.dnsNames !== undefined && spec.dnsNames.length > 0) {
    extensions.push(
      new SubjectAlternativeNameExtension(spec.dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    );
  }
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: spec.subject,
    keys,
    signingAlgorithm: webcryptoSigningAlgorithm(spec.signingAlgorithm),
    extensions,
  });
  return `${csr.toString('pem').trim()}\n`;
}
