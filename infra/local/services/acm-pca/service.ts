import { handleJsonRequest } from '../../protocol/aws-json';
import type {
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from '../../types';
import type { CaRecord } from './model';
import { blobText, pageOf, parseInput } from './parse-input';
import { type CaSubject, type PrivateCaOptions, PrivateCertificateAuthorities } from './private-ca';
import {
  caArnSchema,
  createCertificateAuthoritySchema,
  getCertificateSchema,
  importCaCertificateSchema,
  issueCertificateSchema,
  listCertificateAuthoritiesSchema,
  revokeCertificateSchema,
} from './schemas';

const READ_ONLY = /^(Describe|Get|List)/;

/** awsJson timestamps are epoch seconds. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function describeAuthority(ca: CaRecord, accountId: string): Record<string, unknown> {
  return {
    Arn: ca.arn,
    OwnerAccount: accountId,
    CreatedAt: seconds(ca.createdAt),
    LastStateChangeAt: seconds(ca.lastStateChangeAt),
    Type: ca.type,
    Serial: ca.serial,
    Status: ca.status,
    NotBefore: seconds(ca.notBefore),
    NotAfter: seconds(ca.notAfter),
    CertificateAuthorityConfiguration: ca.configuration,
    RevocationConfiguration: ca.revocationConfiguration,
    KeyStorageSecurityStandard: ca.keyStorageSecurityStandard,
    UsageMode: ca.usageMode,
  };
}

/**
 * Local AWS Private CA (`acm-pca`, awsJson 1.1, `ACMPrivateCA.*`): real keys and signatures,
 * the AWS CA lifecycle (PENDING_CERTIFICATE until the CA certificate is imported, then
 * ACTIVE), templates, idempotency tokens and the short delay before an issued certificate
 * can be fetched. `authorities` is the shared in-process state local ACM issues through.
 */
export class AcmPcaService implements LocalService, OperationResolver {
  readonly signingName = 'acm-pca';
  readonly authorities: PrivateCertificateAuthorities;

  constructor(
    private readonly context: LocalServiceContext,
    options: PrivateCaOptions = {},
  ) {
    this.authorities = new PrivateCertificateAuthorities(context, options);
  }

  operationOf(req: LocalRequest): string | undefined {
    return req.headers['x-amz-target']?.split('.', 2)[1];
  }

  handle(req: LocalRequest): Promise<LocalResponse> {
    const cas = this.authorities;
    const accountId = this.context.accountId;
    return handleJsonRequest(req, {
      version: '1.1',
      targetPrefix: 'ACMPrivateCA',
      isReadOnly: (operation) => READ_ONLY.test(operation),
      operations: {
        CreateCertificateAuthority: async (input) => {
          const parsed = parseInput(createCertificateAuthoritySchema, input, 'CreateCertificateAuthority');
          const config = parsed.CertificateAuthorityConfiguration;
          const arn = await cas.createAuthority({
            type: parsed.CertificateAuthorityType,
            keyAlgorithm: config.KeyAlgorithm,
            signingAlgorithm: config.SigningAlgorithm,
            subject: config.Subject as CaSubject,
            configuration: config,
            ...(parsed.RevocationConfiguration
              ? { revocationConfiguration: parsed.RevocationConfiguration }
              : {}),
            ...(parsed.KeyStorageSecurityStandard
              ? { keyStorageSecurityStandard: parsed.KeyStorageSecurityStandard }
              : {}),
            ...(parsed.UsageMode ? { usageMode: parsed.UsageMode } : {}),
            ...(parsed.Tags ? { tags: parsed.Tags } : {}),
            ...(parsed.IdempotencyToken ? { idempotencyToken: parsed.IdempotencyToken } : {}),
          });
          return { CertificateAuthorityArn: arn };
        },
        DescribeCertificateAuthority: (input) => {
          const { CertificateAuthorityArn } = parseInput(caArnSchema, input, 'DescribeCertificateAuthority');
          return {
            CertificateAuthority: describeAuthority(cas.authority(CertificateAuthorityArn), accountId),
          };
        },
        ListCertificateAuthorities: (input) => {
          const parsed = parseInput(listCertificateAuthoritiesSchema, input, 'ListCertificateAuthorities');
          const { page, nextToken } = pageOf(
            cas.list(),
            parsed.MaxResults ?? 100,
            parsed.NextToken,
            'InvalidNextTokenException',
          );
          return {
            CertificateAuthorities: page.map((ca) => describeAuthority(ca, accountId)),
            NextToken: nextToken,
          };
        },
        GetCertificateAuthorityCsr: (input) => {
          const { CertificateAuthorityArn } = parseInput(caArnSchema, input, 'GetCertificateAuthorityCsr');
          return { Csr: cas.csr(CertificateAuthorityArn) };
        },
        GetCertificateAuthorityCertificate: (input) => {
          const { CertificateAuthorityArn } = parseInput(
            caArnSchema,
            input,
            'GetCertificateAuthorityCertificate',
          );
          const { certificate, chain } = cas.caCertificate(CertificateAuthorityArn);
          return { Certificate: certificate, CertificateChain: chain };
        },
        ImportCertificateAuthorityCertificate: async (input) => {
          const parsed = parseInput(
            importCaCertificateSchema,
            input,
            'ImportCertificateAuthorityCertificate',
          );
          await cas.importCaCertificate(
            parsed.CertificateAuthorityArn,
            blobText(parsed.Certificate, 'Certificate', 'MalformedCertificateException'),
            parsed.CertificateChain === undefined
              ? undefined
              : blobText(parsed.CertificateChain, 'CertificateChain', 'MalformedCertificateException'),
          );
          return {};
        },
        IssueCertificate: async (input) => {
          const parsed = parseInput(issueCertificateSchema, input, 'IssueCertificate');
          const arn = await cas.issue({
            caArn: parsed.CertificateAuthorityArn,
            csrPem: blobText(parsed.Csr, 'Csr', 'MalformedCSRException'),
            signingAlgorithm: parsed.SigningAlgorithm,
            validity: parsed.Validity,
            ...(parsed.ValidityNotBefore ? { validityNotBefore: parsed.ValidityNotBefore } : {}),
            ...(parsed.TemplateArn ? { templateArn: parsed.TemplateArn } : {}),
            ...(parsed.IdempotencyToken ? { idempotencyToken: parsed.IdempotencyToken } : {}),
          });
          return { CertificateArn: arn };
        },
        GetCertificate: (input) => {
          const parsed = parseInput(getCertificateSchema, input, 'GetCertificate');
          const { certificate, chain } = cas.certificate(
            parsed.CertificateAuthorityArn,
            parsed.CertificateArn,
          );
          return { Certificate: certificate, CertificateChain: chain };
        },
        RevokeCertificate: (input) => {
          const parsed = parseInput(revokeCertificateSchema, input, 'RevokeCertificate');
          cas.revoke(parsed.CertificateAuthorityArn, parsed.CertificateSerial, parsed.RevocationReason);
          return {};
        },
      },
    });
  }
}
