import { AwsError, handleJsonRequest } from '../../protocol/aws-json';
import type {
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from '../../types';
import { blobBytes, blobText, pageOf, parseInput } from '../acm-pca/parse-input';
import type { PrivateCertificateAuthorities } from '../acm-pca/private-ca';
import { CertificateManager, type CertificateManagerOptions } from './certificate-manager';
import { certificateDetail, certificateSummary, keyAlgorithmOfView } from './describe';
import { acmApiCall } from './redact';
import {
  certificateArnSchema,
  exportCertificateSchema,
  importCertificateSchema,
  listCertificatesSchema,
  requestCertificateSchema,
  tagsSchema,
} from './schemas';

const READ_ONLY = /^(Describe|Get|List)/;

/** ListCertificates returns only these key types unless `Includes.keyTypes` says otherwise, as AWS does. */
const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];

/**
 * Local AWS Certificate Manager (`acm`, awsJson 1.1, `CertificateManager.*`): imported
 * certificates, and private certificates issued in-process by local ACM PCA.
 */
export class AcmService implements LocalService, OperationResolver {
  readonly signingName = 'acm';
  readonly certificates: CertificateManager;

  constructor(
    context: LocalServiceContext,
    pca: PrivateCertificateAuthorities,
    options: CertificateManagerOptions = {},
  ) {
    this.certificates = new CertificateManager(context, pca, options);
  }

  operationOf(req: LocalRequest): string | undefined {
    return req.headers['x-amz-target']?.split('.', 2)[1];
  }

  /** The resources using a certificate, as DescribeCertificate reports them in `InUseBy`. */
  inUseBy(certificateArn: string): readonly string[] {
    return this.certificates.inUseBy(certificateArn);
  }

  handle(req: LocalRequest): Promise<LocalResponse> {
    const acm = this.certificates;
    const isReadOnly = (operation: string) => READ_ONLY.test(operation);
    return handleJsonRequest(req, {
      version: '1.1',
      targetPrefix: 'CertificateManager',
      isReadOnly,
      redact: (operation, input, output) => acmApiCall(operation, isReadOnly(operation), input, output),
      operations: {
        ImportCertificate: async (input) => {
          const parsed = parseInput(importCertificateSchema, input, 'ImportCertificate');
          const arn = await acm.importCertificate({
            certificatePem: blobText(parsed.Certificate, 'Certificate'),
            privateKeyPem: blobText(parsed.PrivateKey, 'PrivateKey'),
            ...(parsed.CertificateArn ? { certificateArn: parsed.CertificateArn } : {}),
            ...(parsed.CertificateChain
              ? { chainPem: blobText(parsed.CertificateChain, 'CertificateChain') }
              : {}),
            ...(parsed.Tags ? { tags: parsed.Tags } : {}),
          });
          return { CertificateArn: arn };
        },
        RequestCertificate: async (input) => {
          const parsed = parseInput(requestCertificateSchema, input, 'RequestCertificate');
          if (parsed.CertificateAuthorityArn === undefined) {
            throw new AwsError(
              'ValidationException',
              'local AWS issues private certificates only: give CertificateAuthorityArn (public DNS/EMAIL validation is not emulated).',
            );
          }
          const arn = await acm.requestPrivate({
            domainName: parsed.DomainName,
            certificateAuthorityArn: parsed.CertificateAuthorityArn,
            ...(parsed.SubjectAlternativeNames
              ? { subjectAlternativeNames: parsed.SubjectAlternativeNames }
              : {}),
            ...(parsed.KeyAlgorithm ? { keyAlgorithm: parsed.KeyAlgorithm } : {}),
            ...(parsed.IdempotencyToken ? { idempotencyToken: parsed.IdempotencyToken } : {}),
            ...(parsed.Tags ? { tags: parsed.Tags } : {}),
            ...(parsed.Options ? { options: parsed.Options } : {}),
          });
          return { CertificateArn: arn };
        },
        DescribeCertificate: (input) => {
          const { CertificateArn } = parseInput(certificateArnSchema, input, 'DescribeCertificate');
          const view = acm.view(CertificateArn);
          return { Certificate: certificateDetail(view, acm.renewalEligible(view)) };
        },
        GetCertificate: (input) => {
          const { CertificateArn } = parseInput(certificateArnSchema, input, 'GetCertificate');
          const { certificate, chain } = acm.certificateWithChain(CertificateArn);
          return { Certificate: certificate, CertificateChain: chain };
        },
        ExportCertificate: (input) => {
          const parsed = parseInput(exportCertificateSchema, input, 'ExportCertificate');
          const passphrase = blobBytes(parsed.Passphrase, 'Passphrase');
          const out = acm.exportCertificate(parsed.CertificateArn, passphrase);
          return { Certificate: out.certificate, CertificateChain: out.chain, PrivateKey: out.privateKey };
        },
        ListCertificates: (input) => {
          const parsed = parseInput(listCertificatesSchema, input, 'ListCertificates');
          const statuses = parsed.CertificateStatuses;
          const keyTypes = parsed.Includes?.keyTypes ?? DEFAULT_KEY_TYPES;
          let views = acm
            .list()
            .filter((v) => statuses === undefined || statuses.length === 0 || statuses.includes(v.status))
            .filter((v) => keyTypes.includes(keyAlgorithmOfView(v) ?? ''));
          if (parsed.SortOrder === 'DESCENDING') views = views.reverse();
          const { page, nextToken } = pageOf(
            views,
            parsed.MaxItems ?? 1000,
            parsed.NextToken,
            'InvalidArgsException',
          );
          return {
            CertificateSummaryList: page.map((v) => certificateSummary(v, acm.renewalEligible(v))),
            NextToken: nextToken,
          };
        },
        AddTagsToCertificate: (input) => {
          const parsed = parseInput(tagsSchema, input, 'AddTagsToCertificate');
          acm.addTags(parsed.CertificateArn, parsed.Tags);
          return {};
        },
        RemoveTagsFromCertificate: (input) => {
          const parsed = parseInput(tagsSchema, input, 'RemoveTagsFromCertificate');
          acm.removeTags(parsed.CertificateArn, parsed.Tags);
          return {};
        },
        ListTagsForCertificate: (input) => {
          const { CertificateArn } = parseInput(certificateArnSchema, input, 'ListTagsForCertificate');
          return { Tags: acm.record(CertificateArn).tags };
        },
        DeleteCertificate: (input) => {
          const { CertificateArn } = parseInput(certificateArnSchema, input, 'DeleteCertificate');
          acm.delete(CertificateArn);
          return {};
        },
        RenewCertificate: async (input) => {
          const { CertificateArn } = parseInput(certificateArnSchema, input, 'RenewCertificate');
          await acm.renew(CertificateArn);
          return {};
        },
      },
    });
  }
}
