/**
 * The rotation of one certificate, as a recorded state machine:
 * planned (new key + CSR; none for an ACM private certificate, whose key ACM makes) -> issued
 * (IssueCertificate with an idempotency token; for an ACM private certificate RenewCertificate
 * or RequestCertificate) -> verified (GetCertificate with backoff; chain to the CA and names
 * checked) -> delivered (ACM re-import, new secret version, nothing for an in-place ACM
 * renewal, or a mesh write moving the listeners to a new ACM private certificate) ->
 * completed (CertificateRotated published). Every step is recorded before the next begins;
 * running again after a crash resumes from the last recorded step, so a certificate is never
 * issued twice and never delivered unverified.
 */
import { createHash } from 'node:crypto';
import { BadRequestError, ConflictError, MeshwardenError } from '../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type {
  AcmPrivateCertificates,
  CertificateAuthority,
  CertificateBundle,
  CertificateStore,
  ChatNotifier,
  EventPublisher,
  MeshProvider,
  PendingKeyRef,
  PendingKeyVault,
  RotationStore,
} from '../ports';
import type { ListenerTls, MeshResourceOf } from '../providers/appmesh/model';
import {
  ACM_PRIVATE_VALIDITY_DAYS,
  askAcm,
  awaitAcmCertificate,
  isAcmManaged,
  Refusal,
} from './acm-private-steps';
import type { CaDirectory } from './ca-directory';
import type { HandshakeWorld } from './handshake';
import { refuseIssuedRenewal } from './handshake-guard';
import { createKeyAndCsr } from './key-and-csr';
import { parseCertificate } from './pem';
import type { RotationPlan } from './plan';
import { isFinished, type RotationRecord, rotationKey } from './records';
import { retryThrottled } from './retry';
import { rememberSuperseded } from './superseded';
import { verifyIssued } from './verify';

export interface RotationDeps {
  readonly ca: CertificateAuthority;
  readonly cas: CaDirectory;
  readonly store: CertificateStore;
  /** ACM private certificates: renewed or requested through ACM, never imported. */
  readonly acmPrivate: AcmPrivateCertificates;
  readonly rotations: RotationStore;
  /** Where the new private key waits, sealed, until delivery. */
  readonly pendingKeys: PendingKeyVault;
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
  /** How long a new private key may wait for delivery before its rotation is abandoned. Default 7 days. */
  readonly pendingKeyLifetimeMs?: number;
}

/**
 * A week of daily runs (and their retries) to finish a rotation; after that its private key is
 * gone, the rotation is refused as abandoned, and the next run starts a fresh one.
 */
export const PENDING_KEY_LIFETIME_MS = 7 * 86_400_000;

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

/** App Mesh client tokens: at most 36 letters, digits, hyphens, underscores. */
function clientToken(...parts: string[]): string {
  return `mw-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32)}`;
}

function pendingKeyOf(record: Pick<RotationRecord, 'locationId' | 'rotationId'>): PendingKeyRef {
  return { recordKey: rotationKey(record.locationId), rotationId: record.rotationId };
}

/** The rotation's private key; a key that is gone or cannot be opened ends the rotation. */
async function openPendingKey(deps: RotationDeps, record: RotationRecord): Promise<string> {
  let privateKeyPem: string | undefined;
  try {
    privateKeyPem = await deps.pendingKeys.open(pendingKeyOf(record));
  } catch (error) {
    if (error instanceof BadRequestError)
      throw new Refusal(`its pending private key cannot be opened: ${error.message}`, { cause: error });
    throw error;
  }
  if (privateKeyPem === undefined)
    throw new Refusal(
      'the rotation was abandoned: its private key expired before delivery (the rotation stalled); the next run starts a new one',
    );
  return privateKeyPem;
}

async function save(
  deps: RotationDeps,
  record: RotationRecord,
  change: Partial<RotationRecord>,
): Promise<RotationRecord> {
  // A record written when keys were kept in it loses that plaintext on its next step.
  const { privateKeyPem: _plaintext, ...current } = record as RotationRecord & { privateKeyPem?: string };
  const next = { ...current, ...change, version: record.version + 1, updatedAt: deps.now().toISOString() };
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
  // ACM makes and keeps the key of an ACM private certificate: no key, no CSR here.
  const acmManaged = plan.delivery === 'acm-renew' || plan.delivery === 'acm-request';
  const { privateKeyPem, csrPem } = acmManaged
    ? { privateKeyPem: undefined, csrPem: '' }
    : await createKeyAndCsr(plan.rule.keyAlgorithm, plan.sans);
  const rotationId = deps.newId();
  // A finished rotation's key is gone already; a superseded one must not outlive it either.
  if (previous !== undefined) await deps.pendingKeys.discard(pendingKeyOf(previous));
  const pendingKey = pendingKeyOf({ locationId: plan.entry.id, rotationId });
  if (privateKeyPem !== undefined)
    await deps.pendingKeys.keep(
      pendingKey,
      privateKeyPem,
      new Date(deps.now().getTime() + (deps.pendingKeyLifetimeMs ?? PENDING_KEY_LIFETIME_MS)),
    );
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
    validityDays: acmManaged ? ACM_PRIVATE_VALIDITY_DAYS : plan.rule.validityDays,
    ...(plan.delivery === 'acm-request' ? { keyAlgorithm: plan.rule.keyAlgorithm } : {}),
    ...(plan.entry.facts ? { replacedNotAfter: plan.entry.facts.notAfter } : {}),
    // ACM PCA takes up to 64 characters; a fresh token per rotation, reused by every retry of it.
    idempotencyToken: createHash('sha256').update(rotationId).digest('hex').slice(0, 36),
    csrPem,
    startedAt: now,
    updatedAt: now,
    ...(rolloverId ? { rolloverId } : {}),
  };
  try {
    await deps.rotations.put(rotationKey(record.locationId), record);
  } catch (error) {
    // The record was not written (another run began first, or the write failed): the key is unused.
    await deps.pendingKeys.discard(pendingKey);
    throw error;
  }
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
  if (isAcmManaged(record)) return save(deps, record, { status: 'issued', ...(await askAcm(deps, record)) });
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

async function fetchFromPca(
  deps: RotationDeps,
  record: RotationRecord,
): Promise<{ certificatePem: string; chainPem: string }> {
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
  return issued;
}

async function fetchAndVerify(deps: RotationDeps, record: RotationRecord): Promise<RotationRecord> {
  const issuedArn = record.issuedArn ?? '';
  const issued = isAcmManaged(record)
    ? await awaitAcmCertificate(deps, record)
    : await fetchFromPca(deps, record);
  const state = await deps.cas.get(record.caArn);
  let problem = await verifyIssued({
    certificatePem: issued.certificatePem,
    chainPem: issued.chainPem,
    caCertificatePem: state?.certificatePem ?? '',
    ...(isAcmManaged(record) ? {} : { privateKeyPem: await openPendingKey(deps, record) }),
    expectedSans: record.sans,
    now: deps.now(),
  });
  const notAfter = (await parseCertificate(issued.certificatePem)).notAfter;
  if (
    problem === undefined &&
    record.delivery === 'acm-renew' &&
    record.replacedNotAfter !== undefined &&
    notAfter.getTime() <= Date.parse(record.replacedNotAfter)
  )
    problem = `ACM still holds a certificate ending ${notAfter.toISOString()}, not a renewed one`;
  if (problem !== undefined)
    throw new Refusal(`the issued certificate ${issuedArn} was not delivered: ${problem}`);
  return save(deps, record, {
    status: 'verified',
    certificatePem: issued.certificatePem,
    chainPem: issued.chainPem,
    notAfter: notAfter.toISOString(),
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

/** Note the certificate the listeners left, so it is deleted once its grace period has passed. */
function supersede(deps: RotationDeps, record: RotationRecord, oldArn: string, newArn: string) {
  return rememberSuperseded(deps.rotations, record.meshName, {
    arn: oldArn,
    replacedBy: newArn,
    rotationId: record.rotationId,
    supersededAt: deps.now().toISOString(),
  });
}

async function deliver(deps: RotationDeps, record: RotationRecord): Promise<RotationRecord> {
  // ACM renewed it under the same ARN: the listeners already name it, Envoy exports the new one.
  if (record.delivery === 'acm-renew') return save(deps, record, { status: 'delivered' });
  if (record.delivery === 'acm-request' && record.location.kind === 'acm') {
    const newArn = record.newCertificateArn ?? '';
    await repoint(deps, record, record.location.arn, newArn);
    await supersede(deps, record, record.location.arn, newArn);
    return save(deps, record, { status: 'delivered' });
  }
  const bundle: CertificateBundle = {
    certificatePem: record.certificatePem ?? '',
    chainPem: record.chainPem ?? '',
    privateKeyPem: await openPendingKey(deps, record),
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
    await supersede(deps, record, oldArn, newArn);
    return delivered(deps, record, {});
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
  return delivered(deps, record, versionId ? { versionId } : {});
}

/** Record the delivery, then drop the key: the certificate store holds it now. */
async function delivered(
  deps: RotationDeps,
  record: RotationRecord,
  change: Partial<RotationRecord>,
): Promise<RotationRecord> {
  const next = await save(deps, record, { ...change, status: 'delivered' });
  await deps.pendingKeys.discard(pendingKeyOf(record));
  return next;
}

function locationText(record: RotationRecord): string {
  return record.location.kind === 'acm' ? record.location.arn : `secret ${record.location.name}`;
}

/** What the notice says happened: it names the ARN that holds the new certificate. */
function rotatedText(record: RotationRecord, certificateArn: string | undefined): string {
  const from = `a certificate from ${record.caArn}, valid until ${record.notAfter}`;
  const moved =
    record.newCertificateArn !== undefined && record.location.kind === 'acm'
      ? ` The listeners moved to it from ${record.location.arn}, which is deleted after its grace period.`
      : '';
  const held = certificateArn ?? locationText(record);
  const how = record.delivery === 'acm-renew' ? ' (renewed in place by ACM)' : '';
  return `${held} now holds ${from}${how}.${moved} Reason: ${record.reason}.`;
}

async function complete(deps: RotationDeps, record: RotationRecord): Promise<RotationRecord> {
  // Again, for a run that stopped between recording the delivery and dropping the key.
  await deps.pendingKeys.discard(pendingKeyOf(record));
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
    text: rotatedText(record, certificateArn),
    fields: {
      delivery: record.delivery,
      ...(certificateArn ? { certificate: certificateArn } : {}),
      ...(record.newCertificateArn && record.location.kind === 'acm'
        ? { replaced: record.location.arn }
        : {}),
    },
  });
  return save(deps, record, { status: 'completed', chainPem: undefined, csrPem: '' });
}

async function refuse(deps: RotationDeps, record: RotationRecord, why: string): Promise<RotationRecord> {
  const refused = await save(deps, record, { status: 'refused', refusal: why });
  await deps.pendingKeys.discard(pendingKeyOf(record));
  // A requested certificate no listener moved to is cleaned up like a replaced one.
  if (record.delivery === 'acm-request' && record.newCertificateArn && record.location.kind === 'acm')
    await supersede(deps, record, record.newCertificateArn, record.location.arn);
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
    // A resumed rotation whose key is gone ends before it asks the CA for anything.
    if (resuming && record.status !== 'delivered' && !isAcmManaged(record))
      await openPendingKey(deps, record);
    if (record.status === 'planned') record = await issue(deps, record);
    if (record.status === 'issued') record = await fetchAndVerify(deps, record);
    if (record.status === 'verified') {
      const breaks = options.handshake && (await refuseIssuedRenewal(options.handshake, record, deps.now()));
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
