import { randomUUID } from 'node:crypto';
import type { X509Certificate } from '../../../../shared/x509';
import { AwsError } from '../../protocol/aws-json';
import { StateFile } from '../../state-file';
import type { LocalServiceContext } from '../../types';
import type { PrivateCertificateAuthorities } from '../acm-pca/private-ca';
import { defaultSigningAlgorithm, familyOf, generateKey } from '../x509/algorithms';
import { type CertificateInfo, describeCertificate } from '../x509/certificate-info';
import { createCsr } from '../x509/csr';
import { encryptPrivateKey, keyMatches, PrivateKeyError, readPrivateKey, toPkcs8Pem } from '../x509/keys';
import { joinPem, PemError, parseCertificates, parseOneCertificate, toPem } from '../x509/pem';
import { DEFAULT_TEMPLATE_ARN } from '../x509/templates';
import type { AcmCertificateRecord, AcmState, FailureReason } from './model';

/** ACM private certificates are valid for 13 months. */
const PRIVATE_VALIDITY_DAYS = 395;
/** RequestCertificate idempotency tokens last one hour. */
const TOKEN_TTL_MS = 60 * 60 * 1000;
const MAX_TAGS = 50;
const ACM_ARN = /^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** ACM certificate statuses local ACM reaches. */
export type CertificateStatus = 'PENDING_VALIDATION' | 'ISSUED' | 'FAILED' | 'EXPIRED' | 'REVOKED';

/** The ACM failure reason for each error the private CA answers. */
const FAILURE_BY_PCA_ERROR: Readonly<Record<string, FailureReason>> = {
  InvalidStateException: 'PCA_INVALID_STATE',
  ResourceNotFoundException: 'PCA_RESOURCE_NOT_FOUND',
  InvalidArnException: 'PCA_INVALID_ARN',
  InvalidArgsException: 'PCA_INVALID_ARGS',
  MalformedCSRException: 'PCA_INVALID_ARGS',
  ValidationException: 'PCA_INVALID_DURATION',
};

export interface CertificateManagerOptions {
  /**
   * The resources that use a certificate (e.g. App Mesh virtual node listeners), asked of
   * the rest of local AWS whenever ACM reports `InUseBy`; a certificate in use cannot be
   * deleted. Default: nothing uses any certificate.
   */
  readonly inUseBy?: (certificateArn: string) => readonly string[];
  /** How long a requested private certificate stays PENDING_VALIDATION. Default 0 ms. */
  readonly issueDelayMs?: number;
  /** How long a renewal stays PENDING_AUTO_RENEWAL before the renewed certificate is in place. Default 0 ms. */
  readonly renewDelayMs?: number;
}

export interface ImportInput {
  readonly certificateArn?: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly chainPem?: string;
  readonly tags?: { Key: string; Value?: string }[];
}

export interface RequestPrivateInput {
  readonly domainName: string;
  readonly subjectAlternativeNames?: readonly string[];
  readonly certificateAuthorityArn: string;
  readonly keyAlgorithm?: string;
  readonly idempotencyToken?: string;
  readonly tags?: { Key: string; Value?: string }[];
  readonly options?: Record<string, unknown>;
}

/** A record with what is known from its certificate and its current status. */
export interface CertificateView {
  readonly record: AcmCertificateRecord;
  readonly info: CertificateInfo | undefined;
  readonly status: CertificateStatus;
  readonly inUseBy: readonly string[];
  readonly revokedAt?: number;
  readonly revocationReason?: string;
}

function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

function checkTags(tags: readonly { Key: string }[]): void {
  const reserved = tags.find((t) => t.Key.toLowerCase().startsWith('aws:'));
  if (reserved !== undefined)
    throw new AwsError('InvalidTagException', `Tag key ${reserved.Key} uses the reserved prefix aws:`);
}

/**
 * The certificates of local ACM: imported ones, and private ones issued in-process by the
 * local private CAs (the same signing code as ACM PCA's IssueCertificate). Errors are the
 * AWS ACM errors, thrown as AwsError.
 */
export class CertificateManager {
  private readonly file: StateFile<AcmState>;
  private readonly state: AcmState;
  private readonly issueDelayMs: number;

  constructor(
    private readonly context: LocalServiceContext,
    private readonly pca: PrivateCertificateAuthorities,
    private readonly options: CertificateManagerOptions = {},
  ) {
    this.file = new StateFile<AcmState>(context.dataDir, 'acm', () => ({ certificates: {}, tokens: {} }));
    this.state = this.file.load();
    this.issueDelayMs = options.issueDelayMs ?? 0;
  }

  private now(): number {
    return this.context.now().getTime();
  }

  private save(): void {
    this.file.save(this.state);
  }

  private newArn(): string {
    return `arn:aws:acm:${this.context.region}:${this.context.accountId}:certificate/${randomUUID()}`;
  }

  /** The record for an ARN: InvalidArnException when malformed, ResourceNotFoundException when unknown. */
  record(arn: string): AcmCertificateRecord {
    if (!ACM_ARN.test(arn))
      throw new AwsError('InvalidArnException', `String '${arn}' is not a valid certificate ARN.`);
    const record = this.state.certificates[arn];
    if (record === undefined) {
      throw new AwsError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
    }
    this.settleRenewal(record);
    return record;
  }

  /** A renewal whose time has come takes effect: the renewed certificate replaces the current one. */
  private settleRenewal(record: AcmCertificateRecord): void {
    const renewal = record.renewal;
    if (renewal?.status !== 'PENDING_AUTO_RENEWAL' || renewal.pending === undefined) return;
    const readyAt = renewal.readyAt ?? 0;
    if (this.now() < readyAt) return;
    const outcome = renewal.pending;
    if ('failure' in outcome) {
      record.renewal = { status: 'FAILED', updatedAt: readyAt, reason: outcome.failure };
    } else {
      record.certificatePem = outcome.certificatePem;
      if (outcome.chainPem === undefined) delete record.chainPem;
      else record.chainPem = outcome.chainPem;
      record.issuedAt = readyAt;
      record.renewal = { status: 'SUCCESS', updatedAt: readyAt };
    }
    this.save();
  }

  /** Who uses a certificate, as the runtime reports it. */
  inUseBy(arn: string): readonly string[] {
    return this.options.inUseBy?.(arn) ?? [];
  }

  /** A record with its parsed certificate and current status. */
  view(arn: string): CertificateView {
    const record = this.record(arn);
    const info =
      record.certificatePem === undefined
        ? undefined
        : describeCertificate(parseOneCertificate(record.certificatePem));
    const now = this.now();
    const revoked = this.revocation(record, info);
    let status: CertificateStatus = 'ISSUED';
    if (record.failureReason !== undefined) status = 'FAILED';
    else if (record.readyAt !== undefined && now < record.readyAt) status = 'PENDING_VALIDATION';
    else if (revoked !== undefined) status = 'REVOKED';
    else if (info !== undefined && info.notAfter.getTime() <= now) status = 'EXPIRED';
    return {
      record,
      info,
      status,
      inUseBy: this.inUseBy(arn),
      ...(revoked ? { revokedAt: revoked.at, revocationReason: revoked.reason } : {}),
    };
  }

  /** A private certificate its CA revoked is REVOKED in ACM too. */
  private revocation(record: AcmCertificateRecord, info: CertificateInfo | undefined) {
    if (record.type !== 'PRIVATE' || record.certificateAuthorityArn === undefined || info === undefined)
      return undefined;
    const pcaArn = `${record.certificateAuthorityArn}/certificate/${info.serialHex}`;
    try {
      const issued = this.pca.issued(record.certificateAuthorityArn, pcaArn);
      return issued.revokedAt === undefined
        ? undefined
        : { at: issued.revokedAt, reason: issued.revocationReason ?? 'UNSPECIFIED' };
    } catch {
      return undefined;
    }
  }

  /** All certificates, oldest first. */
  list(): CertificateView[] {
    return Object.values(this.state.certificates)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((r) => this.view(r.arn));
  }

  /** ImportCertificate: a new certificate, or a new certificate under an existing imported ARN. */
  async importCertificate(input: ImportInput): Promise<string> {
    const existing = input.certificateArn === undefined ? undefined : this.record(input.certificateArn);
    if (existing !== undefined && existing.type !== 'IMPORTED') {
      throw validationError(
        `Certificate ${existing.arn} is ${existing.type}; only imported certificates can be reimported.`,
      );
    }
    if (existing !== undefined && input.tags !== undefined) {
      throw validationError('Tags cannot be applied when reimporting a certificate.');
    }
    if (input.tags !== undefined) checkTags(input.tags);
    let cert: X509Certificate;
    let chain: X509Certificate[] = [];
    try {
      cert = parseOneCertificate(input.certificatePem);
      if (input.chainPem !== undefined) chain = parseCertificates(input.chainPem);
    } catch (error) {
      if (error instanceof PemError)
        throw validationError(`Unable to parse the certificate: ${error.message}`);
      throw error;
    }
    let key: ReturnType<typeof readPrivateKey>;
    try {
      key = readPrivateKey(input.privateKeyPem);
    } catch (error) {
      if (error instanceof PrivateKeyError) throw validationError(error.message);
      throw error;
    }
    const info = describeCertificate(cert);
    if (info.keyAlgorithm === undefined)
      throw validationError('The certificate key algorithm is not supported by ACM.');
    if (!keyMatches(key, cert.publicKey))
      throw validationError('The private key does not match the public key of the certificate.');
    const now = this.now();
    if (info.notBefore.getTime() > now || info.notAfter.getTime() <= now) {
      throw validationError(
        `The certificate is not valid now (valid ${info.notBefore.toISOString()} to ${info.notAfter.toISOString()}).`,
      );
    }
    const [issuer] = chain;
    if (issuer !== undefined && !(await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }))) {
      throw validationError('Could not validate the certificate with the certificate chain.');
    }
    const fields = {
      certificatePem: toPem(cert),
      privateKeyPem: toPkcs8Pem(key),
      importedAt: now,
      ...(chain.length > 0 ? { chainPem: joinPem(chain.map(toPem)) } : {}),
    };
    if (existing !== undefined) {
      delete existing.chainPem;
      Object.assign(existing, fields);
      this.save();
      return existing.arn;
    }
    const arn = this.newArn();
    this.state.certificates[arn] = {
      arn,
      type: 'IMPORTED',
      createdAt: now,
      tags: input.tags ?? [],
      exported: false,
      options: { CertificateTransparencyLoggingPreference: 'ENABLED' },
      ...fields,
    };
    this.save();
    return arn;
  }

  /** RequestCertificate with a private CA: the certificate is issued by the local private CA. */
  async requestPrivate(input: RequestPrivateInput): Promise<string> {
    if (
      !/^arn:aws:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36}$/.test(
        input.certificateAuthorityArn,
      )
    ) {
      throw new AwsError(
        'InvalidArnException',
        `String '${input.certificateAuthorityArn}' is not a valid private CA ARN.`,
      );
    }
    if (input.tags !== undefined) checkTags(input.tags);
    const now = this.now();
    for (const [token, seen] of Object.entries(this.state.tokens))
      if (now - seen.at > TOKEN_TTL_MS) delete this.state.tokens[token];
    if (input.idempotencyToken !== undefined) {
      const seen = this.state.tokens[input.idempotencyToken];
      if (seen !== undefined && this.state.certificates[seen.arn] !== undefined) return seen.arn;
    }
    const keyAlgorithm = input.keyAlgorithm ?? 'RSA_2048';
    const names = [...new Set([input.domainName, ...(input.subjectAlternativeNames ?? [])])];
    const arn = this.newArn();
    const record: AcmCertificateRecord = {
      arn,
      type: 'PRIVATE',
      createdAt: now,
      certificateAuthorityArn: input.certificateAuthorityArn,
      requestedDomainName: input.domainName,
      requestedNames: names,
      requestedKeyAlgorithm: keyAlgorithm,
      tags: input.tags ?? [],
      exported: false,
      options: { CertificateTransparencyLoggingPreference: 'ENABLED', ...input.options },
    };
    const key = await generateKey(keyAlgorithm);
    record.privateKeyPem = key.privateKeyPem;
    const outcome = await this.issuePrivate(record);
    if ('failure' in outcome) record.failureReason = outcome.failure;
    else {
      record.certificatePem = outcome.certificatePem;
      if (outcome.chainPem !== undefined) record.chainPem = outcome.chainPem;
      record.issuedAt = now;
      record.readyAt = now + this.issueDelayMs;
    }
    this.state.certificates[arn] = record;
    if (input.idempotencyToken !== undefined) this.state.tokens[input.idempotencyToken] = { arn, at: now };
    this.save();
    return arn;
  }

  /** Sign the record's key and names with its private CA, or say why the CA refused. */
  private async issuePrivate(
    record: AcmCertificateRecord,
  ): Promise<{ certificatePem: string; chainPem: string | undefined } | { failure: FailureReason }> {
    const caArn = record.certificateAuthorityArn ?? '';
    const keyAlgorithm = record.requestedKeyAlgorithm ?? 'RSA_2048';
    try {
      const ca = this.pca.authority(caArn);
      if (familyOf(String(ca.configuration.KeyAlgorithm)) !== familyOf(keyAlgorithm))
        return { failure: 'PCA_INVALID_ARGS' };
      const domain = record.requestedDomainName ?? '';
      const csrPem = await createCsr({
        privateKeyPem: record.privateKeyPem ?? '',
        signingAlgorithm: defaultSigningAlgorithm(keyAlgorithm),
        // A common name holds at most 64 characters; longer names live in the SAN only.
        subject: domain.length <= 64 ? [{ '2.5.4.3': [domain] }] : [],
        dnsNames: record.requestedNames ?? [domain],
      });
      const pcaArn = await this.pca.issue({
        caArn,
        csrPem,
        signingAlgorithm: String(ca.configuration.SigningAlgorithm),
        validity: { Type: 'DAYS', Value: PRIVATE_VALIDITY_DAYS },
        templateArn: DEFAULT_TEMPLATE_ARN,
      });
      return { certificatePem: this.pca.issued(caArn, pcaArn).pem, chainPem: this.pca.chainBelow(ca) };
    } catch (error) {
      if (error instanceof AwsError)
        return { failure: FAILURE_BY_PCA_ERROR[error.code] ?? 'PCA_REQUEST_FAILED' };
      throw error;
    }
  }

  /** GetCertificate: the certificate and its chain, once issued. */
  certificateWithChain(arn: string): { certificate: string; chain: string | undefined } {
    const view = this.view(arn);
    if (view.status === 'PENDING_VALIDATION' || view.record.certificatePem === undefined) {
      throw new AwsError(
        'RequestInProgressException',
        `Certificate ${arn} is ${view.status}; it has not been issued yet.`,
      );
    }
    return { certificate: view.record.certificatePem, chain: view.record.chainPem };
  }

  /** ExportCertificate: a private certificate with its key encrypted under the passphrase. */
  exportCertificate(arn: string, passphrase: Buffer) {
    const view = this.view(arn);
    if (view.record.type !== 'PRIVATE')
      throw validationError(`Certificate ARN: ${arn} is not a private certificate`);
    if (passphrase.length < 4) throw validationError('The passphrase must be at least 4 bytes long.');
    const { certificate, chain } = this.certificateWithChain(arn);
    view.record.exported = true;
    view.record.lastExportedAt = this.now();
    this.save();
    return { certificate, chain, privateKey: encryptPrivateKey(view.record.privateKeyPem ?? '', passphrase) };
  }

  /**
   * Private certificates are renewable once in use, or exported since they were issued or last
   * renewed, as AWS states.
   */
  renewalEligible(view: CertificateView): boolean {
    const { record } = view;
    if (record.type !== 'PRIVATE') return false;
    if (view.inUseBy.length > 0) return true;
    const renewedAt = record.renewal?.status === 'SUCCESS' ? record.renewal.updatedAt : 0;
    // State written before exports were timed counts an export as recent.
    return record.exported && (record.lastExportedAt ?? Number.POSITIVE_INFINITY) >= renewedAt;
  }

  /**
   * RenewCertificate: the private CA signs a new certificate for the same key and names, put in
   * place under the same ARN after the renewal delay. Until then RenewalSummary says
   * PENDING_AUTO_RENEWAL and the current certificate is served; a renewal asked for while one
   * is pending is that one.
   */
  async renew(arn: string): Promise<void> {
    const view = this.view(arn);
    if (view.record.type !== 'PRIVATE')
      throw validationError(`Certificate ${arn} is not a private certificate.`);
    if (!this.renewalEligible(view)) {
      throw validationError(
        `Certificate ${arn} is not eligible for renewal: it has been neither exported nor used.`,
      );
    }
    if (view.record.renewal?.status === 'PENDING_AUTO_RENEWAL') return;
    const pending = await this.issuePrivate(view.record);
    const now = this.now();
    view.record.renewal = {
      status: 'PENDING_AUTO_RENEWAL',
      updatedAt: now,
      readyAt: now + (this.options.renewDelayMs ?? 0),
      pending:
        'failure' in pending
          ? pending
          : {
              certificatePem: pending.certificatePem,
              ...(pending.chainPem === undefined ? {} : { chainPem: pending.chainPem }),
            },
    };
    this.save();
    this.settleRenewal(view.record);
  }

  /** AddTagsToCertificate: add or overwrite tags by key. */
  addTags(arn: string, tags: readonly { Key: string; Value?: string }[]): void {
    const record = this.record(arn);
    checkTags(tags);
    const merged = new Map(record.tags.map((t) => [t.Key, t]));
    for (const tag of tags) merged.set(tag.Key, tag);
    if (merged.size > MAX_TAGS)
      throw new AwsError('TooManyTagsException', `A certificate can have at most ${MAX_TAGS} tags.`);
    record.tags = [...merged.values()];
    this.save();
  }

  /** RemoveTagsFromCertificate: a tag given with a value is removed only if the value matches. */
  removeTags(arn: string, tags: readonly { Key: string; Value?: string }[]): void {
    const record = this.record(arn);
    checkTags(tags);
    record.tags = record.tags.filter(
      (t) => !tags.some((r) => r.Key === t.Key && (r.Value === undefined || r.Value === t.Value)),
    );
    this.save();
  }

  /** DeleteCertificate: refused while something uses the certificate. */
  delete(arn: string): void {
    this.record(arn);
    const users = this.inUseBy(arn);
    if (users.length > 0) {
      throw new AwsError('ResourceInUseException', `Certificate ${arn} is in use by ${users.join(', ')}.`);
    }
    delete this.state.certificates[arn];
    this.save();
  }
}
