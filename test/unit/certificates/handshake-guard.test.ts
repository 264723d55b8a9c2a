/**
 * The handshake checks in the write paths, over the in-memory ports with real certificates:
 * a rotation keeps the names its callers validate, a rotation that would leave a caller with
 * nothing to connect to is refused before anything is issued, and phase 3 of a CA rollover
 * re-reads every leaf and halts when one still comes from the old CA.
 */
import { describe, expect, it } from 'vitest';
import { decideCaRollover, runCaRollover } from '../../../shared/certificates/ca-rollover';
import { dnsNamesOf, parseCertificate } from '../../../shared/certificates/pem';
import { confirmRolloverRestarts } from '../../../shared/certificates/rollover-lifecycle';
import { sweepCertificates } from '../../../shared/certificates/sweep';
import { acmTrusts } from '../../../shared/certificates/trusts';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import {
  CA_ARN,
  DAY_MS,
  fakeWorld,
  NEXT_CA_ARN,
  PAYMENTS_SECRET,
  policyWith,
  rolloverDecision,
  SECRETS_MAPPING,
  signingCa,
  storeDecided,
  WEB_CERT,
} from './fakes';

const NOW = new Date();
const policy = policyWith(SECRETS_MAPPING);
const OLD_WEB = 'arn:aws:acm:us-east-1:000000000000:certificate/cccccccc-cccc-cccc-cccc-cccccccccccc';

/** The sample mesh, with web.prod.local provided by web-v1 and payments validating `exact` names for it. */
function withWebService(snapshot: MeshSnapshot, exact?: readonly string[]): MeshSnapshot {
  const trust = { acm: { certificateAuthorityArns: [CA_ARN] } };
  return {
    ...snapshot,
    virtualServices: [
      {
        kind: 'virtual-service',
        meshName: 'prod',
        name: 'web.prod.local',
        spec: { provider: { virtualNode: { virtualNodeName: 'web-v1' } } },
      },
    ],
    virtualNodes: snapshot.virtualNodes.map((n) =>
      n.name !== 'payments'
        ? n
        : {
            ...n,
            spec: {
              ...n.spec,
              backends: [
                {
                  virtualService: {
                    virtualServiceName: 'web.prod.local',
                    clientPolicy: {
                      tls: {
                        validation: {
                          trust,
                          ...(exact ? { subjectAlternativeNames: { match: { exact: [...exact] } } } : {}),
                        },
                      },
                    },
                  },
                },
              ],
            },
          },
    ),
  };
}

describe('handshake checks before certificate writes', () => {
  it('a rotation keeps the name a caller validates by exact SAN instead of "correcting" it', async () => {
    // Prepare: web-v1's certificate names web.prod.local, expires in 5 days; payments accepts exactly that.
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - 85 * DAY_MS),
      notAfter: new Date(NOW.getTime() + 5 * DAY_MS),
      now: NOW,
    });
    const root = signingCa(world, CA_ARN);
    world.store.acm.set(WEB_CERT, {
      bundle: await root.leaf(
        ['web.prod.local'],
        new Date(NOW.getTime() - 85 * DAY_MS),
        new Date(NOW.getTime() + 5 * DAY_MS),
      ),
      origin: 'acm-imported',
    });
    world.meshes.snapshot = withWebService(world.meshes.snapshot, ['web.prod.local']);

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT });

    // Assess
    expect(items.map((i) => i.action)).toEqual(['rotated']);
    const renewed = world.store.acm.get(WEB_CERT)?.bundle.certificatePem ?? '';
    expect(dnsNamesOf(await parseCertificate(renewed))).toEqual(['web.prod.local']);
    expect((await parseCertificate(renewed)).notAfter.getTime()).toBeGreaterThan(NOW.getTime() + 80 * DAY_MS);
  });

  it('lets a private ACM certificate be renewed through ACM, which keeps it loadable by Envoy', async () => {
    // Prepare: web-v1 serves a private ACM certificate its callers trust today.
    const young = {
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + 300 * DAY_MS),
      now: NOW,
    };
    const world = await fakeWorld(young);
    const root = signingCa(world, CA_ARN);
    world.store.acm.set(WEB_CERT, {
      bundle: await root.leaf(['web-v1.prod.local'], young.notBefore, young.notAfter),
      origin: 'acm-private',
      issuingCaArn: CA_ARN,
    });
    world.meshes.snapshot = withWebService(world.meshes.snapshot);

    // Act
    const items = await sweepCertificates(world.deps, policy, ['prod'], { only: WEB_CERT, force: true });

    // Assess: not refused as unloadable; it is renewed, never imported.
    expect(items).toHaveLength(1);
    expect(items[0]?.reason ?? '').not.toContain('cannot be loaded by Envoy');
    expect(items[0]?.action).toBe('rotated');
    expect(world.store.deliveries).toEqual([]);
  });

  it('phase 3 re-reads every leaf and halts, naming it, when one went back to the old CA after phase 2', async () => {
    // Prepare: phases 1 and 2 done; then web-v1 is pointed at a private certificate from the old CA.
    const young = {
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + 300 * DAY_MS),
      now: NOW,
    };
    const world = await fakeWorld(young);
    const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
    // The payments certificate travels through a secret: its proxy must have restarted first.
    await confirmRolloverRestarts(world.fresh(), policy, rolloverId, ['prod/virtual-node/payments'], 'ops');
    world.store.acm.set(OLD_WEB, {
      bundle: await signingCa(world, CA_ARN).leaf(['web-v1.prod.local'], young.notBefore, young.notAfter),
      origin: 'acm-private',
      issuingCaArn: CA_ARN,
    });
    world.meshes.snapshot = {
      ...world.meshes.snapshot,
      virtualNodes: world.meshes.snapshot.virtualNodes.map((n) =>
        n.name !== 'web-v1'
          ? n
          : {
              ...n,
              spec: {
                ...n.spec,
                listeners: (n.spec.listeners ?? []).map((l) => ({
                  ...l,
                  tls: { mode: 'STRICT' as const, certificate: { acm: { certificateArn: OLD_WEB } } },
                })),
              },
            },
      ),
    };
    const detail = rolloverDecision(rolloverId, 'approved', NOW);
    const approvals = storeDecided(detail);
    const updatesBefore = world.meshes.updates.length;

    // Act
    const report = await decideCaRollover({ ...world.fresh(), approvals }, detail, policy);

    // Assess
    expect(report.phase).toBe('halted');
    expect(report.note).toContain(
      `acm:${OLD_WEB} (served by prod/virtual-node/web-v1:8080) is issued by the old CA ${CA_ARN}`,
    );
    expect(world.meshes.updates.length).toBe(updatesBefore);
    expect(acmTrusts(world.meshes.snapshot).every((t) => t.arns.includes(CA_ARN))).toBe(true);
    const told = world.notifier.notifications.at(-1);
    expect(told?.title).toBe(`CA rollover ${rolloverId} halted before removing the old CA`);
    expect(told?.text).toContain(`acm:${OLD_WEB}`);
  });

  it('a resumed rotation is checked again with the issued certificate, against the mesh as it is now', async () => {
    // Prepare: payments' certificate (a secret) is due; web-v1 calls payments, accepting two names.
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - 85 * DAY_MS),
      notAfter: new Date(NOW.getTime() + 5 * DAY_MS),
      now: NOW,
    });
    const callsPayments = (exact: readonly string[]) => ({
      ...world.meshes.snapshot,
      virtualServices: [
        {
          kind: 'virtual-service' as const,
          meshName: 'prod',
          name: 'payments.prod.local',
          spec: { provider: { virtualNode: { virtualNodeName: 'payments' } } },
        },
      ],
      virtualNodes: world.meshes.snapshot.virtualNodes.map((n) =>
        n.name !== 'web-v1'
          ? n
          : {
              ...n,
              spec: {
                ...n.spec,
                backends: [
                  {
                    virtualService: {
                      virtualServiceName: 'payments.prod.local',
                      clientPolicy: {
                        tls: {
                          validation: {
                            trust: { acm: { certificateAuthorityArns: [CA_ARN] } },
                            subjectAlternativeNames: { match: { exact: [...exact] } },
                          },
                        },
                      },
                    },
                  },
                ],
              },
            },
      ),
    });
    world.meshes.snapshot = callsPayments(['payments.prod.local', 'pay.prod.local']);
    world.ca.faults.crashAfterIssue = true;
    const first = await sweepCertificates(world.deps, policy, ['prod'], { only: PAYMENTS_SECRET });
    // Meanwhile web-v1 comes to accept only pay.prod.local, and payments is given a certificate for it.
    world.meshes.snapshot = callsPayments(['pay.prod.local']);
    const root = signingCa(world, CA_ARN);
    const adminsCertificate = await root.leaf(
      ['pay.prod.local'],
      new Date(NOW.getTime() - DAY_MS),
      new Date(NOW.getTime() + 300 * DAY_MS),
    );
    world.store.secrets
      .get(PAYMENTS_SECRET)
      ?.versions.push({ id: 'v-admin', token: 'admin', bundle: adminsCertificate });

    // Act: the next run resumes the recorded rotation (names payments.prod.local).
    const items = await sweepCertificates(world.fresh(), policy, ['prod'], { only: PAYMENTS_SECRET });

    // Assess
    expect(first.map((i) => i.action)).toEqual(['failed']);
    expect(items[0]?.action).toBe('refused');
    expect(items[0]?.reason).toContain(
      `web-v1 → payments (port 8443, 100% of payments.prod.local): payments's new certificate secret:${PAYMENTS_SECRET} names payments.prod.local; web-v1 accepts only pay.prod.local`,
    );
    expect(world.store.secrets.get(PAYMENTS_SECRET)?.versions.at(-1)?.id).toBe('v-admin');
  });

  it('phase 3 halts on a leaf it cannot read that a caller trusting the old CA validates', async () => {
    // Prepare: no secrets mapping, so payments' file certificate cannot be read; web-v1 calls payments.
    const blind = policyWith('rules: []');
    const young = {
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + 300 * DAY_MS),
      now: NOW,
    };
    const world = await fakeWorld(young);
    world.meshes.snapshot = {
      ...world.meshes.snapshot,
      virtualServices: [
        {
          kind: 'virtual-service',
          meshName: 'prod',
          name: 'payments.prod.local',
          spec: { provider: { virtualNode: { virtualNodeName: 'payments' } } },
        },
      ],
      virtualNodes: world.meshes.snapshot.virtualNodes.map((n) =>
        n.name !== 'web-v1'
          ? n
          : {
              ...n,
              spec: {
                ...n.spec,
                backends: [{ virtualService: { virtualServiceName: 'payments.prod.local' } }],
              },
            },
      ),
    };
    const { rolloverId } = await runCaRollover(world.deps, blind, 'prod', CA_ARN, NEXT_CA_ARN);
    const detail = rolloverDecision(rolloverId, 'approved', NOW);
    const approvals = storeDecided(detail);

    // Act
    const report = await decideCaRollover({ ...world.fresh(), approvals }, detail, blind);

    // Assess
    expect(report.phase).toBe('halted');
    expect(report.note).toContain(
      'file:/certs/payments/chain.pem (served by prod/virtual-node/payments:8443) cannot be read (no certificates.secrets mapping names the secret that delivers it)',
    );
    expect(acmTrusts(world.meshes.snapshot).every((t) => t.arns.includes(CA_ARN))).toBe(true);
  });
});
