import { describe, expect, it } from 'vitest';
import { decideCaRollover, runCaRollover } from '../../../shared/certificates/ca-rollover';
import { loadCaSuccession, successorOf } from '../../../shared/certificates/issuer-memory';
import { parseCertificate } from '../../../shared/certificates/pem';
import { rolloverHistoryKey } from '../../../shared/certificates/rollover-keys';
import { confirmRolloverRestarts } from '../../../shared/certificates/rollover-lifecycle';
import { cleanUpSuperseded } from '../../../shared/certificates/superseded';
import { sweepCertificates } from '../../../shared/certificates/sweep';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import { ConflictError } from '../../../shared/errors';
import {
  CA_ARN,
  DAY_MS,
  fakeWorld,
  GW_CERT,
  NEXT_CA_ARN,
  policyWith,
  rolloverDecision,
  SECRETS_MAPPING,
  sampleMesh,
  signingCa,
  storeDecided,
} from './fakes';

const NOW = new Date();
const HOUR = 3_600_000;
const expiringSoon = {
  notBefore: new Date(NOW.getTime() - 380 * DAY_MS),
  notAfter: new Date(NOW.getTime() + 5 * DAY_MS),
  now: NOW,
};
const young = {
  notBefore: new Date(NOW.getTime() - DAY_MS),
  notAfter: new Date(NOW.getTime() + 300 * DAY_MS),
  now: NOW,
};
const policy = policyWith(SECRETS_MAPPING);
/** The gateway's certificates come from the next CA; the mesh already trusts both. */
const gatewayFromNext = policyWith(
  `rules:\n  - resources: prod/virtual-gateway/*\n    issuingCaArn: ${NEXT_CA_ARN}\n    san: keep\n${SECRETS_MAPPING}`,
);

function gatewayCertificate(snapshot: MeshSnapshot): string {
  const certificate = snapshot.virtualGateways[0]?.spec.listeners[0]?.tls?.certificate;
  return certificate && 'acm' in certificate ? certificate.acm.certificateArn : '';
}

function pointGatewayAt(snapshot: MeshSnapshot, arn: string): MeshSnapshot {
  const [gateway] = snapshot.virtualGateways;
  if (gateway === undefined) throw new Error('no gateway');
  const listeners = gateway.spec.listeners.map((l) =>
    l.tls ? { ...l, tls: { ...l.tls, certificate: { acm: { certificateArn: arn } } } } : l,
  );
  return { ...snapshot, virtualGateways: [{ ...gateway, spec: { ...gateway.spec, listeners } }] };
}

describe('ACM private certificates', () => {
  it('moves a listener to a new private certificate from the new CA; the notice names the ARN that holds it', async () => {
    // Prepare
    const world = await fakeWorld(young);
    world.meshes.snapshot = sampleMesh([CA_ARN, NEXT_CA_ARN]);

    // Act
    const items = await sweepCertificates(world.deps, gatewayFromNext, ['prod'], { only: GW_CERT });

    // Assess
    expect(items[0]).toMatchObject({ action: 'rotated' });
    const newArn = gatewayCertificate(world.meshes.snapshot);
    expect(newArn).toMatch(/certificate\/private-1$/);
    expect(world.store.acm.get(newArn)).toMatchObject({ origin: 'acm-private', issuingCaArn: NEXT_CA_ARN });
    expect(world.acmPrivate.calls).toContain(`request gw.example.com from ${NEXT_CA_ARN}`);
    expect(world.store.deliveries).toEqual([]);
    const issuer = (await parseCertificate(world.store.acm.get(newArn)?.bundle.certificatePem ?? '')).issuer;
    expect(issuer).toBe(signingCa(world, NEXT_CA_ARN).certificate.subject);
    const [notice] = world.notifier.notifications;
    expect(notice?.text).toMatch(new RegExp(`^${newArn} now holds a certificate from ${NEXT_CA_ARN}`));
    expect(notice?.text).toContain(`moved to it from ${GW_CERT}`);
    expect(notice?.fields).toMatchObject({ certificate: newArn, replaced: GW_CERT, delivery: 'acm-request' });
    const event = world.publisher.events.find((e) => e.detailType === 'CertificateRotated');
    expect(event?.detail).toMatchObject({ certificateArn: newArn, delivery: 'acm-request' });
    expect(world.rotations.items.get('ROTATION#SUPERSEDED#prod')).toMatchObject({
      certificates: [{ arn: GW_CERT, replacedBy: newArn }],
    });
  });

  it('refuses when ACM fails the renewal, with ACM’s reason, and leaves the listener alone', async () => {
    // Prepare
    const world = await fakeWorld(expiringSoon);
    world.acmPrivate.faults = { failRenewal: 'PCA_ACCESS_DENIED' };

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod'], { only: GW_CERT });

    // Assess
    expect(items[0]).toMatchObject({ action: 'refused', reason: expect.stringMatching(/PCA_ACCESS_DENIED/) });
    expect(gatewayCertificate(world.meshes.snapshot)).toBe(GW_CERT);
    expect(world.notifier.notifications[0]?.title).toMatch(/^Did not rotate/);
  });

  it('refuses when ACM fails a requested certificate, and keeps the listener on the old one', async () => {
    // Prepare
    const world = await fakeWorld(young);
    world.meshes.snapshot = sampleMesh([CA_ARN, NEXT_CA_ARN]);
    world.acmPrivate.faults = { failRequest: 'PCA_INVALID_ARGS' };

    // Act
    const items = await sweepCertificates(world.deps, gatewayFromNext, ['prod'], { only: GW_CERT });

    // Assess
    expect(items[0]).toMatchObject({ action: 'refused', reason: expect.stringMatching(/PCA_INVALID_ARGS/) });
    expect(gatewayCertificate(world.meshes.snapshot)).toBe(GW_CERT);
    expect(world.meshes.updates).toEqual([]);
    // The failed certificate is left to the cleanup, never the one the listener serves.
    expect(world.rotations.items.get('ROTATION#SUPERSEDED#prod')).toMatchObject({
      certificates: [{ arn: expect.stringMatching(/private-1$/), replacedBy: GW_CERT }],
    });
  });

  it('resumes after a crash right after RenewCertificate without asking ACM twice', async () => {
    // Prepare: the write that records `issued` fails once (the process died).
    const world = await fakeWorld(expiringSoon);
    const put = world.rotations.put.bind(world.rotations);
    let crashed = false;
    world.rotations.put = async (key, record) => {
      if (!crashed && (record as { status?: string }).status === 'issued') {
        crashed = true;
        throw new Error('the process died after RenewCertificate');
      }
      return put(key, record);
    };
    const first = await sweepCertificates(world.deps, policy, ['prod'], { only: GW_CERT });

    // Act
    const second = await sweepCertificates(world.fresh(), policy, ['prod'], { only: GW_CERT });

    // Assess
    expect(first[0]).toMatchObject({ action: 'failed' });
    expect(second[0]).toMatchObject({ action: 'rotated', resumedFrom: 'planned' });
    expect(world.acmPrivate.calls.filter((c) => c.startsWith('renew'))).toEqual([`renew ${GW_CERT}`]);
  });

  it('issues from the new CA after a completed rollover, even for a listener put back on an old certificate', async () => {
    // Prepare: roll the mesh over to the next CA and finish it.
    const world = await fakeWorld(young);
    const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
    // The payments certificate travels through a secret: its proxy must have restarted first.
    await confirmRolloverRestarts(world.fresh(), policy, rolloverId, ['prod/virtual-node/payments'], 'ops');
    const detail = rolloverDecision(rolloverId, 'approved', NOW);
    const approvals = storeDecided(detail);
    const done = await decideCaRollover({ ...world.fresh(), approvals }, detail);
    // Someone puts the gateway back on its old certificate from the old CA.
    world.meshes.snapshot = pointGatewayAt(world.meshes.snapshot, GW_CERT);

    // Act: `meshwarden certs rotate --only GW_CERT`.
    const items = await sweepCertificates(world.fresh(), policy, ['prod'], { only: GW_CERT });

    // Assess
    expect(done.phase).toBe('completed');
    expect(items[0]).toMatchObject({ action: 'rotated', reason: expect.stringMatching(/rolled over to/) });
    const now = gatewayCertificate(world.meshes.snapshot);
    expect(now).not.toBe(GW_CERT);
    expect(world.store.acm.get(now)?.issuingCaArn).toBe(NEXT_CA_ARN);
  });

  it('deletes a replaced certificate only after its grace period, and never while something names it', async () => {
    // Prepare
    const world = await fakeWorld(young);
    world.meshes.snapshot = sampleMesh([CA_ARN, NEXT_CA_ARN]);
    await sweepCertificates(world.deps, gatewayFromNext, ['prod'], { only: GW_CERT });
    const newArn = gatewayCertificate(world.meshes.snapshot);

    // Act
    world.clock.now = new Date(NOW.getTime() + 23 * HOUR);
    const early = await cleanUpSuperseded(world.deps, gatewayFromNext, ['prod']);
    world.clock.now = new Date(NOW.getTime() + 25 * HOUR);
    world.acmPrivate.faults = {
      inUse: { [GW_CERT]: ['arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/x'] },
    };
    const inUse = await cleanUpSuperseded(world.deps, gatewayFromNext, ['prod']);
    world.acmPrivate.faults = {};
    const pointedBack = world.meshes.snapshot;
    world.meshes.snapshot = pointGatewayAt(pointedBack, GW_CERT);
    const named = await cleanUpSuperseded(world.deps, gatewayFromNext, ['prod']);
    world.meshes.snapshot = pointedBack;
    const late = await cleanUpSuperseded(world.deps, gatewayFromNext, ['prod']);
    const after = await cleanUpSuperseded(world.deps, gatewayFromNext, ['prod']);

    // Assess
    expect(early).toEqual([expect.objectContaining({ arn: GW_CERT, action: 'waiting' })]);
    expect(inUse).toEqual([
      expect.objectContaining({ action: 'kept', reason: expect.stringMatching(/in use/) }),
    ]);
    expect(named).toEqual([
      expect.objectContaining({ action: 'kept', reason: 'named by prod/virtual-gateway/ingress-gw' }),
    ]);
    expect(late).toEqual([expect.objectContaining({ arn: GW_CERT, action: 'deleted' })]);
    expect(world.acmPrivate.deleted).toEqual([GW_CERT]);
    expect(world.store.acm.has(newArn)).toBe(true);
    expect(after).toEqual([]);
  });

  it('takes the grace period from the policy', async () => {
    // Prepare
    const world = await fakeWorld(young);
    world.meshes.snapshot = sampleMesh([CA_ARN, NEXT_CA_ARN]);
    const shortGrace = policyWith(
      `supersededGraceHours: 2\nrules:\n  - resources: prod/virtual-gateway/*\n    issuingCaArn: ${NEXT_CA_ARN}\n    san: keep\n${SECRETS_MAPPING}`,
    );
    await sweepCertificates(world.deps, shortGrace, ['prod'], { only: GW_CERT });

    // Act
    world.clock.now = new Date(NOW.getTime() + 3 * HOUR);
    const items = await cleanUpSuperseded(world.deps, shortGrace, ['prod']);

    // Assess
    expect(items).toEqual([expect.objectContaining({ arn: GW_CERT, action: 'deleted' })]);
  });
});

describe('issuer memory', () => {
  it('follows completed rollovers in the order they completed', () => {
    const a = 'A';
    const b = 'B';
    const c = 'C';
    expect(
      successorOf(
        [
          { oldCaArn: a, newCaArn: b },
          { oldCaArn: b, newCaArn: c },
        ],
        a,
      ),
    ).toBe(c);
    expect(
      successorOf(
        [
          { oldCaArn: b, newCaArn: a },
          { oldCaArn: a, newCaArn: b },
        ],
        a,
      ),
    ).toBe(b);
    expect(
      successorOf(
        [
          { oldCaArn: a, newCaArn: b },
          { oldCaArn: b, newCaArn: a },
        ],
        a,
      ),
    ).toBeUndefined();
    expect(successorOf([{ oldCaArn: a, newCaArn: b }], c)).toBeUndefined();
  });

  it('counts only completed rollovers of the mesh', async () => {
    // Prepare: a rollover that is only under way.
    const world = await fakeWorld(young);
    await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);

    // Act
    const succession = await loadCaSuccession(world.rotations, 'prod');

    // Assess
    expect(world.rotations.items.get(rolloverHistoryKey('prod'))).toMatchObject({
      rolloverIds: [expect.any(String)],
    });
    expect(succession).toEqual([]);
  });

  it('a racing index write is retried, not lost', async () => {
    // Prepare
    const world = await fakeWorld(young);
    const put = world.rotations.put.bind(world.rotations);
    let raced = false;
    world.rotations.put = async (key, record) => {
      if (!raced && key === rolloverHistoryKey('prod')) {
        raced = true;
        await put(key, { version: 1, meshName: 'prod', rolloverIds: ['other'] } as never);
        throw new ConflictError('another write came first');
      }
      return put(key, record);
    };

    // Act
    const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);

    // Assess
    expect(world.rotations.items.get(rolloverHistoryKey('prod'))).toMatchObject({
      rolloverIds: ['other', rolloverId],
    });
  });
});
