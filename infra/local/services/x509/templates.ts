import { ExtendedKeyUsage, KeyUsageFlags } from '../../../../shared/x509';

/** What a certificate template puts into the certificates issued with it. */
export interface CertificateTemplate {
  readonly arn: string;
  /** `root` may only be issued by a root CA to itself; `ca` makes a subordinate CA. */
  readonly kind: 'end-entity' | 'ca' | 'root';
  readonly keyUsage: number;
  readonly extendedKeyUsage: readonly string[];
  /** Path length constraint for CA certificates; undefined means unconstrained. */
  readonly pathLength?: number;
}

const TEMPLATE_PREFIX = 'arn:aws:acm-pca:::template/';

const END_ENTITY = KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment;
const CA_USAGE = KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign;

function template(name: string, fields: Omit<CertificateTemplate, 'arn'>): CertificateTemplate {
  return { arn: `${TEMPLATE_PREFIX}${name}`, ...fields };
}

/** The AWS Private CA templates local AWS issues with, as AWS documents their extensions. */
export const TEMPLATES: readonly CertificateTemplate[] = [
  template('EndEntityCertificate/V1', {
    kind: 'end-entity',
    keyUsage: END_ENTITY,
    extendedKeyUsage: [ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth],
  }),
  template('EndEntityServerAuthCertificate/V1', {
    kind: 'end-entity',
    keyUsage: END_ENTITY,
    extendedKeyUsage: [ExtendedKeyUsage.serverAuth],
  }),
  template('EndEntityClientAuthCertificate/V1', {
    kind: 'end-entity',
    keyUsage: KeyUsageFlags.digitalSignature,
    extendedKeyUsage: [ExtendedKeyUsage.clientAuth],
  }),
  template('CodeSigningCertificate/V1', {
    kind: 'end-entity',
    keyUsage: KeyUsageFlags.digitalSignature,
    extendedKeyUsage: [ExtendedKeyUsage.codeSigning],
  }),
  template('RootCACertificate/V1', { kind: 'root', keyUsage: CA_USAGE, extendedKeyUsage: [] }),
  template('SubordinateCACertificate_PathLen0/V1', {
    kind: 'ca',
    keyUsage: CA_USAGE,
    extendedKeyUsage: [],
    pathLength: 0,
  }),
  template('SubordinateCACertificate_PathLen1/V1', {
    kind: 'ca',
    keyUsage: CA_USAGE,
    extendedKeyUsage: [],
    pathLength: 1,
  }),
  template('SubordinateCACertificate_PathLen2/V1', {
    kind: 'ca',
    keyUsage: CA_USAGE,
    extendedKeyUsage: [],
    pathLength: 2,
  }),
  template('SubordinateCACertificate_PathLen3/V1', {
    kind: 'ca',
    keyUsage: CA_USAGE,
    extendedKeyUsage: [],
    pathLength: 3,
  }),
];

/** The template AWS uses when IssueCertificate names none. */
export const DEFAULT_TEMPLATE_ARN = `${TEMPLATE_PREFIX}EndEntityCertificate/V1`;

/** The template for an ARN, or undefined when local AWS does not know it. */
export function findTemplate(arn: string): CertificateTemplate | undefined {
  return TEMPLATES.find((t) => t.arn === arn);
}
