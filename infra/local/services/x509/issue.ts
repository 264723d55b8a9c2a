import { randomBytes } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsagesExtension,
  type Name,
  type PublicKey,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '../../../../shared/x509';
import { importSigningKeys, webcryptoSigningAlgorithm } from './algorithms';
import { toPem } from './pem';
import type { CertificateTemplate } from './templates';

/** Everything needed to sign one certificate. */
export interface SignRequest {
  readonly subject: Name;
  readonly publicKey: PublicKey;
  readonly subjectAltName: SubjectAlternativeNameExtension | undefined;
  readonly issuer: Name;
  /** The issuing CA's key identifier, when its certificate has one; else derived from the issuer key. */
  readonly issuerKeyId: string | undefined;
  readonly issuerPrivateKeyPem: string;
  readonly signingAlgorithm: string;
  readonly template: CertificateTemplate;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A freshly signed certificate. */
export interface SignedCertificate {
  readonly pem: string;
  /** Lower-case hex serial without separators, 32 digits. */
  readonly serialHex: string;
}

/** A positive 128-bit serial whose first byte is non-zero, so its hex form always has 32 digits. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function templateExtensions(template: CertificateTemplate): Extension[] {
  const isCa = template.kind !== 'end-entity';
  const extensions: Extension[] = [
    new BasicConstraintsExtension(isCa, isCa ? template.pathLength : undefined, true),
    new KeyUsagesExtension(template.keyUsage, true),
  ];
  if (template.extendedKeyUsage.length > 0)
    extensions.push(new ExtendedKeyUsageExtension([...template.extendedKeyUsage]));
  return extensions;
}

/** Sign a certificate for a CSR's subject and key with a CA's key, shaped by a template. */
export async function signCertificate(request: SignRequest): Promise<SignedCertificate> {
  const issuerKeys = await importSigningKeys(request.issuerPrivateKeyPem, request.signingAlgorithm);
  const serialHex = randomSerial();
  const authorityKeyId =
    request.issuerKeyId === undefined
      ? await AuthorityKeyIdentifierExtension.create(issuerKeys.publicKey)
      : new AuthorityKeyIdentifierExtension(request.issuerKeyId);
  const extensions: Extension[] = [
    ...templateExtensions(request.template),
    await SubjectKeyIdentifierExtension.create(request.publicKey),
    authorityKeyId,
  ];
  if (request.subjectAltName !== undefined) {
    // RFC 5280 4.2.1.6: with an empty subject the SAN extension must be critical.
    const critical = request.subject.toJSON().length === 0;
    extensions.push(new SubjectAlternativeNameExtension(request.subjectAltName.names.toJSON(), critical));
  }
  const cert = await X509CertificateGenerator.create({
    serialNumber: serialHex,
    subject: request.subject,
    issuer: request.issuer,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey: request.publicKey,
    signingKey: issuerKeys.privateKey,
    signingAlgorithm: webcryptoSigningAlgorithm(request.signingAlgorithm),
    extensions,
  });
  return { pem: toPem(cert), serialHex };
}
