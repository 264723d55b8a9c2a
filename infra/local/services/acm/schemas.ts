import * as z from 'zod';

const arn = z.string().min(20).max(2048);

const tag = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).optional() });
const tags = z.array(tag).min(1).max(50);

/** A fully qualified domain name, optionally a wildcard, as ACM's model constrains it. */
const domainName = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/,
    'Member must be a domain name',
  );

export const certificateArnSchema = z.object({ CertificateArn: arn });

export const importCertificateSchema = z.object({
  CertificateArn: arn.optional(),
  Certificate: z.string().min(1),
  PrivateKey: z.string().min(1),
  CertificateChain: z.string().min(1).optional(),
  Tags: tags.optional(),
});

export const requestCertificateSchema = z.object({
  DomainName: domainName,
  ValidationMethod: z.enum(['EMAIL', 'DNS', 'HTTP']).optional(),
  SubjectAlternativeNames: z.array(domainName).min(1).max(100).optional(),
  IdempotencyToken: z.string().min(1).max(32).regex(/^\w+$/, 'Member must match \\w+').optional(),
  DomainValidationOptions: z.array(z.unknown()).optional(),
  Options: z.record(z.string(), z.unknown()).optional(),
  CertificateAuthorityArn: arn.optional(),
  Tags: tags.optional(),
  KeyAlgorithm: z.enum(['RSA_2048', 'EC_prime256v1', 'EC_secp384r1']).optional(),
  ManagedBy: z.string().optional(),
});

export const exportCertificateSchema = z.object({ CertificateArn: arn, Passphrase: z.string().min(1) });

export const tagsSchema = z.object({ CertificateArn: arn, Tags: tags });

export const listCertificatesSchema = z.object({
  CertificateStatuses: z
    .array(
      z.enum([
        'PENDING_VALIDATION',
        'ISSUED',
        'INACTIVE',
        'EXPIRED',
        'VALIDATION_TIMED_OUT',
        'REVOKED',
        'FAILED',
      ]),
    )
    .optional(),
  Includes: z
    .object({
      extendedKeyUsage: z.array(z.string()).optional(),
      keyUsage: z.array(z.string()).optional(),
      keyTypes: z.array(z.string()).optional(),
      managed: z.boolean().optional(),
      exportOption: z.string().optional(),
      managedBy: z.string().optional(),
    })
    .optional(),
  NextToken: z.string().min(1).max(10_000).optional(),
  MaxItems: z.number().int().min(1).max(1000).optional(),
  SortBy: z.enum(['CREATED_AT']).optional(),
  SortOrder: z.enum(['ASCENDING', 'DESCENDING']).optional(),
});
