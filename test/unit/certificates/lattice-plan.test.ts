import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../../shared/certificates/inventory';
import { planLatticeRotation } from '../../../shared/certificates/lattice-plan';
import { certificatesSectionSchema } from '../../../shared/policy/sections/certificates';
import { CA_ARN, NEXT_CA_ARN, WEB_CERT } from './fakes';

const DAY = 86_400_000;
/** A 13-month ACM private certificate, as ACM issues one. */
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date(notBefore.getTime() + 395 * DAY);
/** Renew 30 days before expiry: the policy's rule for the network's services. */
const SECTION = certificatesSectionSchema.parse({
  rules: [{ resources: 'prod-net/service/*', renew: { daysBeforeExpiry: 30 } }],
});

/** The certificate of service `web` in prod-net, served by its HTTPS listener. */
function latticeEntry(overrides: Partial<InventoryEntry> = {}): InventoryEntry {
  return {
    id: `acm:${WEB_CERT}`,
    type: 'leaf',
    location: { kind: 'acm', arn: WEB_CERT },
    facts: {
      subject: 'CN=web.prod.internal',
      sans: ['web.prod.internal'],
      issuer: 'CN=demo root CA',
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
    },
    origin: 'acm-private',
    issuingCaArn: CA_ARN,
    renewable: true,
    usedBy: [
      {
        resourceKey: 'prod-net/service/web',
        kind: 'vpc-lattice-service',
        role: 'listener',
        port: 443,
        serviceName: 'web.prod.internal',
      },
    ],
    ...overrides,
  };
}

describe('planLatticeRotation', () => {
  it('renews a due ACM private certificate in place, from the CA that issued it, keeping its names', () => {
    // Prepare: 20 days before expiry, inside the policy's 30.
    const now = new Date(notAfter.getTime() - 20 * DAY);

    // Act
    const plan = planLatticeRotation(latticeEntry(), SECTION, now);

    // Assess
    expect(plan).toMatchObject({
      action: 'rotate',
      delivery: 'acm-renew',
      caArn: CA_ARN,
      sans: ['web.prod.internal'],
      location: { kind: 'acm', arn: WEB_CERT },
    });
    expect(plan.reason).toBe(
      `due since ${new Date(notAfter.getTime() - 30 * DAY).toISOString()} (expires ${notAfter.toISOString()})`,
    );
  });

  it('leaves an ACM private certificate that is not due yet', () => {
    // Prepare: 31 days before expiry, one before the policy's 30.
    const now = new Date(notAfter.getTime() - 31 * DAY);

    // Act
    const plan = planLatticeRotation(latticeEntry(), SECTION, now);

    // Assess
    expect(plan).toMatchObject({
      action: 'skip',
      reason: `not due until ${new Date(notAfter.getTime() - 30 * DAY).toISOString()}`,
    });
  });

  it('uses the App Mesh default, two thirds of the lifetime, without a certificates section', () => {
    // Prepare: just past two thirds of 395 days.
    const twoThirds = notBefore.getTime() + (395 * DAY * 2) / 3;

    // Act
    const before = planLatticeRotation(latticeEntry(), undefined, new Date(twoThirds - 1000));
    const after = planLatticeRotation(latticeEntry(), undefined, new Date(twoThirds + 1000));

    // Assess
    expect(before.action).toBe('skip');
    expect(after).toMatchObject({ action: 'rotate', delivery: 'acm-renew' });
  });

  it('reports an imported certificate, due or not, and leaves it to its owner', () => {
    // Prepare: expired already.
    const now = new Date(notAfter.getTime() + DAY);

    // Act
    const plan = planLatticeRotation(
      latticeEntry({ origin: 'acm-imported', renewable: undefined }),
      SECTION,
      now,
    );

    // Assess
    expect(plan.action).toBe('unmanaged');
    expect(plan.reason).toMatch(/^an imported certificate: ACM cannot renew it/);
    expect(plan.reason).toContain('its owner');
    expect(plan.reason).toContain(`expires ${notAfter.toISOString()}`);
  });

  it('reports a public (Amazon-issued) certificate: ACM renews it itself', () => {
    // Prepare
    const now = new Date(notAfter.getTime() - 5 * DAY);

    // Act
    const plan = planLatticeRotation(
      latticeEntry({ origin: 'acm-amazon-issued', issuingCaArn: undefined, renewable: undefined }),
      SECTION,
      now,
    );

    // Assess
    expect(plan.action).toBe('unmanaged');
    expect(plan.reason).toMatch(/^a public certificate ACM issued: ACM renews it itself/);
  });

  it('refuses, with the reason, a certificate from a CA other than the one the policy names', () => {
    // Prepare: the policy names the next CA; the certificate is the demo CA's and not due.
    const section = certificatesSectionSchema.parse({
      rules: [{ resources: 'prod-net/service/*', issuingCaArn: NEXT_CA_ARN }],
    });

    // Act
    const plan = planLatticeRotation(latticeEntry(), section, notBefore);

    // Assess
    expect(plan.action).toBe('refuse');
    expect(plan.reason).toContain(
      `it was issued by ${CA_ARN}, and the policy's certificates rule names ${NEXT_CA_ARN}`,
    );
    expect(plan.reason).toContain('UpdateService');
  });

  it('refuses a due private certificate ACM would not renew in place', () => {
    // Prepare
    const now = new Date(notAfter.getTime() - DAY);

    // Act
    const plan = planLatticeRotation(latticeEntry({ renewable: false }), SECTION, now);

    // Assess
    expect(plan.action).toBe('refuse');
    expect(plan.reason).toMatch(/^ACM would not renew it in place \(RenewalEligibility INELIGIBLE/);
  });

  it('refuses a certificate that cannot be read, with the reason', () => {
    // Act
    const plan = planLatticeRotation(
      {
        id: `acm:${WEB_CERT}`,
        type: 'leaf',
        location: { kind: 'acm', arn: WEB_CERT },
        usedBy: [],
        problem: 'not found',
      },
      SECTION,
      notBefore,
    );

    // Assess
    expect(plan).toMatchObject({ action: 'refuse', reason: 'not found' });
  });
});
