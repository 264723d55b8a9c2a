import { describe, expect, it } from 'vitest';
import { askAcm } from '../../../shared/certificates/acm-private-steps';
import type { RotationRecord } from '../../../shared/certificates/records';
import type { AcmCertificateState, AcmPrivateCertificates } from '../../../shared/ports';

const ARN = 'arn:aws:acm:us-east-1:111122223333:certificate/web-v1';
const STARTED = '2026-12-06T08:00:00.400Z';
const REPLACED_END = '2028-01-05T08:00:00.000Z';

function record(): RotationRecord {
  return {
    version: 1,
    rotationId: 'r-1',
    locationId: `acm:${ARN}`,
    location: { kind: 'acm', arn: ARN },
    meshName: 'prod',
    status: 'planned',
    reason: 'forced',
    caArn: 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca',
    sans: ['web.prod.local'],
    delivery: 'acm-renew',
    templateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
    validityDays: 395,
    idempotencyToken: 'token',
    csrPem: '',
    replacedNotAfter: REPLACED_END,
    startedAt: STARTED,
    updatedAt: STARTED,
  } as RotationRecord;
}

function acmHolding(state: Partial<AcmCertificateState>) {
  const renewed: string[] = [];
  const acm: AcmPrivateCertificates = {
    state: async () => ({ arn: ARN, type: 'PRIVATE', status: 'ISSUED', inUseBy: [], ...state }),
    renew: async (arn) => {
      renewed.push(arn);
    },
    request: async () => 'unused',
    fetch: async () => undefined,
    remove: async () => 'not-found',
  };
  return { renewed, deps: { acmPrivate: acm, now: () => new Date(STARTED), sleep: async () => {} } };
}

describe('asking ACM to renew, after a crash or not', () => {
  it('renews when the only renewal in the starting second is an earlier one that left the end unchanged', async () => {
    // Prepare: ACM dates to the second; an earlier rotation's renewal finished in this second.
    const { renewed, deps } = acmHolding({
      notAfter: REPLACED_END,
      renewal: { status: 'SUCCESS', updatedAt: '2026-12-06T08:00:00.000Z' },
    });

    // Act
    await askAcm(deps, record());

    // Assess
    expect(renewed).toEqual([ARN]);
  });

  it('does not renew twice when this rotation asked already and ACM is still renewing', async () => {
    // Prepare
    const { renewed, deps } = acmHolding({
      notAfter: REPLACED_END,
      renewal: { status: 'PENDING_AUTO_RENEWAL', updatedAt: '2026-12-06T08:00:01.000Z' },
    });

    // Act
    await askAcm(deps, record());

    // Assess
    expect(renewed).toEqual([]);
  });

  it('does not renew twice when this rotation asked already and ACM renewed it', async () => {
    // Prepare
    const { renewed, deps } = acmHolding({
      notAfter: '2028-01-05T08:00:02.000Z',
      renewal: { status: 'SUCCESS', updatedAt: '2026-12-06T08:00:02.000Z' },
    });

    // Act
    const issued = await askAcm(deps, record());

    // Assess
    expect(renewed).toEqual([]);
    expect(issued).toEqual({ issuedArn: ARN });
  });

  it('renews when the last renewal is older than the rotation', async () => {
    // Prepare
    const { renewed, deps } = acmHolding({
      notAfter: REPLACED_END,
      renewal: { status: 'SUCCESS', updatedAt: '2026-12-05T08:00:00.000Z' },
    });

    // Act
    await askAcm(deps, record());

    // Assess
    expect(renewed).toEqual([ARN]);
  });
});
