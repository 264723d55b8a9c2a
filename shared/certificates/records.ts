import type { CertificateLocation, VersionedRecord } from '../ports';
import type { Delivery } from './plan';

/** Steps of one rotation, in order. `completed` and `refused` end it; any other step resumes. */
export type RotationStatus = 'planned' | 'issued' | 'verified' | 'delivered' | 'completed' | 'refused';

/**
 * The record of one certificate's latest rotation (`ROTATION#<location id>`). Each step is
 * written before the next begins, with a condition on the version read, so a crash anywhere
 * resumes from the last recorded step and two runs never both advance it.
 */
export interface RotationRecord extends VersionedRecord {
  readonly rotationId: string;
  readonly locationId: string;
  readonly location: CertificateLocation;
  readonly meshName: string;
  readonly status: RotationStatus;
  readonly reason: string;
  readonly caArn: string;
  /**
   * The CA that issued the certificate being replaced, when known. A re-import from another
   * CA (a rollover) must update the issuing-CA tag; one from the same CA need not.
   */
  readonly previousCaArn?: string;
  readonly sans: readonly string[];
  readonly delivery: Delivery;
  readonly templateArn: string;
  readonly validityDays: number;
  /** IssueCertificate idempotency token: a retried issue within five minutes is the same certificate. */
  readonly idempotencyToken: string;
  /**
   * The new private key is not here: it waits sealed with KMS in the pending-key vault, from
   * `planned` until delivery, so a crash after IssueCertificate resumes without a second issue.
   * Empty for ACM-managed deliveries (`acm-renew`, `acm-request`): ACM makes and keeps the key.
   */
  readonly csrPem: string;
  readonly issuedArn?: string;
  readonly certificatePem?: string;
  readonly chainPem?: string;
  /** For `acm-request` (and `import-new`) delivery: the ACM ARN the listeners move to. */
  readonly newCertificateArn?: string;
  /** For `acm-request`: the key algorithm ACM is asked for. */
  readonly keyAlgorithm?: string;
  /** The not-after of the certificate being replaced: a renewal must end later. */
  readonly replacedNotAfter?: string;
  readonly versionId?: string;
  readonly notAfter?: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Why the rotation was refused. */
  readonly refusal?: string;
  /** Set when a rollover forced this rotation. */
  readonly rolloverId?: string;
}

/** Terminal statuses: a new rotation may start over them. */
export function isFinished(status: RotationStatus): boolean {
  return status === 'completed' || status === 'refused';
}

/** The rotation store key of a certificate. */
export function rotationKey(locationId: string): string {
  return `ROTATION#${locationId}`;
}
