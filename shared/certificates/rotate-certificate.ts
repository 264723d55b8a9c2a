/**
 * The rotation of one certificate, as a recorded state machine:
 * planned (new key + CSR) -> issued (IssueCertificate with an idempotency token) -> verified
 * (GetCertificate with backoff; chain to the CA and names checked) -> delivered (ACM re-import,
 * new secret version, or a new ACM certificate plus a mesh write of the reference) ->
 * completed (CertificateRotated published). Every step is recorded before the next begins;
 * running again after a crash resumes from the last recorded step, so a certificate is never
 * issued twice and never delivered unverified.
 */
import { createHash } from 'node:crypto';
import type { ListenerTls, MeshResourceOf } from '../domain/mesh';
import { BadRequestError, ConflictError, MeshwardenError } from '../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type {
  CertificateAuthority,
  CertificateBundle,
  CertificateStore,
  ChatNotifier,
  EventPublisher,
  MeshProvider,
  RotationStore,
} from '../ports';
import type { CaDirectory } from './ca-directory';
import type { HandshakeWorld } from './handshake';
import { refuseIssuedRenewal } from './handshake-guard';
import { createKeyAndCsr } from './key-and-csr';
import { parseCertificate } from './pem';
import type { RotationPlan } from './plan';
import { isFinished, type RotationRecord, rotationKey } from './records';
import { retryThrottled } from './retry';
import { verifyIssued } from './verify';

export interface RotationDeps {
  readonly ca: CertificateAuthority;
  readonly cas: CaDirectory;
  readonly store: CertificateStore;
  readonly rotations: RotationStore;
  readonly meshes: MeshProvider;
  readonly publisher: EventPublisher;
  readonly notifier: ChatNotifier;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly newId: () => string;
  /** Wait before the first GetCertificate: AWS Private CA needs a moment to sign. Default 250 ms. */
  readonly firstPollDelayMs?: number;
  /** Give up waiting for a certificate after this long (it stays recorded as issued). Default 60 s. */
  readonly issueTimeoutMs?: number;
}

export type RotationOutcome = 'rotated' | 'refused' | 'busy';

export interface RotationResult {
  readonly id: string;
  readonly meshName: string;
  readonly outcome: RotationOutcome;
  readonly reason: string;
  /** The step a crashed earlier run had reached, when this run resumed it. */
  readonly resumedFrom?: RotationRecord['status'];
  readonly certificateArn?: string;
  readonly notAfter?: string;
}

/** A rotation step failed in a way a retry will not fix: refuse and report. */
class Refusal extends MeshwardenError {}

/** App Mesh client tokens: at most 36 letters, digits, hyphens, underscores. */
function clientToken(...parts: string[]): string {
  return `mw-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32)}`;
}

async function save(
  deps: RotationDeps,
  record: RotationRecord,
  change: Partial<RotationRecord>,
): Promise<RotationRecord> {
  const next = { ...record, ...change, version: record.version + 1, updatedAt: deps.now().toISOString() };
  await deps.rotations.put(rotationKey(record.locationId), next);
  return next;
}

async function begin(
  deps: RotationDeps,
  plan: Extract<RotationPlan, { action: 'rotate' }>,
  meshName: string,
  previous: RotationRecord | undefined,
  rolloverId: string | undefined,
): Promise<RotationRecord> {
  const { privateKeyPem, csrPem } = await createKeyAndCsr(plan.rule.keyAlgorithm, plan.sans);
  const rotationId = deps.newId();
  const now = deps.now().toISOString();
  const record: RotationRecord = {
    version: (previous?.version ?? 0) + 1,
    rotationId,
    locationId: plan.entry.id,
    location: plan.location,
    meshName,
    status: 'planned',
    reason: plan.reason,
    caArn: plan.caArn,
    ...(plan.entry.issuingCaArn === undefined ? {} : { previousCaArn: plan.entry.issuingCaArn }),
    sans: plan.sans,
    delivery: plan.delivery,
    templateArn: plan.rule.templateArn,
    validityDays: plan.rule.validityDays,
    // ACM PCA takes up to 64 characters; a fresh token per rotation, reused by every retry of it.
    idempotencyToken: createHash('sha256').update(rotationId).digest('hex').slice(0, 36),
    csrPem,
    privateKeyPem,
    startedAt: now,
    updatedAt: now,
    ...(rolloverId ? { rolloverId } : {}),
  };
  await deps.rotations.put(rotationKey(record.locationId), record);
  return record;
}

async function issue(deps: RotationDeps, record: RotationRecord): Promise<RotationRecord> {
  const state = await deps.cas.get(record.caArn);
  if (state === undefined) throw new Refusal(`the issuing CA ${record.caArn} does not exist`);
  if (state.status !== 'ACTIVE')
    throw new Refusal(`the issuing CA ${record.caArn} is ${state.status}, not ACTIVE`);
  const wantedEnd = deps.now().getTime() + record.validityDays * 86_400_000;
  if (Date.parse(state.notAfter) <= deps.now().getTime())
    throw new Refusal(`the issuing CA ${record.caArn} expired at ${state.notAfter}`);
  if (Date.parse(state.notAfter) < wantedEnd)
    throw new Refusal(
      `the issuing CA ${record.caArn} expires at ${state.notAfter}, before a ${record.validityDays}-day certificate would; renew the CA or shorten validityDays`,
    );
  let issuedArn: string;
  try {
    issuedArn = await retryThrottled(
      () =>
        deps.ca.issue({
          caArn: record.caArn,
          csrPem: record.csrPem,
          signingAlgorithm: state.signingAlgorithm,
          templateArn: record.templateArn,
          validityDays: record.validityDays,
          idempotencyToken: record.idempotencyToken,
        }),
      deps.sleep,
    );
  } catch (error) {
    if (error instanceof BadRequestError)
      throw new Refusal(`the CA refused the request: ${error.message}`, { cause: error });
    throw error;
  }
  return save(deps, record, { status: 'issued', issuedArn });
}

async function fetchAndVerify(deps: RotationDeps, record: RotationRecord): Promise<RotationRecord> {
  const issuedArn = record.issuedArn ?? '';
  const deadline = deps.now().getTime() + (deps.issueTimeoutMs ?? 60_000);
  let delay = deps.firstPollDelayMs ?? 250;
  let issued: { certificatePem: string; chainPem: string } | undefined;
  for (;;) {
    await deps.sleep(delay);
    issued = await retryThrottled(() => deps.ca.fetch(record.caArn, issuedArn), deps.sleep);
    if (issued !== undefined) break;
    if (deps.now().getTime() > deadline)
      throw new MeshwardenError(
        `certificate ${issuedArn} was still being issued after the wait; the next run resumes`,
      );
    delay = Math.min(delay * 2, 2000);
  }
  const state = await deps.cas.get(record.caArn);
  const problem = await verifyIssued({
    certificatePem: issued.certificatePem,
    chainPem: issued.chainPem,
    caCertificatePem: state?.certificatePem ?? '',
    privateKeyPem: record.privateKeyPem ?? '',
    expectedSans: record.sans,
    now: deps.now(),
  });
  if (problem !== undefined)
    throw new Refusal(`the issued certificate ${issuedArn} was not delivered: ${problem}`);
  return save(deps, record, {
    status: 'verified',
    certificatePem: issued.certificatePem,
    chainPem: issued.chainPem,
    notAfter: parseCertificate(issued.certificatePem).notAfter.toISOString(),
  });
}

/** Point every listener that serves `oldArn` at `newArn`: read, change only the reference, write the whole spec. */
async function repoint(
  deps: RotationDeps,
  record: RotationRecord,
  oldArn: string,
  newArn: string,
): Promise<void> {
  const snapshot = await deps.meshes.readMesh(record.meshName);
  const swap = (tls: ListenerTls | undefined): ListenerTls | undefined =>
    tls !== undefined && 'acm' in tls.certificate && tls.certificate.acm.certificateArn === oldArn
      ? { ...tls, certificate: { acm: { certificateArn: newArn } } }
      : tls;
  const holders: (MeshResourceOf<'virtual-node'> | MeshResourceOf<'virtual-gateway'>)[] = [
    ...snapshot.virtualNodes,
    ...snapshot.virtualGateways,
  ];
  for (const resource of holders) {
    const listeners = resource.spec.listeners ?? [];
    if (!listeners.some((l) => swap(l.tls) !== l.tls)) continue;
    const spec = { ...resource.spec, listeners: listeners.map((l) => ({ ...l, tls: swap(l.tls) })) };
    const token = clientToken(record.rotationId, resource.kind, resource.name);
    await retryThrottled(
      () =>
        deps.meshes.update({ ...resource, spec } as typeof resource, {
          clientToken: token,
          ownWrite: { purpose: 'rotation', cause: record.rotationId },
          basedOn: resource.spec,
        }),
      deps.sleep,
    );
  }
}

async function deliver(deps: RotationDeps, record: RotationRecord): Promise<RotationRecord> {
  const bundle: CertificateBundle = {
    certificatePem: record.certificatePem ?? '',
    chainPem: record.chainPem ?? '',
    privateKeyPem: record.privateKeyPem ?? '',
  };
  if (record.delivery === 'import-new' && record.location.kind === 'acm') {
    const oldArn = record.location.arn;
    let newArn = record.newCertificateArn;
    if (newArn === undefined) {
      newArn = await retryThrottled(
        () => deps.store.importNew(bundle, { issuingCaArn: record.caArn }),
        deps.sleep,
      );
      // Recorded before the mesh write, so a crash here never imports a second copy.
      record = await save(deps, record, { newCertificateArn: newArn });
    }
    await repoint(deps, record, oldArn, newArn);
    return save(deps, record, { status: 'delivered', privateKeyPem: undefined });
  }
  const { versionId } = await retryThrottled(
    () =>
      deps.store.deliver(record.location, bundle, {
        token: record.rotationId,
        // Tag the issuer only when it changes: a same-CA rotation keeps the tag it has.
        ...(record.previousCaArn === record.caArn ? {} : { issuingCaArn: record.caArn }),
      }),
    deps.sleep,
  );
  return save(deps, record, {
    status: 'delivered',
    privateKeyPem: undefined,
    ...(versionId ? { versionId } : {}),
  });
}

function locationText(record: RotationRecord): string {
  return record.location.kind === 'acm' ? record.location.arn : `secret ${record.location.name}`;
}

async function complete(deps: RotationDeps, record: RotationRecord): Promise<RotationRecord> {
  const certificateArn =
    record.newCertificateArn ?? (record.location.kind === 'acm' ? record.location.arn : undefined);
  await deps.publisher.publish([
    {
      detailType: MESHWARDEN_DETAIL_TYPES.certificateRotated,
      detail: {
        meshName: record.meshName,
        rotationId: record.rotationId,
        location: record.location,
        delivery: record.delivery,
        // Envoy reads file and SDS certificates once: the deploy pipeline restarts it for these.
        envoyRestartRequired: record.delivery === 'secret',
        ...(record.versionId ? { secretVersionId: record.versionId } : {}),
        ...(certificateArn ? { certificateArn } : {}),
        issuingCaArn: record.caArn,
        issuedCertificateArn: record.issuedArn,
        sans: record.sans,
        notAfter: record.notAfter,
        reason: record.reason,
      },
      resources: certificateArn ? [certificateArn] : [],
    },
  ]);
  await deps.notifier.notify({
    meshName: record.meshName,
    kind: 'rotation',
    title: `Rotated the certificate for ${record.sans.join(', ')}`,
    text: `${locationText(record)} now holds a certificate from ${record.caArn}, valid until ${record.notAfter}. Reason: ${record.reason}.`,
    fields: { delivery: record.delivery, ...(certificateArn ? { certificate: certificateArn } : {}) },
  });
  return save(deps, record, { status: 'completed', chainPem: undefined, csrPem: '' });
}

async function refuse(deps: RotationDeps, record: RotationRecord, why: string): Promise<RotationRecord> {
  const refused = await save(deps, record, { status: 'refused', refusal: why, privateKeyPem: undefined });
  await deps.publisher.publish([
    {
      detailType: MESHWARDEN_DETAIL_TYPES.certificateRotationRefused,
      detail: {
        meshName: record.meshName,
        rotationId: record.rotationId,
        location: record.location,
        reason: why,
      },
      resources: record.location.kind === 'acm' ? [record.location.arn] : [],
    },
  ]);
  await deps.notifier.notify({
    meshName: record.meshName,
    kind: 'rotation',
    title: `Did not rotate the certificate for ${record.sans.join(', ')}`,
    text: `${locationText(record)} keeps its current certificate: ${why}`,
  });
  return refused;
}

/**
 * Rotate (or resume rotating) one certificate. Throws on transient failures (throttling, a
 * store write that failed): the record stays at the last step, and the next run resumes.
 * ConflictError from the store means another run is at it: reported as `busy`.
 */
export async function rotateCertificate(
  deps: RotationDeps,
  plan: RotationPlan,
  meshName: string,
  options: {
    readonly rolloverId?: string;
    /** The mesh's handshakes: a certificate that would break one that works is not delivered. */
    readonly handshake?: HandshakeWorld;
  } = {},
): Promise<RotationResult> {
  const id = plan.entry.id;
  const previous = await deps.rotations.get<RotationRecord>(rotationKey(id));
  const resuming = previous !== undefined && !isFinished(previous.status);
  let record: RotationRecord;
  try {
    if (resuming) record = previous;
    else if (plan.action === 'rotate')
      record = await begin(deps, plan, meshName, previous, options.rolloverId);
    else return { id, meshName, outcome: 'busy', reason: 'its rotation finished meanwhile' };
  } catch (error) {
    if (error instanceof ConflictError)
      return { id, meshName, outcome: 'busy', reason: 'another run is rotating it' };
    throw error;
  }
  try {
    if (record.status === 'planned') record = await issue(deps, record);
    if (record.status === 'issued') record = await fetchAndVerify(deps, record);
    if (record.status === 'verified') {
      const breaks = options.handshake && refuseIssuedRenewal(options.handshake, record, deps.now());
      if (breaks) throw new Refusal(breaks);
      record = await deliver(deps, record);
    }
    if (record.status === 'delivered') record = await complete(deps, record);
  } catch (error) {
    if (error instanceof ConflictError)
      return { id, meshName, outcome: 'busy', reason: 'another run is rotating it' };
    if (!(error instanceof Refusal)) throw error;
    await refuse(deps, record, error.message);
    return {
      id,
      meshName,
      outcome: 'refused',
      reason: error.message,
      ...(resuming ? { resumedFrom: previous.status } : {}),
    };
  }
  const certificateArn =
    record.newCertificateArn ?? (record.location.kind === 'acm' ? record.location.arn : undefined);
  return {
    id,
    meshName,
    outcome: 'rotated',
    reason: record.reason,
    ...(resuming ? { resumedFrom: previous.status } : {}),
    ...(certificateArn ? { certificateArn } : {}),
    ...(record.notAfter ? { notAfter: record.notAfter } : {}),
  };
}
