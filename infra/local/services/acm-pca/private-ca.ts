import { randomUUID } from 'node:crypto';
import type { JsonName, Name, X509Certificate } from '../../../../shared/x509';
import { AwsError } from '../../protocol/aws-json';
import { StateFile } from '../../state-file';
import type { LocalServiceContext } from '../../types';
import { familyOf, generateKey, SIGNING_ALGORITHMS } from '../x509/algorithms';
import { describeCertificate } from '../x509/certificate-info';
import { CsrError, createCsr, parseCsr } from '../x509/csr';
import { signCertificate } from '../x509/issue';
import { keyMatches, readPrivateKey } from '../x509/keys';
import { joinPem, PemError, parseCertificates, parseOneCertificate, toPem } from '../x509/pem';
import { DEFAULT_TEMPLATE_ARN, findTemplate } from '../x509/templates';
import { resolveValidity, ValidityError, type ValiditySpec } from '../x509/validity';
import { caArn, caOfCertificateArn, issuedCertificateArn, requireCaArn } from './arns';
import type { CaRecord, IssuedCertificateRecord, PcaState } from './model';

/** Idempotency tokens of CreateCertificateAuthority and IssueCertificate last five minutes. */
const TOKEN_TTL_MS = 5 * 60 * 1000;
/** AWS backdates Not Before by an hour to absorb clock skew between systems. */
const BACKDATE_MS = 60 * 60 * 1000;

/** Subject members of the CA configuration, in API order, with their attribute OIDs. */
const SUBJECT_FIELDS: readonly [string, string][] = [
  ['Country', '2.5.4.6'],
  ['Organization', '2.5.4.10'],
  ['OrganizationalUnit', '2.5.4.11'],
  ['DistinguishedNameQualifier', '2.5.4.46'],
  ['State', '2.5.4.8'],
  ['CommonName', '2.5.4.3'],
  ['SerialNumber', '2.5.4.5'],
  ['Locality', '2.5.4.7'],
  ['Title', '2.5.4.12'],
  ['Surname', '2.5.4.4'],
  ['GivenName', '2.5.4.42'],
  ['Initials', '2.5.4.43'],
  ['Pseudonym', '2.5.4.65'],
  ['GenerationQualifier', '2.5.4.44'],
];

/** The `Subject` of a CA configuration. */
export type CaSubject = Partial<Record<string, string>> & {
  CustomAttributes?: { ObjectIdentifier: string; Value: string }[];
};

export interface CreateAuthorityInput {
  readonly type: 'ROOT' | 'SUBORDINATE';
  readonly keyAlgorithm: string;
  readonly signingAlgorithm: string;
  readonly subject: CaSubject;
  readonly configuration: Record<string, unknown>;
  readonly revocationConfiguration?: Record<string, unknown>;
  readonly keyStorageSecurityStandard?: string;
  readonly usageMode?: string;
  readonly tags?: { Key: string; Value?: string }[];
  readonly idempotencyToken?: string;
}

export interface IssueInput {
  readonly caArn: string;
  readonly csrPem: string;
  readonly signingAlgorithm: string;
  readonly validity: ValiditySpec;
  readonly validityNotBefore?: ValiditySpec;
  readonly templateArn?: string;
  readonly idempotencyToken?: string;
}

/** A certificate with the chain above it, as GetCertificate* return them. */
export interface CertificateWithChain {
  readonly certificate: string;
  readonly chain: string | undefined;
}

export interface PrivateCaOptions {
  /**
   * How long GetCertificate answers RequestInProgressException after IssueCertificate, as
   * AWS does while it signs. Default 200 ms; 0 makes certificates available at once.
   */
  readonly issueDelayMs?: number;
}

function subjectName(subject: CaSubject): JsonName {
  const name: JsonName = [];
  for (const [member, oid] of SUBJECT_FIELDS) {
    const value = subject[member];
    if (typeof value === 'string' && value !== '') name.push({ [oid]: [value] });
  }
  for (const custom of subject.CustomAttributes ?? [])
    name.push({ [custom.ObjectIdentifier]: [custom.Value] });
  return name;
}

/**
 * The private CAs of local AWS and the certificates they issued: the state and rules behind
 * both the ACM PCA API and ACM's private certificates (ACM calls in here in-process). Errors
 * are the AWS PCA errors, thrown as AwsError.
 */
export class PrivateCertificateAuthorities {
  private readonly file: StateFile<PcaState>;
  private readonly state: PcaState;
  private readonly issueDelayMs: number;
  /** Calls in flight per idempotency key, so two concurrent retries still make one resource. */
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly context: LocalServiceContext,
    options: PrivateCaOptions = {},
  ) {
    this.file = new StateFile<PcaState>(context.dataDir, 'acm-pca', () => ({
      authorities: {},
      certificates: {},
      tokens: {},
    }));
    this.state = this.file.load();
    this.issueDelayMs = options.issueDelayMs ?? 200;
    if (this.issueDelayMs < 0) throw new Error('issueDelayMs must not be negative');
  }

  private now(): number {
    return this.context.now().getTime();
  }

  private save(): void {
    this.file.save(this.state);
  }

  /** Run `create` once per idempotency key within the token lifetime; later calls get its ARN. */
  private async idempotent(key: string | undefined, create: () => Promise<string>): Promise<string> {
    if (key === undefined) return create();
    const now = this.now();
    for (const [k, seen] of Object.entries(this.state.tokens))
      if (now - seen.at > TOKEN_TTL_MS) delete this.state.tokens[k];
    const seen = this.state.tokens[key];
    if (seen !== undefined) return seen.arn;
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const promise = create().then((arn) => {
      this.state.tokens[key] = { arn, at: now };
      this.save();
      return arn;
    });
    this.inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** CreateCertificateAuthority: a new CA with its own key, waiting for its certificate. */
  createAuthority(input: CreateAuthorityInput): Promise<string> {
    const family = familyOf(input.keyAlgorithm);
    if (family === undefined || input.keyAlgorithm === 'RSA_1024') {
      throw new AwsError(
        'InvalidArgsException',
        `Key algorithm ${input.keyAlgorithm} is not supported for a private CA.`,
      );
    }
    if (SIGNING_ALGORITHMS[input.signingAlgorithm]?.family !== family) {
      throw new AwsError(
        'InvalidArgsException',
        `Signing algorithm ${input.signingAlgorithm} does not match the key algorithm ${input.keyAlgorithm}.`,
      );
    }
    const name = subjectName(input.subject);
    if (name.length === 0)
      throw new AwsError('InvalidArgsException', 'The CA subject must contain at least one attribute.');
    const key =
      input.idempotencyToken === undefined
        ? undefined
        : `create|${this.context.accountId}|${input.idempotencyToken}`;
    return this.idempotent(key, async () => {
      const generated = await generateKey(input.keyAlgorithm);
      let csrPem: string;
      try {
        csrPem = await createCsr({
          privateKeyPem: generated.privateKeyPem,
          signingAlgorithm: input.signingAlgorithm,
          subject: name,
        });
      } catch (error) {
        throw new AwsError(
          'InvalidArgsException',
          `The CA subject cannot be encoded: ${(error as Error).message}`,
        );
      }
      const now = this.now();
      const arn = caArn(this.context.region, this.context.accountId, randomUUID());
      this.state.authorities[arn] = {
        arn,
        type: input.type,
        status: 'PENDING_CERTIFICATE',
        createdAt: now,
        lastStateChangeAt: now,
        configuration: input.configuration,
        ...(input.revocationConfiguration ? { revocationConfiguration: input.revocationConfiguration } : {}),
        keyStorageSecurityStandard: input.keyStorageSecurityStandard ?? 'FIPS_140_2_LEVEL_3_OR_HIGHER',
        usageMode: input.usageMode ?? 'GENERAL_PURPOSE',
        tags: input.tags ?? [],
        privateKeyPem: generated.privateKeyPem,
        csrPem,
      };
      this.save();
      return arn;
    });
  }

  /** The CA for an ARN: InvalidArnException for a malformed ARN, ResourceNotFoundException for an unknown one. */
  authority(arn: string): CaRecord {
    const ca = this.state.authorities[requireCaArn(arn)];
    if (ca === undefined)
      throw new AwsError('ResourceNotFoundException', `Could not find certificate authority ${arn}.`);
    return ca;
  }

  /** All CAs, oldest first. */
  list(): CaRecord[] {
    return Object.values(this.state.authorities).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** GetCertificateAuthorityCsr. */
  csr(arn: string): string {
    return this.authority(arn).csrPem;
  }

  /** IssueCertificate: sign a CSR with a CA's key. Returns the certificate ARN. */
  issue(input: IssueInput): Promise<string> {
    const ca = this.authority(input.caArn);
    const templateArn = input.templateArn ?? DEFAULT_TEMPLATE_ARN;
    const template = findTemplate(templateArn);
    if (template === undefined)
      throw new AwsError('InvalidArgsException', `Template ${templateArn} is not supported.`);
    if (template.kind === 'root') {
      if (ca.type !== 'ROOT') {
        throw new AwsError(
          'InvalidArgsException',
          `Template ${templateArn} can only be used by a root CA to sign its own CSR.`,
        );
      }
    } else if (ca.status !== 'ACTIVE') {
      throw new AwsError(
        'InvalidStateException',
        `The certificate authority ${ca.arn} is in the ${ca.status} state and cannot issue certificates.`,
      );
    }
    const signing = SIGNING_ALGORITHMS[input.signingAlgorithm];
    const caFamily = familyOf(String(ca.configuration.KeyAlgorithm));
    if (signing?.family !== caFamily) {
      throw new AwsError(
        'InvalidArgsException',
        `Signing algorithm ${input.signingAlgorithm} does not match the CA key algorithm ${String(ca.configuration.KeyAlgorithm)}.`,
      );
    }
    const key =
      input.idempotencyToken === undefined ? undefined : `issue|${ca.arn}|${input.idempotencyToken}`;
    return this.idempotent(key, async () => {
      const record = await this.sign(ca, input, template);
      this.state.certificates[record.arn] = record;
      this.save();
      return record.arn;
    });
  }

  private async sign(
    ca: CaRecord,
    input: IssueInput,
    template: NonNullable<ReturnType<typeof findTemplate>>,
  ): Promise<IssuedCertificateRecord> {
    let csr: Awaited<ReturnType<typeof parseCsr>>;
    try {
      csr = await parseCsr(input.csrPem);
    } catch (error) {
      if (error instanceof CsrError) throw new AwsError('MalformedCSRException', error.message);
      throw error;
    }
    const now = this.now();
    let notAfter: Date;
    let notBefore = new Date(now - BACKDATE_MS);
    try {
      notAfter = resolveValidity(input.validity, new Date(now));
      if (input.validityNotBefore !== undefined)
        notBefore = resolveValidity(input.validityNotBefore, new Date(now));
    } catch (error) {
      if (error instanceof ValidityError) throw new AwsError('ValidationException', error.message);
      throw error;
    }
    if (notAfter.getTime() <= now) {
      throw new AwsError(
        'ValidationException',
        `The validity end ${notAfter.toISOString()} is not in the future.`,
      );
    }
    if (notBefore.getTime() >= notAfter.getTime()) {
      throw new AwsError('ValidationException', 'The validity start must be before the validity end.');
    }

    let issuerName: Name;
    let issuerKeyId: string | undefined;
    if (template.kind === 'root') {
      if (!keyMatches(readPrivateKey(ca.privateKeyPem), csr.request.publicKey)) {
        throw new AwsError(
          'InvalidArgsException',
          `Template ${template.arn} can only sign the CA's own CSR.`,
        );
      }
      issuerName = csr.request.subjectName;
    } else {
      const caCert = parseOneCertificate(ca.certificatePem ?? '');
      const info = describeCertificate(caCert);
      if (notAfter.getTime() > caCert.notAfter.getTime()) {
        throw new AwsError(
          'ValidationException',
          `The certificate validity ends after the CA certificate does (${caCert.notAfter.toISOString()}).`,
        );
      }
      if (
        template.kind === 'ca' &&
        info.pathLength !== undefined &&
        (template.pathLength ?? Infinity) >= info.pathLength
      ) {
        throw new AwsError(
          'InvalidArgsException',
          `Template ${template.arn} exceeds the path length ${info.pathLength} of the issuing CA certificate.`,
        );
      }
      issuerName = caCert.subjectName;
      issuerKeyId = info.subjectKeyId;
    }
    const signed = await signCertificate({
      subject: csr.request.subjectName,
      publicKey: csr.request.publicKey,
      subjectAltName: csr.subjectAltName,
      issuer: issuerName,
      issuerKeyId,
      issuerPrivateKeyPem: ca.privateKeyPem,
      signingAlgorithm: input.signingAlgorithm,
      template,
      notBefore,
      notAfter,
    });
    return {
      arn: issuedCertificateArn(ca.arn, signed.serialHex),
      caArn: ca.arn,
      serialHex: signed.serialHex,
      pem: signed.pem,
      // The delay before GetCertificate answers counts from the end of signing, as AWS's does.
      issuedAt: this.now(),
    };
  }

  /** An issued certificate record, checked to belong to the CA. */
  issued(caArnValue: string, certificateArn: string): IssuedCertificateRecord {
    const ca = this.authority(caArnValue);
    caOfCertificateArn(certificateArn);
    const record = this.state.certificates[certificateArn];
    if (record === undefined || record.caArn !== ca.arn) {
      throw new AwsError('ResourceNotFoundException', `Could not find certificate ${certificateArn}.`);
    }
    return record;
  }

  /** GetCertificate: the certificate and the chain up to the root, once signing has finished. */
  certificate(caArnValue: string, certificateArn: string): CertificateWithChain {
    const record = this.issued(caArnValue, certificateArn);
    if (this.now() < record.issuedAt + this.issueDelayMs) {
      throw new AwsError(
        'RequestInProgressException',
        `The certificate ${certificateArn} is still being issued.`,
      );
    }
    return { certificate: record.pem, chain: this.chainBelow(this.authority(caArnValue)) };
  }

  /** The chain a certificate issued by `ca` carries: the CA certificate, then the CA's own chain. */
  chainBelow(ca: CaRecord): string | undefined {
    if (ca.certificatePem === undefined) return undefined;
    return joinPem([ca.certificatePem, ...(ca.certificateChainPem ? [ca.certificateChainPem] : [])]);
  }

  /** GetCertificateAuthorityCertificate. */
  caCertificate(arn: string): CertificateWithChain {
    const ca = this.authority(arn);
    if (ca.certificatePem === undefined) {
      throw new AwsError(
        'InvalidStateException',
        `The certificate authority ${arn} has no certificate yet (${ca.status}).`,
      );
    }
    return { certificate: ca.certificatePem, chain: ca.certificateChainPem };
  }

  /** ImportCertificateAuthorityCertificate: install the CA certificate; the CA becomes ACTIVE. */
  async importCaCertificate(
    arn: string,
    certificatePem: string,
    chainPem: string | undefined,
  ): Promise<void> {
    const ca = this.authority(arn);
    if (ca.status === 'DISABLED') {
      throw new AwsError('InvalidStateException', `The certificate authority ${arn} is ${ca.status}.`);
    }
    let cert: X509Certificate;
    let chain: X509Certificate[] = [];
    try {
      cert = parseOneCertificate(certificatePem);
      if (chainPem !== undefined) chain = parseCertificates(chainPem);
    } catch (error) {
      if (error instanceof PemError) throw new AwsError('MalformedCertificateException', error.message);
      throw error;
    }
    if (!keyMatches(readPrivateKey(ca.privateKeyPem), cert.publicKey)) {
      throw new AwsError(
        'CertificateMismatchException',
        'The certificate does not match the CA key (public key differs).',
      );
    }
    const info = describeCertificate(cert);
    if (!info.isCa)
      throw new AwsError(
        'InvalidRequestException',
        'The certificate is not a CA certificate (basicConstraints CA:FALSE).',
      );
    if (ca.type === 'ROOT') {
      if (chain.length > 0)
        throw new AwsError('InvalidRequestException', 'A root CA certificate is imported without a chain.');
      if (!(await cert.isSelfSigned()))
        throw new AwsError('InvalidRequestException', 'A root CA certificate must be self-signed.');
    } else {
      if (chain.length === 0)
        throw new AwsError(
          'InvalidRequestException',
          'A subordinate CA certificate needs its CertificateChain.',
        );
      await verifyChain(cert, chain);
    }
    const now = this.now();
    ca.certificatePem = toPem(cert);
    if (chain.length > 0) ca.certificateChainPem = joinPem(chain.map(toPem));
    else delete ca.certificateChainPem;
    ca.serial = info.serial;
    ca.notBefore = info.notBefore.getTime();
    ca.notAfter = info.notAfter.getTime();
    if (ca.status !== 'ACTIVE') {
      ca.status = 'ACTIVE';
      ca.lastStateChangeAt = now;
    }
    this.save();
  }

  /** RevokeCertificate by hexadecimal serial (colons allowed). */
  revoke(arn: string, serial: string, reason: string): void {
    const ca = this.authority(arn);
    if (ca.status !== 'ACTIVE') {
      throw new AwsError(
        'InvalidStateException',
        `The certificate authority ${arn} is in the ${ca.status} state.`,
      );
    }
    const serialHex = serial.replace(/:/g, '').toLowerCase().replace(/^0+/, '');
    const record = Object.values(this.state.certificates).find(
      (c) => c.caArn === ca.arn && c.serialHex.replace(/^0+/, '') === serialHex,
    );
    if (record === undefined) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Could not find a certificate with serial ${serial} issued by ${arn}.`,
      );
    }
    if (record.revokedAt !== undefined) {
      throw new AwsError(
        'RequestAlreadyProcessedException',
        `The certificate with serial ${serial} is already revoked.`,
      );
    }
    record.revokedAt = this.now();
    record.revocationReason = reason;
    this.save();
  }
}

/** Check that `cert` is signed by the first chain certificate, each link by the next, ending in a self-signed root. */
async function verifyChain(cert: X509Certificate, chain: readonly X509Certificate[]): Promise<void> {
  let child = cert;
  for (const parent of chain) {
    if (!(await child.verify({ publicKey: parent.publicKey, signatureOnly: true }))) {
      throw new AwsError(
        'InvalidRequestException',
        `The certificate chain does not verify: "${child.subject}" is not signed by "${parent.subject}".`,
      );
    }
    child = parent;
  }
  if (!(await child.isSelfSigned())) {
    throw new AwsError(
      'InvalidRequestException',
      'The certificate chain does not end with a self-signed root certificate.',
    );
  }
}
