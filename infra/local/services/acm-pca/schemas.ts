import * as z from 'zod';

/** ACM PCA idempotency tokens: 1-36 printable characters. */
const idempotencyToken = z
  .string()
  .min(1)
  .max(36)
  .regex(
    /^[\t\n\r\u0020-\u00FF]*$/,
    'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]*',
  );

const arn = z.string().min(5).max(200);

const tags = z
  .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).optional() }))
  .max(50);

const validity = z.object({
  Value: z.number().int(),
  Type: z.enum(['END_DATE', 'ABSOLUTE', 'DAYS', 'MONTHS', 'YEARS']),
});

const subjectText = (max: number) => z.string().max(max);

/** The ASN1Subject of a CA configuration, with AWS's length limits. */
const subject = z.object({
  Country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'Member must be a two-letter country code')
    .optional(),
  Organization: subjectText(64).optional(),
  OrganizationalUnit: subjectText(64).optional(),
  DistinguishedNameQualifier: subjectText(64).optional(),
  State: subjectText(128).optional(),
  CommonName: subjectText(64).optional(),
  SerialNumber: subjectText(64).optional(),
  Locality: subjectText(128).optional(),
  Title: subjectText(64).optional(),
  Surname: subjectText(40).optional(),
  GivenName: subjectText(16).optional(),
  Initials: subjectText(5).optional(),
  Pseudonym: subjectText(128).optional(),
  GenerationQualifier: subjectText(3).optional(),
  CustomAttributes: z
    .array(
      z.object({
        ObjectIdentifier: z.string().regex(/^([0-2])\.([0-9]|([0-3][0-9]))((\.([0-9]+)){0,126})$/),
        Value: z.string().min(1).max(1024),
      }),
    )
    .min(1)
    .max(150)
    .optional(),
});

export const createCertificateAuthoritySchema = z.object({
  CertificateAuthorityConfiguration: z.object({
    KeyAlgorithm: z.string(),
    SigningAlgorithm: z.string(),
    Subject: subject,
    CsrExtensions: z.record(z.string(), z.unknown()).optional(),
  }),
  RevocationConfiguration: z.record(z.string(), z.unknown()).optional(),
  CertificateAuthorityType: z.enum(['ROOT', 'SUBORDINATE']),
  IdempotencyToken: idempotencyToken.optional(),
  KeyStorageSecurityStandard: z
    .enum(['FIPS_140_2_LEVEL_2_OR_HIGHER', 'FIPS_140_2_LEVEL_3_OR_HIGHER', 'CCPC_LEVEL_1_OR_HIGHER'])
    .optional(),
  Tags: tags.min(1).optional(),
  UsageMode: z.enum(['GENERAL_PURPOSE', 'SHORT_LIVED_CERTIFICATE']).optional(),
});

export const caArnSchema = z.object({ CertificateAuthorityArn: arn });

export const issueCertificateSchema = z.object({
  CertificateAuthorityArn: arn,
  Csr: z.string().min(1),
  SigningAlgorithm: z.string(),
  TemplateArn: z.string().min(5).max(200).optional(),
  Validity: validity,
  ValidityNotBefore: validity.optional(),
  IdempotencyToken: idempotencyToken.optional(),
  ApiPassthrough: z.record(z.string(), z.unknown()).optional(),
});

export const getCertificateSchema = z.object({ CertificateAuthorityArn: arn, CertificateArn: arn });

export const importCaCertificateSchema = z.object({
  CertificateAuthorityArn: arn,
  Certificate: z.string().min(1),
  CertificateChain: z.string().min(1).optional(),
});

export const revokeCertificateSchema = z.object({
  CertificateAuthorityArn: arn,
  CertificateSerial: z.string().min(1).max(128),
  RevocationReason: z.enum([
    'UNSPECIFIED',
    'KEY_COMPROMISE',
    'CERTIFICATE_AUTHORITY_COMPROMISE',
    'AFFILIATION_CHANGED',
    'SUPERSEDED',
    'CESSATION_OF_OPERATION',
    'PRIVILEGE_WITHDRAWN',
    'A_A_COMPROMISE',
  ]),
});

export const listCertificateAuthoritiesSchema = z.object({
  MaxResults: z.number().int().min(1).max(1000).optional(),
  NextToken: z.string().min(1).max(43_690).optional(),
  ResourceOwner: z.enum(['SELF', 'OTHER_ACCOUNTS']).optional(),
});
