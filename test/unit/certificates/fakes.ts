/**
 * In-memory doubles of the certificate ports with a real signing CA (@peculiar/x509 and
 * WebCrypto), so verification runs on real certificates. Faults are set per test.
 */

import { webcrypto } from 'node:crypto';
import { InProcessPendingKeyVault } from '../../../infra/cli/in-process-key-vault';
import { CaDirectory } from '../../../shared/certificates/ca-directory';
import { factsOf, parseCertificate } from '../../../shared/certificates/pem';
import type { SweepDeps } from '../../../shared/certificates/sweep';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import {
  BadRequestError,
  ConflictError,
  MeshwardenError,
  NotFoundError,
  ThrottledError,
} from '../../../shared/errors';
import type { ApprovalDecidedDetail } from '../../../shared/events/approvals';
import type { CompiledPolicy } from '../../../shared/policy/compile';
import { parsePolicy } from '../../../shared/policy/load';
import type {
  AcmCertificateState,
  AcmPrivateCertificates,
  CertificateAuthority,
  CertificateAuthorityState,
  CertificateBundle,
  CertificateLocation,
  CertificateStore,
  ChatNotifier,
  DomainEvent,
  EventPublisher,
  IssueCertificateRequest,
  MeshProvider,
  Notification,
  PrivateCertificateRequest,
  RotationStore,
  StoredCertificate,
  VersionedRecord,
} from '../../../shared/ports';
import type { MeshResourceOf } from '../../../shared/providers/appmesh/model';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  type X509Certificate,
  X509CertificateGenerator,
} from '../../../shared/x509';
import { MemoryApprovalStore, pendingApproval } from '../approvals/support';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export const CA_ARN =
  'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/11111111-1111-1111-1111-111111111111';
export const NEXT_CA_ARN =
  'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/22222222-2222-2222-2222-222222222222';
export const WEB_CERT = 'arn:aws:acm:us-east-1:000000000000:certificate/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
export const GW_CERT = 'arn:aws:acm:us-east-1:000000000000:certificate/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
export const PAYMENTS_SECRET = 'meshwarden/certificates/payments';

type Keys = webcrypto.CryptoKeyPair;

/** A CA that really signs. */
export class SigningCa {
  private constructor(
    readonly arn: string,
    readonly keys: Keys,
    readonly certificate: X509Certificate,
  ) {}

  static async create(arn: string, name: string, now = new Date()): Promise<SigningCa> {
    const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as Keys;
    const certificate = await X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: `CN=${name}`,
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 3650 * DAY),
      keys: keys as never,
      signingAlgorithm: EC,
      extensions: [
        new BasicConstraintsExtension(true, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      ],
    });
    return new SigningCa(arn, keys, certificate);
  }

  get pem(): string {
    return `${this.certificate.toString('pem')}\n`;
  }

  /** Sign a public key for names, valid from notBefore to notAfter. */
  async sign(
    publicKey: webcrypto.CryptoKey,
    names: readonly string[],
    notBefore: Date,
    notAfter: Date,
  ): Promise<string> {
    const cert = await X509CertificateGenerator.create({
      serialNumber: Math.floor(Math.random() * 1e12)
        .toString(16)
        .padStart(2, '0'),
      subject: `CN=${names[0] ?? 'x'}`,
      issuer: this.certificate.subject,
      notBefore,
      notAfter,
      publicKey: publicKey as never,
      signingKey: this.keys.privateKey as never,
      signingAlgorithm: EC,
      extensions: [
        new SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
      ],
    });
    return `${cert.toString('pem')}\n`;
  }

  /** A leaf with a fresh key (for seeding stores): certificate and key PEM. */
  async leaf(names: readonly string[], notBefore: Date, notAfter: Date): Promise<CertificateBundle> {
    const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as Keys;
    const certificatePem = await this.sign(keys.publicKey, names, notBefore, notAfter);
    const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    return { certificatePem, chainPem: this.pem, privateKeyPem };
  }
}

/** Faults a test can set on the fake CA. */
export interface CaFaults {
  /** Answer "still signing" this many times per certificate before returning it. */
  inProgress?: number;
  /** Throw ThrottledError on this many calls (any operation) before answering. */
  throttle?: number;
  /** Issue for these names instead of the CSR's (a CA that issues the wrong SAN). */
  wrongSans?: readonly string[];
  /** Refuse every CSR as malformed. */
  rejectCsr?: boolean;
  /** Report the CA in this status. */
  status?: string;
  /** Report the CA certificate expiring at this time. */
  notAfter?: Date;
  /** Throw once from issue, after the certificate was made (a crash between issue and record). */
  crashAfterIssue?: boolean;
}

export class FakeCa implements CertificateAuthority {
  readonly calls: string[] = [];
  readonly issued = new Map<string, { pem: string; ca: string; polls: number }>();
  readonly tokens = new Map<string, string>();
  faults: CaFaults = {};

  constructor(
    private readonly cas: Map<string, SigningCa>,
    private readonly now: () => Date,
  ) {}

  private async maybeThrottle(op: string): Promise<void> {
    this.calls.push(op);
    if ((this.faults.throttle ?? 0) > 0) {
      this.faults.throttle = (this.faults.throttle ?? 0) - 1;
      throw new ThrottledError(`${op} throttled`);
    }
  }

  private ca(arn: string): SigningCa {
    const ca = this.cas.get(arn);
    if (ca === undefined) throw new NotFoundError(`CA ${arn} not found`);
    return ca;
  }

  async describe(caArn: string): Promise<CertificateAuthorityState> {
    await this.maybeThrottle('describe');
    const ca = this.ca(caArn);
    return {
      arn: caArn,
      status: this.faults.status ?? 'ACTIVE',
      signingAlgorithm: 'SHA256WITHECDSA',
      certificatePem: ca.pem,
      notAfter: (this.faults.notAfter ?? ca.certificate.notAfter).toISOString(),
    };
  }

  async issue(request: IssueCertificateRequest): Promise<string> {
    await this.maybeThrottle('issue');
    const ca = this.ca(request.caArn);
    if (this.faults.rejectCsr) throw new BadRequestError('MalformedCSRException: the CSR is malformed');
    const known = this.tokens.get(`${request.caArn}|${request.idempotencyToken}`);
    if (known !== undefined) return known;
    const csr = new Pkcs10CertificateRequest(request.csrPem);
    const raw = csr.getExtension('2.5.29.17');
    const san = raw === null ? undefined : new SubjectAlternativeNameExtension(raw.rawData);
    const names = this.faults.wrongSans ?? san?.names.items.map((n) => n.value) ?? [];
    const publicKey = await csr.publicKey.export();
    const now = this.now();
    const pem = await ca.sign(
      publicKey,
      names,
      new Date(now.getTime() - 3_600_000),
      new Date(now.getTime() + request.validityDays * DAY),
    );
    const arn = `${request.caArn}/certificate/${this.issued.size + 1}`;
    this.issued.set(arn, { pem, ca: request.caArn, polls: 0 });
    this.tokens.set(`${request.caArn}|${request.idempotencyToken}`, arn);
    if (this.faults.crashAfterIssue) {
      this.faults.crashAfterIssue = false;
      throw new MeshwardenError('the process died after IssueCertificate');
    }
    return arn;
  }

  async fetch(caArn: string, certificateArn: string) {
    await this.maybeThrottle('fetch');
    const issued = this.issued.get(certificateArn);
    if (issued === undefined || issued.ca !== caArn) throw new NotFoundError(`${certificateArn} not found`);
    issued.polls += 1;
    if (issued.polls <= (this.faults.inProgress ?? 0)) return undefined;
    return { certificatePem: issued.pem, chainPem: this.ca(caArn).pem };
  }
}

/** ACM and secrets in memory. */
export class FakeStore implements CertificateStore {
  readonly acm = new Map<
    string,
    {
      bundle: CertificateBundle;
      origin: StoredCertificate['origin'];
      issuingCaArn?: string;
      /** ACM private certificates: RenewalEligibility (default eligible). */
      renewable?: boolean;
      renewal?: { status: string; updatedAt: string; reason?: string };
    }
  >();
  readonly secrets = new Map<
    string,
    { versions: { id: string; bundle: CertificateBundle; token: string }[] }
  >();
  readonly deliveries: string[] = [];
  /** Fail this many deliveries before accepting. */
  failDeliveries = 0;
  /** Throw after a delivery succeeded (a crash between delivery and its record). */
  crashAfterDelivery = false;

  async describe(location: CertificateLocation): Promise<StoredCertificate | undefined> {
    const held =
      location.kind === 'acm' ? this.acm.get(location.arn) : this.secrets.get(location.name)?.versions.at(-1);
    if (held === undefined) return undefined;
    const facts = factsOf(await parseCertificate(held.bundle.certificatePem));
    const extra = location.kind === 'acm' ? this.acm.get(location.arn) : undefined;
    return {
      location,
      ...facts,
      origin: extra?.origin ?? 'secret',
      ...(extra?.issuingCaArn ? { issuingCaArn: extra.issuingCaArn } : {}),
      ...(extra?.origin === 'acm-private' ? { renewalEligible: extra.renewable ?? true } : {}),
      inUseBy: [],
    };
  }

  async deliver(
    location: CertificateLocation,
    bundle: CertificateBundle,
    options: { token: string; issuingCaArn: string },
  ) {
    if (this.failDeliveries > 0) {
      this.failDeliveries -= 1;
      throw new MeshwardenError('Secrets Manager PutSecretValue failed: InternalServiceError');
    }
    this.deliveries.push(location.kind === 'acm' ? location.arn : location.name);
    let versionId: string | undefined;
    if (location.kind === 'acm') {
      const held = this.acm.get(location.arn);
      if (held?.origin === 'acm-private')
        throw new BadRequestError('only imported certificates can be reimported');
      this.acm.set(location.arn, { bundle, origin: 'acm-imported' });
    } else {
      const secret = this.secrets.get(location.name) ?? { versions: [] };
      const same = secret.versions.find((v) => v.token === options.token);
      versionId = same?.id ?? `v${secret.versions.length + 1}`;
      if (same === undefined) secret.versions.push({ id: versionId, bundle, token: options.token });
      this.secrets.set(location.name, secret);
    }
    if (this.crashAfterDelivery) {
      this.crashAfterDelivery = false;
      throw new MeshwardenError('the process died after delivering');
    }
    return versionId ? { versionId } : {};
  }

  async importNew(bundle: CertificateBundle): Promise<string> {
    const arn = `arn:aws:acm:us-east-1:000000000000:certificate/new-${this.acm.size}`;
    this.acm.set(arn, { bundle, origin: 'acm-imported' });
    this.deliveries.push(arn);
    return arn;
  }
}

/** Faults a test can set on fake ACM's private certificates. */
export interface AcmFaults {
  /** Fail every renewal with this reason (RenewalSummary FAILED). */
  failRenewal?: string;
  /** Fail every request with this reason (Status FAILED). */
  failRequest?: string;
  /** ACM reports these certificates in use (InUseBy). */
  inUse?: Record<string, string[]>;
}

/** ACM private certificates over the fake store's ACM map, signed by the fake CAs. */
export class FakeAcmPrivate implements AcmPrivateCertificates {
  readonly calls: string[] = [];
  readonly deleted: string[] = [];
  private readonly tokens = new Map<string, string>();
  private readonly failed = new Map<string, string>();
  faults: AcmFaults = {};

  constructor(
    private readonly store: FakeStore,
    private readonly cas: Map<string, SigningCa>,
    private readonly now: () => Date,
  ) {}

  private async names(pem: string): Promise<string[]> {
    const facts = factsOf(await parseCertificate(pem));
    return [...facts.sans];
  }

  async state(arn: string): Promise<AcmCertificateState | undefined> {
    this.calls.push(`state ${arn}`);
    const held = this.store.acm.get(arn);
    if (held === undefined) return undefined;
    const reason = this.failed.get(arn);
    const notAfter = (await parseCertificate(held.bundle.certificatePem)).notAfter.toISOString();
    return {
      arn,
      type: held.origin === 'acm-private' ? 'PRIVATE' : 'IMPORTED',
      status: reason === undefined ? 'ISSUED' : 'FAILED',
      ...(reason === undefined ? {} : { failureReason: reason }),
      ...(held.issuingCaArn ? { certificateAuthorityArn: held.issuingCaArn } : {}),
      notAfter,
      ...(held.renewal ? { renewal: held.renewal } : {}),
      inUseBy: this.faults.inUse?.[arn] ?? [],
    };
  }

  private async signFor(caArn: string, names: readonly string[]): Promise<CertificateBundle> {
    const ca = this.cas.get(caArn);
    if (ca === undefined) throw new NotFoundError(`CA ${caArn} not found`);
    const now = this.now();
    return ca.leaf(names, new Date(now.getTime() - 60_000), new Date(now.getTime() + 395 * DAY));
  }

  async renew(arn: string): Promise<void> {
    this.calls.push(`renew ${arn}`);
    const held = this.store.acm.get(arn);
    if (held === undefined) throw new NotFoundError(`${arn} not found`);
    if (held.origin !== 'acm-private') throw new BadRequestError(`${arn} is not a private certificate`);
    const updatedAt = this.now().toISOString();
    if (this.faults.failRenewal !== undefined) {
      held.renewal = { status: 'FAILED', updatedAt, reason: this.faults.failRenewal };
      return;
    }
    held.bundle = await this.signFor(held.issuingCaArn ?? '', await this.names(held.bundle.certificatePem));
    held.renewal = { status: 'SUCCESS', updatedAt };
  }

  async request(request: PrivateCertificateRequest): Promise<string> {
    this.calls.push(`request ${request.names.join(',')} from ${request.caArn}`);
    const known = this.tokens.get(request.idempotencyToken);
    if (known !== undefined) return known;
    const arn = `arn:aws:acm:us-east-1:000000000000:certificate/private-${this.tokens.size + 1}`;
    this.tokens.set(request.idempotencyToken, arn);
    this.store.acm.set(arn, {
      bundle: await this.signFor(request.caArn, request.names),
      origin: 'acm-private',
      issuingCaArn: request.caArn,
    });
    if (this.faults.failRequest !== undefined) this.failed.set(arn, this.faults.failRequest);
    return arn;
  }

  async fetch(arn: string) {
    this.calls.push(`fetch ${arn}`);
    const held = this.store.acm.get(arn);
    if (held === undefined) throw new NotFoundError(`${arn} not found`);
    return { certificatePem: held.bundle.certificatePem, chainPem: held.bundle.chainPem };
  }

  async remove(arn: string): Promise<'deleted' | 'in-use' | 'not-found'> {
    this.calls.push(`remove ${arn}`);
    if (!this.store.acm.has(arn)) return 'not-found';
    if ((this.faults.inUse?.[arn] ?? []).length > 0) return 'in-use';
    this.store.acm.delete(arn);
    this.deleted.push(arn);
    return 'deleted';
  }
}

/** Rotation records in memory with the same version conditions as DynamoDB. */
export class FakeRotations implements RotationStore {
  readonly items = new Map<string, VersionedRecord>();
  readonly writes: { key: string; status?: unknown; phase?: unknown }[] = [];
  async get<R extends VersionedRecord>(key: string): Promise<R | undefined> {
    const item = this.items.get(key);
    return item === undefined ? undefined : (structuredClone(item) as R);
  }
  async put<R extends VersionedRecord>(key: string, record: R): Promise<void> {
    const current = this.items.get(key)?.version ?? 0;
    if (record.version !== current + 1)
      throw new ConflictError(`${key}: version ${current}, got ${record.version}`);
    this.items.set(key, structuredClone(record));
    const r = record as unknown as { status?: unknown; phase?: unknown };
    this.writes.push({ key, status: r.status, phase: r.phase });
  }
}

/** A mesh provider over one snapshot: reads return it, updates replace resources in it. */
export class FakeMeshes implements Pick<MeshProvider, 'readMesh' | 'update'> {
  readonly updates: { name: string; clientToken: string }[] = [];
  constructor(public snapshot: MeshSnapshot) {}
  async readMesh(meshName: string): Promise<MeshSnapshot> {
    if (meshName !== this.snapshot.meshName) throw new NotFoundError(`mesh ${meshName} not found`);
    return structuredClone(this.snapshot);
  }
  async update<R>(resource: R, options: { clientToken: string }): Promise<R> {
    const r = resource as unknown as MeshResourceOf<'virtual-node'> | MeshResourceOf<'virtual-gateway'>;
    this.updates.push({ name: r.name, clientToken: options.clientToken });
    if (r.kind === 'virtual-node')
      this.snapshot = {
        ...this.snapshot,
        virtualNodes: this.snapshot.virtualNodes.map((n) => (n.name === r.name ? r : n)),
      };
    else
      this.snapshot = {
        ...this.snapshot,
        virtualGateways: this.snapshot.virtualGateways.map((g) => (g.name === r.name ? r : g)),
      };
    return resource;
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

export class RecordingNotifier implements ChatNotifier {
  readonly notifications: Notification[] = [];
  async notify(notification: Notification): Promise<void> {
    this.notifications.push(notification);
  }
}

function node(
  name: string,
  certificate: MeshResourceOf<'virtual-node'>['spec'],
): MeshResourceOf<'virtual-node'> {
  return { kind: 'virtual-node', meshName: 'prod', name, spec: certificate };
}

/** A small mesh: web-v1 (ACM), payments (file certificate delivered by a secret), a gateway (ACM). */
export function sampleMesh(caArns: readonly string[] = [CA_ARN]): MeshSnapshot {
  const trust = { acm: { certificateAuthorityArns: [...caArns] } };
  const mesh = { kind: 'mesh', meshName: 'prod', name: 'prod', spec: {} } as const;
  return {
    meshName: 'prod',
    takenAt: new Date().toISOString(),
    mesh,
    virtualNodes: [
      node('web-v1', {
        serviceDiscovery: { dns: { hostname: 'web-v1.prod.local' } },
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: WEB_CERT } } },
          },
        ],
        backendDefaults: { clientPolicy: { tls: { enforce: true, validation: { trust } } } },
      }),
      node('payments', {
        serviceDiscovery: { dns: { hostname: 'payments.prod.local' } },
        listeners: [
          {
            portMapping: { port: 8443, protocol: 'http' },
            tls: {
              mode: 'STRICT',
              certificate: {
                file: {
                  certificateChain: '/certs/payments/chain.pem',
                  privateKey: '/certs/payments/key.pem',
                },
              },
            },
          },
        ],
        backends: [
          {
            virtualService: {
              virtualServiceName: 'web.prod.local',
              clientPolicy: { tls: { validation: { trust } } },
            },
          },
        ],
      }),
    ],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [
      {
        kind: 'virtual-gateway',
        meshName: 'prod',
        name: 'ingress-gw',
        spec: {
          listeners: [
            {
              portMapping: { port: 8443, protocol: 'http' },
              tls: { mode: 'STRICT', certificate: { acm: { certificateArn: GW_CERT } } },
            },
          ],
          backendDefaults: { clientPolicy: { tls: { validation: { trust } } } },
        },
      },
    ],
    gatewayRoutes: [],
  };
}

/** A policy for mesh prod with a certificates section (YAML, merged under `certificates:`). */
export function policyWith(certificatesYaml: string): CompiledPolicy {
  const indented = certificatesYaml
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return parsePolicy(
    `version: 1\nmeshes:\n  - mesh: prod\n    changeControl: { default: allow, onViolation: report }\n    certificates:\n${indented}\n`,
    'test.policy.yaml',
  );
}

export const SECRETS_MAPPING = `secrets:\n  - file: /certs/payments/*\n    secret: ${PAYMENTS_SECRET}`;

/** Everything a rotation run needs, over fakes; certificates seeded with `lifetime` (notBefore, notAfter). */
export async function fakeWorld(options: { notBefore: Date; notAfter: Date; now?: Date }) {
  const clock = { now: options.now ?? new Date() };
  const signingCas = new Map<string, SigningCa>([
    [CA_ARN, await SigningCa.create(CA_ARN, 'demo root CA')],
    [NEXT_CA_ARN, await SigningCa.create(NEXT_CA_ARN, 'next root CA')],
  ]);
  const ca = new FakeCa(signingCas, () => clock.now);
  const store = new FakeStore();
  const root = signingCas.get(CA_ARN) as SigningCa;
  store.acm.set(WEB_CERT, {
    bundle: await root.leaf(['web-v1.prod.local'], options.notBefore, options.notAfter),
    origin: 'acm-imported',
  });
  store.acm.set(GW_CERT, {
    bundle: await root.leaf(['gw.example.com'], options.notBefore, options.notAfter),
    origin: 'acm-private',
    issuingCaArn: CA_ARN,
  });
  store.secrets.set(PAYMENTS_SECRET, {
    versions: [
      {
        id: 'v0',
        token: 'seed',
        bundle: await root.leaf(['payments.prod.local'], options.notBefore, options.notAfter),
      },
    ],
  });
  const acmPrivate = new FakeAcmPrivate(store, signingCas, () => clock.now);
  const rotations = new FakeRotations();
  const pendingKeys = new InProcessPendingKeyVault(() => clock.now);
  const meshes = new FakeMeshes(sampleMesh());
  const publisher = new RecordingPublisher();
  const notifier = new RecordingNotifier();
  let ids = 0;
  const deps: SweepDeps = {
    ca,
    cas: new CaDirectory(ca, async () => undefined),
    store,
    acmPrivate,
    rotations,
    pendingKeys,
    meshes: meshes as unknown as MeshProvider,
    publisher,
    notifier,
    now: () => clock.now,
    sleep: async () => undefined,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  };
  return {
    clock,
    signingCas,
    ca,
    store,
    acmPrivate,
    rotations,
    pendingKeys,
    meshes,
    publisher,
    notifier,
    deps,
    fresh: () => ({ ...deps, cas: new CaDirectory(ca, async () => undefined) }),
  };
}

export const DAY_MS = DAY;

/** The signing CA of a fake world, or a failed test. */
export function signingCa(world: { signingCas: Map<string, SigningCa> }, arn: string): SigningCa {
  const ca = world.signingCas.get(arn);
  if (ca === undefined) throw new Error(`no signing CA ${arn}`);
  return ca;
}

/** A person's decision on a rollover's first approval, as the Slack callback publishes it. */
export function rolloverDecision(
  rolloverId: string,
  verdict: ApprovalDecidedDetail['decision'],
  decidedAt: Date,
): ApprovalDecidedDetail {
  return {
    approvalId: `ca-rollover-${rolloverId}`,
    meshName: 'prod',
    action: { type: 'finish-ca-rollover', rolloverId, oldCaArn: CA_ARN, newCaArn: NEXT_CA_ARN },
    decision: verdict,
    decidedBy: { slackUserId: 'U0123', identity: 'priya' },
    decidedAt: decidedAt.toISOString(),
  };
}

/** The approvals store as the Slack callback leaves it once a person decided `detail`. */
export function storeDecided(detail: ApprovalDecidedDetail): MemoryApprovalStore {
  const store = new MemoryApprovalStore();
  void store.create(
    pendingApproval({
      approvalId: detail.approvalId,
      action: detail.action,
      status: detail.decision,
      decidedAt: detail.decidedAt,
      ...(detail.decidedBy === undefined ? {} : { decidedBy: detail.decidedBy }),
    }),
  );
  return store;
}
