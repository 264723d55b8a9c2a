import { describe, expect, it } from 'vitest';
import { dnsNamesOf, parseCertificate } from '../../../shared/certificates/pem';
import type { RotationRecord } from '../../../shared/certificates/records';
import { sweepCertificates } from '../../../shared/certificates/sweep';
import { verifyIssued } from '../../../shared/certificates/verify';
import {
  CA_ARN,
  DAY_MS,
  fakeWorld,
  GW_CERT,
  NEXT_CA_ARN,
  PAYMENTS_SECRET,
  policyWith,
  SECRETS_MAPPING,
  signingCa,
  WEB_CERT,
} from './fakes';

const NOW = new Date();
/** Certificates issued 380 days ago that expire in 5 days: well past two thirds. */
const expiringSoon = {
  notBefore: new Date(NOW.getTime() - 380 * DAY_MS),
  notAfter: new Date(NOW.getTime() + 5 * DAY_MS),
  now: NOW,
};
const policy = policyWith(SECRETS_MAPPING);

function byId(items: readonly { id: string; action: string }[]) {
  return Object.fromEntries(items.map((i) => [i.id, i.action]));
}

describe('sweepCertificates', () => {
  it('rotates every due certificate: re-import, new secret version, ACM renewal in place', async () => {
    // Prepare
    const world = await fakeWorld(expiringSoon);

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod']);

    // Assess
    expect(byId(items)).toEqual({
      [`acm:${WEB_CERT}`]: 'rotated',
      [`acm:${GW_CERT}`]: 'rotated',
      [`secret:${PAYMENTS_SECRET}`]: 'rotated',
    });
    const web = await parseCertificate(world.store.acm.get(WEB_CERT)?.bundle.certificatePem ?? '');
    expect(dnsNamesOf(web)).toEqual(['web-v1.prod.local']);
    expect(web.notAfter.getTime()).toBeGreaterThan(NOW.getTime() + 80 * DAY_MS);
    expect(world.store.secrets.get(PAYMENTS_SECRET)?.versions.map((v) => v.id)).toEqual(['v0', 'v2']);
    // The ACM private gateway certificate is renewed by ACM under the same ARN: it stays private
    // (Envoy can still export it), and the listener keeps its reference.
    const gateway = world.meshes.snapshot.virtualGateways[0]?.spec.listeners[0]?.tls?.certificate;
    expect(gateway).toEqual({ acm: { certificateArn: GW_CERT } });
    expect(world.meshes.updates).toEqual([]);
    expect(world.store.acm.get(GW_CERT)?.origin).toBe('acm-private');
    expect(world.acmPrivate.calls).toContain(`renew ${GW_CERT}`);
    const renewed = await parseCertificate(world.store.acm.get(GW_CERT)?.bundle.certificatePem ?? '');
    expect(renewed.notAfter.getTime()).toBeGreaterThan(NOW.getTime() + 390 * DAY_MS);
    const rotated = world.publisher.events.filter((e) => e.detailType === 'CertificateRotated');
    expect(rotated.map((e) => [e.detail.delivery, e.detail.envoyRestartRequired]).sort()).toEqual([
      ['acm-renew', false],
      ['reimport', false],
      ['secret', true],
    ]);
    expect(world.ca.issued.size).toBe(2);
    expect(world.notifier.notifications.map((n) => n.kind)).toEqual(['rotation', 'rotation', 'rotation']);
  });

  it('does nothing on a second run', async () => {
    // Prepare
    const world = await fakeWorld(expiringSoon);
    await sweepCertificates(world.deps, policy, ['prod']);
    const deliveries = world.store.deliveries.length;

    // Act
    const items = await sweepCertificates(world.fresh(), policy, ['prod']);

    // Assess
    expect(new Set(items.map((i) => i.action))).toEqual(new Set(['not-due']));
    expect(world.ca.issued.size).toBe(2);
    expect(world.acmPrivate.calls.filter((c) => c.startsWith('renew'))).toHaveLength(1);
    expect(world.store.deliveries.length).toBe(deliveries);
  });

  it('dry run plans without recording, issuing or delivering', async () => {
    const world = await fakeWorld(expiringSoon);
    const items = await sweepCertificates(world.deps, policy, ['prod'], { dryRun: true });
    expect(new Set(items.map((i) => i.action))).toEqual(new Set(['would-rotate']));
    expect(world.ca.calls.filter((c) => c === 'issue')).toEqual([]);
    expect(world.rotations.writes).toEqual([]);
  });

  it('--only rotates one certificate, named by ARN or by the resource using it', async () => {
    const world = await fakeWorld(expiringSoon);
    const byArn = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT });
    const byResource = await sweepCertificates(world.fresh(), policy, ['prod'], {
      only: 'prod/virtual-node/payments',
    });
    expect(byId(byArn)).toEqual({ [`acm:${WEB_CERT}`]: 'rotated' });
    expect(byId(byResource)).toEqual({ [`secret:${PAYMENTS_SECRET}`]: 'rotated' });
  });

  it('waits while the CA is still signing and rides out throttling', async () => {
    // Prepare
    const world = await fakeWorld(expiringSoon);
    world.ca.faults = { inProgress: 3, throttle: 3 };

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT });

    // Assess
    expect(byId(items)).toEqual({ [`acm:${WEB_CERT}`]: 'rotated' });
    expect(world.ca.calls.filter((c) => c === 'fetch').length).toBeGreaterThanOrEqual(4);
    expect(world.ca.issued.size).toBe(1);
  });

  it('refuses a certificate that comes back with the wrong SAN, delivers nothing and reports it', async () => {
    // Prepare
    const world = await fakeWorld(expiringSoon);
    world.ca.faults = { wrongSans: ['evil.example.com'] };
    const before = world.store.acm.get(WEB_CERT)?.bundle.certificatePem;

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT });

    // Assess
    expect(items[0]).toMatchObject({
      action: 'refused',
      reason: expect.stringMatching(/wrong subject alternative names: got \[evil.example.com\]/),
    });
    expect(world.store.acm.get(WEB_CERT)?.bundle.certificatePem).toBe(before);
    expect(world.store.deliveries).toEqual([]);
    expect(world.publisher.events.map((e) => e.detailType)).toEqual(['CertificateRotationRefused']);
    const record = world.rotations.items.get(`ROTATION#acm:${WEB_CERT}`) as RotationRecord | undefined;
    expect(record?.status).toBe('refused');
    expect(record).not.toHaveProperty('privateKeyPem');
    expect(world.pendingKeys.size).toBe(0);
  });

  it.each([
    ['a disabled CA', { status: 'DISABLED' }, /is DISABLED, not ACTIVE/],
    ['an expired CA', { notAfter: new Date(NOW.getTime() - DAY_MS) }, /expired at/],
    [
      'a CA expiring before the new certificate',
      { notAfter: new Date(NOW.getTime() + 10 * DAY_MS) },
      /expires at .* before a 90-day certificate/,
    ],
    ['a rejected CSR', { rejectCsr: true }, /the CA refused the request: MalformedCSRException/],
  ])('refuses with %s and issues nothing', async (_what, faults, reason) => {
    // Prepare
    const world = await fakeWorld(expiringSoon);
    world.ca.faults = faults;

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT });

    // Assess
    expect(items[0]).toMatchObject({ action: 'refused', reason: expect.stringMatching(reason) });
    expect(world.ca.issued.size).toBe(0);
    expect(world.store.deliveries).toEqual([]);
  });

  it('resumes after a crash between issue and its record without issuing twice', async () => {
    // Prepare
    const world = await fakeWorld(expiringSoon);
    world.ca.faults = { crashAfterIssue: true };
    const first = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT });

    // Act
    const second = await sweepCertificates(world.fresh(), policy, ['prod'], { only: WEB_CERT });

    // Assess
    expect(first[0]).toMatchObject({ action: 'failed', reason: /died after IssueCertificate/ });
    expect(second[0]).toMatchObject({ action: 'rotated', resumedFrom: 'planned' });
    expect(world.ca.issued.size).toBe(1);
    expect(world.store.deliveries).toEqual([WEB_CERT]);
  });

  it('resumes after a crash between issue and delivery, delivering the certificate already issued', async () => {
    // Prepare: the first run issues, records `issued`, then the delivery fails.
    const world = await fakeWorld(expiringSoon);
    world.store.failDeliveries = 1;
    const first = await sweepCertificates(world.deps, policy, ['prod'], { only: PAYMENTS_SECRET });
    const recorded = world.rotations.items.get(`ROTATION#secret:${PAYMENTS_SECRET}`) as RotationRecord;

    // Act
    const second = await sweepCertificates(world.fresh(), policy, ['prod'], { only: PAYMENTS_SECRET });

    // Assess
    expect(first[0]).toMatchObject({ action: 'failed', reason: /PutSecretValue failed/ });
    expect(recorded.status).toBe('verified');
    expect(second[0]).toMatchObject({ action: 'rotated', resumedFrom: 'verified' });
    expect(world.ca.issued.size).toBe(1);
    const versions = world.store.secrets.get(PAYMENTS_SECRET)?.versions ?? [];
    expect(versions).toHaveLength(2);
    expect(versions[1]?.bundle.certificatePem).toBe(recorded.certificatePem);
  });

  it('a crash after a secret write is one version, not two', async () => {
    const world = await fakeWorld(expiringSoon);
    world.store.crashAfterDelivery = true;
    await sweepCertificates(world.deps, policy, ['prod'], { only: PAYMENTS_SECRET });
    const second = await sweepCertificates(world.fresh(), policy, ['prod'], { only: PAYMENTS_SECRET });
    expect(second[0]).toMatchObject({ action: 'rotated', resumedFrom: 'verified' });
    expect(world.store.secrets.get(PAYMENTS_SECRET)?.versions).toHaveLength(2);
  });

  it('reports busy when another run holds the record', async () => {
    // Prepare: a concurrent writer bumps the record between our read and write.
    const world = await fakeWorld(expiringSoon);
    const put = world.rotations.put.bind(world.rotations);
    let raced = false;
    world.rotations.put = async (key, record) => {
      if (!raced) {
        raced = true;
        await put(key, { ...record, version: 1 });
      }
      return put(key, record);
    };

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT });

    // Assess
    expect(items[0]).toMatchObject({ action: 'busy' });
    expect(world.ca.issued.size).toBe(0);
  });

  it('does not move a certificate to a CA its clients do not trust yet', async () => {
    // Prepare
    const world = await fakeWorld(expiringSoon);
    const moved = policyWith(
      `rules:\n  - resources: '*'\n    issuingCaArn: ${NEXT_CA_ARN}\n${SECRETS_MAPPING}`,
    );

    // Act
    const items = await sweepCertificates(world.deps, moved, ['prod'], { only: WEB_CERT });

    // Assess
    expect(items[0]).toMatchObject({
      action: 'needs-rollover',
      rollover: { oldCaArn: CA_ARN, newCaArn: NEXT_CA_ARN },
      reason: expect.stringMatching(/do not trust/),
    });
    expect(world.ca.issued.size).toBe(0);
  });

  it('refuses an unmapped file certificate instead of guessing', async () => {
    const world = await fakeWorld(expiringSoon);
    const items = await sweepCertificates(world.deps, policyWith('rules: []'), ['prod']);
    expect(items.find((i) => i.id.startsWith('file:'))).toMatchObject({
      action: 'refused',
      reason: /certificates.secrets mapping/,
    });
  });
});

describe('verifyIssued', () => {
  it('refuses a certificate that does not chain to the issuing CA', async () => {
    // Prepare: a certificate from the next CA checked against the demo CA.
    const world = await fakeWorld(expiringSoon);
    const other = signingCa(world, NEXT_CA_ARN);
    const bundle = await other.leaf(
      ['web-v1.prod.local'],
      new Date(NOW.getTime() - DAY_MS),
      new Date(NOW.getTime() + DAY_MS),
    );

    // Act
    const problem = await verifyIssued({
      ...bundle,
      caCertificatePem: signingCa(world, CA_ARN).pem,
      expectedSans: ['web-v1.prod.local'],
      now: NOW,
    });

    // Assess
    expect(problem).toMatch(/chain is broken|does not chain up/);
  });

  it('refuses a certificate for another key', async () => {
    const world = await fakeWorld(expiringSoon);
    const ca = signingCa(world, CA_ARN);
    const a = await ca.leaf(['x.local'], new Date(NOW.getTime() - DAY_MS), new Date(NOW.getTime() + DAY_MS));
    const b = await ca.leaf(['x.local'], new Date(NOW.getTime() - DAY_MS), new Date(NOW.getTime() + DAY_MS));
    const problem = await verifyIssued({
      ...a,
      privateKeyPem: b.privateKeyPem,
      caCertificatePem: ca.pem,
      expectedSans: ['x.local'],
      now: NOW,
    });
    expect(problem).toBe('the certificate is not for the new key');
  });

  it('accepts a good certificate', async () => {
    const world = await fakeWorld(expiringSoon);
    const ca = signingCa(world, CA_ARN);
    const a = await ca.leaf(['x.local'], new Date(NOW.getTime() - DAY_MS), new Date(NOW.getTime() + DAY_MS));
    expect(
      await verifyIssued({ ...a, caCertificatePem: ca.pem, expectedSans: ['X.local'], now: NOW }),
    ).toBeUndefined();
  });
});
