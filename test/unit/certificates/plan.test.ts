import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../../shared/certificates/inventory';
import { dueAt, expectedSans, planRotation } from '../../../shared/certificates/plan';
import {
  certificatesSectionSchema,
  DEFAULT_CERTIFICATE_RULE,
} from '../../../shared/policy/sections/certificates';
import { CA_ARN, NEXT_CA_ARN, WEB_CERT } from './fakes';

const DAY = 86_400_000;
const start = new Date('2026-01-01T00:00:00Z');
const FACTS = {
  subject: 'CN=web-v1.prod.local',
  sans: ['web-v1.prod.local'],
  issuer: 'CN=demo root CA',
  notBefore: start.toISOString(),
  notAfter: new Date(start.getTime() + 90 * 86_400_000).toISOString(),
};
const end = new Date(start.getTime() + 90 * DAY);

function entry(overrides: Partial<InventoryEntry> = {}): InventoryEntry {
  return {
    id: `acm:${WEB_CERT}`,
    type: 'leaf',
    location: { kind: 'acm', arn: WEB_CERT },
    facts: {
      subject: 'CN=web-v1.prod.local',
      sans: ['web-v1.prod.local'],
      issuer: 'CN=demo root CA',
      notBefore: start.toISOString(),
      notAfter: end.toISOString(),
    },
    origin: 'acm-imported',
    issuingCaArn: CA_ARN,
    usedBy: [
      {
        resourceKey: 'prod/virtual-node/web-v1',
        kind: 'virtual-node',
        role: 'listener',
        port: 8080,
        serviceName: 'web-v1.prod.local',
      },
    ],
    ...overrides,
  };
}

describe('dueAt', () => {
  it('is two thirds into the lifetime by default', () => {
    // Act
    const due = dueAt(start.toISOString(), end.toISOString(), DEFAULT_CERTIFICATE_RULE);

    // Assess
    expect(due).toBe(start.getTime() + 60 * DAY);
  });

  it('counts days back from expiry when the policy says so', () => {
    // Prepare
    const rule = { ...DEFAULT_CERTIFICATE_RULE, renew: { daysBeforeExpiry: 10 } };

    // Act
    const due = dueAt(start.toISOString(), end.toISOString(), rule);

    // Assess
    expect(due).toBe(end.getTime() - 10 * DAY);
  });
});

describe('expectedSans', () => {
  it('is the service-discovery name of the node', () => {
    expect(
      expectedSans(entry({ facts: { ...FACTS, sans: ['old.example'] } }), DEFAULT_CERTIFICATE_RULE),
    ).toEqual(['web-v1.prod.local']);
  });

  it('refuses a certificate shared by nodes with different names', () => {
    // Prepare
    const shared = entry({
      usedBy: [
        {
          resourceKey: 'prod/virtual-node/a',
          kind: 'virtual-node',
          role: 'listener',
          serviceName: 'a.local',
        },
        {
          resourceKey: 'prod/virtual-node/b',
          kind: 'virtual-node',
          role: 'listener',
          serviceName: 'b.local',
        },
      ],
    });

    // Act
    const sans = expectedSans(shared, DEFAULT_CERTIFICATE_RULE);

    // Assess
    expect(sans).toMatch(/different service names \(a.local, b.local\)/);
  });

  it('keeps the names of a gateway certificate', () => {
    const gateway = entry({
      usedBy: [{ resourceKey: 'prod/virtual-gateway/gw', kind: 'virtual-gateway', role: 'listener' }],
    });
    expect(expectedSans(gateway, DEFAULT_CERTIFICATE_RULE)).toEqual(['web-v1.prod.local']);
  });
});

describe('planRotation', () => {
  it('skips a certificate before its due time', () => {
    const plan = planRotation(entry(), undefined, new Date(start.getTime() + 30 * DAY));
    expect(plan).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/^not due until 2026-03-02/),
    });
  });

  it('rotates a due certificate by re-import, from the CA that issued it', () => {
    const plan = planRotation(entry(), undefined, new Date(start.getTime() + 61 * DAY));
    expect(plan).toMatchObject({
      action: 'rotate',
      caArn: CA_ARN,
      delivery: 'reimport',
      sans: ['web-v1.prod.local'],
    });
  });

  it('rotates an expired certificate and says so', () => {
    const plan = planRotation(entry(), undefined, new Date(end.getTime() + DAY));
    expect(plan).toMatchObject({ action: 'rotate', reason: expect.stringMatching(/^expired at/) });
  });

  it('rotates when the policy names another issuing CA, even if not due', () => {
    // Prepare
    const section = certificatesSectionSchema.parse({
      rules: [{ resources: 'prod/*', issuingCaArn: NEXT_CA_ARN }],
    });

    // Act
    const plan = planRotation(entry(), section, new Date(start.getTime() + DAY));

    // Assess
    expect(plan).toMatchObject({
      action: 'rotate',
      caArn: NEXT_CA_ARN,
      reason: expect.stringMatching(/issuing CA changes/),
    });
  });

  it('refuses when the issuing CA cannot be known', () => {
    const { issuingCaArn: _, ...unknown } = entry();
    const plan = planRotation(unknown, undefined, new Date(end.getTime()));
    expect(plan).toMatchObject({ action: 'refuse', reason: expect.stringMatching(/issuingCaArn/) });
  });

  it('renews an eligible ACM private certificate in place (same CA, same names) and a secret one as a new version', () => {
    const now = new Date(end.getTime());
    expect(planRotation(entry({ origin: 'acm-private', renewable: true }), undefined, now)).toMatchObject({
      delivery: 'acm-renew',
      caArn: CA_ARN,
    });
    expect(
      planRotation(
        entry({ id: 'secret:s', location: { kind: 'secret', name: 's' }, origin: 'secret' }),
        undefined,
        now,
      ),
    ).toMatchObject({ delivery: 'secret' });
  });

  it('requests a new ACM private certificate when the CA or the names change, or ACM would not renew it', () => {
    // Prepare
    const now = new Date(end.getTime());
    const otherCa = certificatesSectionSchema.parse({
      rules: [{ resources: '*', issuingCaArn: NEXT_CA_ARN }],
    });
    const oldNames = { ...FACTS, sans: ['web.old.local'] };

    // Act
    const plans = [
      planRotation(entry({ origin: 'acm-private', renewable: true }), otherCa, now),
      planRotation(entry({ origin: 'acm-private', renewable: true, facts: oldNames }), undefined, now),
      planRotation(entry({ origin: 'acm-private', renewable: false }), undefined, now),
    ];

    // Assess
    expect(plans.map((p) => (p.action === 'rotate' ? [p.delivery, p.caArn, p.sans] : p.action))).toEqual([
      ['acm-request', NEXT_CA_ARN, ['web-v1.prod.local']],
      ['acm-request', CA_ARN, ['web-v1.prod.local']],
      ['acm-request', CA_ARN, ['web-v1.prod.local']],
    ]);
  });

  it('issues from the new CA of a completed rollover away from the current issuer, even if not due', () => {
    // Prepare: the mesh rolled over CA -> NEXT; web-v1 is on a certificate from CA again.
    const succession = [{ oldCaArn: CA_ARN, newCaArn: NEXT_CA_ARN }];
    const young = new Date(start.getTime() + DAY);

    // Act
    const remembered = planRotation(entry({ origin: 'acm-private', renewable: true }), undefined, young, {
      succession,
    });
    const unrelated = planRotation(entry({ issuingCaArn: NEXT_CA_ARN }), undefined, young, { succession });
    const policyWins = planRotation(
      entry(),
      certificatesSectionSchema.parse({ rules: [{ resources: '*', issuingCaArn: CA_ARN }] }),
      young,
      { succession },
    );

    // Assess
    expect(remembered).toMatchObject({
      action: 'rotate',
      caArn: NEXT_CA_ARN,
      delivery: 'acm-request',
      reason: expect.stringMatching(/rolled over to/),
    });
    expect(unrelated).toMatchObject({ action: 'skip' });
    expect(policyWins).toMatchObject({ action: 'skip' });
  });

  it('refuses an unmapped file certificate with the reason', () => {
    const { location: _, facts: __, ...bare } = entry();
    const plan = planRotation({ ...bare, problem: 'no certificates.secrets mapping' }, undefined, new Date());
    expect(plan).toEqual({
      action: 'refuse',
      entry: expect.anything(),
      reason: 'no certificates.secrets mapping',
    });
  });
});
