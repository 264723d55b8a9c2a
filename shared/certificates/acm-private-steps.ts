/**
 * The issue and wait steps of a rotation for ACM private certificates, the kind an App Mesh
 * listener serves (Envoy fetches it with ACM ExportCertificate, which ACM refuses for imported
 * certificates). ACM holds the key: meshwarden asks ACM to renew the certificate in place
 * (RenewCertificate: same CA, same ARN) or to issue a new private certificate
 * (RequestCertificate with the CA: another CA or other names), then waits until ACM has it.
 */
import { BadRequestError, MeshwardenError } from '../errors';
import type { AcmCertificateState, AcmPrivateCertificates } from '../ports';
import type { RotationRecord } from './records';
import { retryThrottled } from './retry';

/** A rotation step failed in a way a retry will not fix: refuse and report. */
export class Refusal extends MeshwardenError {}

/** ACM private certificates are valid for 13 months; ACM, not the policy, sets it. */
export const ACM_PRIVATE_VALIDITY_DAYS = 395;

export interface AcmStepDeps {
  readonly acmPrivate: AcmPrivateCertificates;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly firstPollDelayMs?: number;
  readonly issueTimeoutMs?: number;
}

/** Is this rotation one ACM carries out (the key stays in ACM)? */
export function isAcmManaged(record: Pick<RotationRecord, 'delivery'>): boolean {
  return record.delivery === 'acm-renew' || record.delivery === 'acm-request';
}

/**
 * ACM reports renewal times to the second: a renewal updated in the second the rotation
 * started or later is this rotation's.
 */
function renewalSince(record: RotationRecord): number {
  return Math.floor(Date.parse(record.startedAt) / 1000) * 1000;
}

/**
 * Has this rotation already asked ACM to renew (it crashed after RenewCertificate)? A renewal
 * updated since the rotation began says so, unless it succeeded without moving the certificate's
 * end past the one this rotation replaces: that is an earlier renewal finished in the same second.
 */
function renewalAskedBy(record: RotationRecord, state: AcmCertificateState): boolean {
  const renewal = state.renewal;
  if (renewal === undefined || Date.parse(renewal.updatedAt) < renewalSince(record)) return false;
  const extended =
    record.replacedNotAfter === undefined ||
    state.notAfter === undefined ||
    Date.parse(state.notAfter) > Date.parse(record.replacedNotAfter);
  return renewal.status !== 'SUCCESS' || extended;
}

/** RequestCertificate idempotency tokens: at most 32 word characters. */
function requestToken(record: RotationRecord): string {
  return record.idempotencyToken.replace(/\W/g, '').slice(0, 32);
}

function refusalOf(error: unknown, what: string): never {
  if (error instanceof BadRequestError) throw new Refusal(`ACM refused to ${what}: ${error.message}`);
  throw error;
}

/**
 * Ask ACM for the new certificate; returns what the `issued` record holds. Safe to run again
 * after a crash: a renewal already asked for since the rotation began is not asked twice, and
 * a repeated request carries the same idempotency token.
 */
export async function askAcm(deps: AcmStepDeps, record: RotationRecord): Promise<Partial<RotationRecord>> {
  if (record.location.kind !== 'acm') throw new Refusal('only an ACM certificate is renewed by ACM');
  const arn = record.location.arn;
  if (record.delivery === 'acm-renew') {
    const state = await retryThrottled(() => deps.acmPrivate.state(arn), deps.sleep);
    if (state === undefined) throw new Refusal(`ACM certificate ${arn} no longer exists`);
    if (!renewalAskedBy(record, state))
      await retryThrottled(() => deps.acmPrivate.renew(arn), deps.sleep).catch((error: unknown) =>
        refusalOf(error, `renew ${arn}`),
      );
    return { issuedArn: arn };
  }
  const newArn =
    record.newCertificateArn ??
    (await retryThrottled(
      () =>
        deps.acmPrivate.request({
          caArn: record.caArn,
          names: record.sans,
          keyAlgorithm: record.keyAlgorithm ?? 'EC_prime256v1',
          idempotencyToken: requestToken(record),
        }),
      deps.sleep,
    ).catch((error: unknown) => refusalOf(error, `issue a private certificate from ${record.caArn}`)));
  return { issuedArn: newArn, newCertificateArn: newArn };
}

/**
 * Wait until ACM holds the new certificate (a renewal that succeeded, a request that was
 * issued), then read it. A renewal or request ACM failed is a refusal with ACM's reason; one
 * still pending at the deadline throws, and the next run resumes the wait.
 */
export async function awaitAcmCertificate(
  deps: AcmStepDeps,
  record: RotationRecord,
): Promise<{ certificatePem: string; chainPem: string }> {
  const arn = record.issuedArn ?? '';
  const deadline = deps.now().getTime() + (deps.issueTimeoutMs ?? 60_000);
  let delay = deps.firstPollDelayMs ?? 250;
  for (;;) {
    await deps.sleep(delay);
    const state = await retryThrottled(() => deps.acmPrivate.state(arn), deps.sleep);
    if (state === undefined) throw new Refusal(`ACM certificate ${arn} no longer exists`);
    let ready: boolean;
    if (record.delivery === 'acm-renew') {
      const renewal = state.renewal;
      const ours = renewal !== undefined && Date.parse(renewal.updatedAt) >= renewalSince(record);
      if (ours && renewal?.status === 'FAILED')
        throw new Refusal(`ACM could not renew ${arn}: ${renewal.reason ?? 'no reason given'}`);
      ready = ours && renewal?.status === 'SUCCESS';
    } else {
      if (state.status === 'FAILED')
        throw new Refusal(
          `ACM could not issue ${arn} from ${record.caArn}: ${state.failureReason ?? 'no reason given'}`,
        );
      ready = state.status === 'ISSUED';
    }
    if (ready) {
      const issued = await retryThrottled(() => deps.acmPrivate.fetch(arn), deps.sleep);
      if (issued !== undefined) return issued;
    }
    if (deps.now().getTime() > deadline)
      throw new MeshwardenError(
        `ACM certificate ${arn} was still being ${record.delivery === 'acm-renew' ? 'renewed' : 'issued'} after the wait; the next run resumes`,
      );
    delay = Math.min(delay * 2, 2000);
  }
}
