import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
} from '../../../../shared/x509';
import { keyAlgorithmOf } from './algorithms';

/** Key usage flags by the names ACM reports them with. */
const KEY_USAGE_NAMES: readonly [KeyUsageFlags, string][] = [
  [KeyUsageFlags.digitalSignature, 'DIGITAL_SIGNATURE'],
  [KeyUsageFlags.nonRepudiation, 'NON_REPUDIATION'],
  [KeyUsageFlags.keyEncipherment, 'KEY_ENCIPHERMENT'],
  [KeyUsageFlags.dataEncipherment, 'DATA_ENCIPHERMENT'],
  [KeyUsageFlags.keyAgreement, 'KEY_AGREEMENT'],
  [KeyUsageFlags.keyCertSign, 'CERTIFICATE_SIGNING'],
  [KeyUsageFlags.cRLSign, 'CRL_SIGNING'],
  [KeyUsageFlags.encipherOnly, 'ENCIPHER_ONLY'],
  [KeyUsageFlags.decipherOnly, 'DECIPHER_ONLY'],
];

/** Extended key usage OIDs by the names ACM reports them with. */
const EXTENDED_KEY_USAGE_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'TLS_WEB_SERVER_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.2': 'TLS_WEB_CLIENT_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING',
  '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION',
  '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING',
  '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING',
  '1.3.6.1.5.5.7.3.5': 'IPSEC_END_SYSTEM',
  '1.3.6.1.5.5.7.3.6': 'IPSEC_TUNNEL',
  '1.3.6.1.5.5.7.3.7': 'IPSEC_USER',
};

/** The signature algorithm names ACM reports, by OID. */
const SIGNATURE_ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'SHA256WITHRSA',
  '1.2.840.113549.1.1.12': 'SHA384WITHRSA',
  '1.2.840.113549.1.1.13': 'SHA512WITHRSA',
  '1.2.840.10045.4.3.2': 'SHA256WITHECDSA',
  '1.2.840.10045.4.3.3': 'SHA384WITHECDSA',
  '1.2.840.10045.4.3.4': 'SHA512WITHECDSA',
};

/** What ACM and ACM PCA report about a certificate, read from the certificate itself. */
export interface CertificateInfo {
  /** Colon-separated lower-case hex, as ACM's `Serial`. */
  readonly serial: string;
  readonly serialHex: string;
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string | undefined;
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** `RSA_2048`, `EC_prime256v1`...; undefined for keys AWS does not accept. */
  readonly keyAlgorithm: string | undefined;
  readonly signatureAlgorithm: string;
  readonly keyUsages: readonly string[];
  readonly extendedKeyUsages: readonly { Name: string; OID: string }[];
  readonly isCa: boolean;
  readonly pathLength: number | undefined;
  readonly subjectKeyId: string | undefined;
}

/** Read the fields ACM and ACM PCA report from a parsed certificate. */
export function describeCertificate(cert: X509Certificate): CertificateInfo {
  const node = new NodeX509Certificate(Buffer.from(cert.rawData));
  const serialHex = cert.serialNumber.toLowerCase();
  const keyUsage = cert.getExtension(KeyUsagesExtension);
  const eku = cert.getExtension(ExtendedKeyUsageExtension);
  const basic = cert.getExtension(BasicConstraintsExtension);
  const san = cert.getExtension(SubjectAlternativeNameExtension);
  const ski = cert.getExtension(SubjectKeyIdentifierExtension);
  const padded = serialHex.length % 2 === 0 ? serialHex : `0${serialHex}`;
  return {
    serial: padded.match(/../g)?.join(':') ?? padded,
    serialHex: padded,
    subject: cert.subjectName.toString(),
    issuer: cert.issuerName.toString(),
    commonName: cert.subjectName.getField('CN')[0],
    dnsNames: san?.names.items.filter((n) => n.type === 'dns').map((n) => n.value) ?? [],
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    keyAlgorithm: keyAlgorithmOf(node.publicKey),
    signatureAlgorithm: SIGNATURE_ALGORITHM_NAMES[node.signatureAlgorithmOid ?? ''] ?? 'UNKNOWN',
    keyUsages:
      keyUsage === null
        ? []
        : KEY_USAGE_NAMES.filter(([flag]) => (keyUsage.usages & flag) !== 0).map(([, n]) => n),
    extendedKeyUsages: (eku?.usages ?? []).map((oid) => ({
      Name: EXTENDED_KEY_USAGE_NAMES[String(oid)] ?? 'CUSTOM',
      OID: String(oid),
    })),
    isCa: basic?.ca ?? false,
    pathLength: basic?.pathLength,
    subjectKeyId: ski?.keyId,
  };
}
