import { describe, expect, it } from 'vitest';
import {
  brokenByCaller,
  compareHandshakes,
  compareRenewal,
  type HandshakeWorld,
  handshakePairs,
  judgeHandshakes,
  nameCovers,
  namesCallersValidate,
  type PeerCertificate,
} from '../../../shared/certificates/handshake';
import type { InventoryEntry } from '../../../shared/certificates/inventory';
import { planRotation } from '../../../shared/certificates/plan';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import { judgeMesh } from '../../../shared/policy/judge';
import type { CertificatesSection } from '../../../shared/policy/sections/certificates';
import type { ClientPolicy, ListenerTls, MeshResourceOf } from '../../../shared/providers/appmesh/model';
import { policyWith } from './fakes';

const OLD_CA =
  'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/11111111-1111-1111-1111-111111111111';
const NEW_CA =
  'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/22222222-2222-2222-2222-222222222222';
const SUB_CA =
  'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/33333333-3333-3333-3333-333333333333';
const WEB_V1 = 'arn:aws:acm:us-east-1:000000000000:certificate/web-v1';
const FRONTEND = 'arn:aws:acm:us-east-1:000000000000:certificate/frontend';
const NOW = new Date('2026-12-01T00:00:00Z');

function certificate(change: Partial<PeerCertificate> = {}): PeerCertificate {
  return {
    sans: ['web.prod.local'],
    issuer: 'CN=old root,O=Acme',
    issuingCaArn: OLD_CA,
    notBefore: '2026-10-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
    servable: true,
    ...change,
  };
}

function defaultTls(name: string): ListenerTls {
  return {
    mode: 'STRICT',
    certificate: { acm: { certificateArn: `arn:aws:acm:us-east-1:000000000000:certificate/${name}` } },
  };
}

function node(
  name: string,
  spec: Partial<MeshResourceOf<'virtual-node'>['spec']> = {},
  listenerTls?: ListenerTls | null,
): MeshResourceOf<'virtual-node'> {
  return {
    kind: 'virtual-node',
    meshName: 'prod',
    name,
    spec: {
      serviceDiscovery: { dns: { hostname: `${name}.prod.local` } },
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' },
          ...(listenerTls === null ? {} : { tls: listenerTls ?? defaultTls(name) }),
        },
      ],
      ...spec,
    },
  };
}

function tlsPolicy(cas: readonly string[], exact?: readonly string[]): ClientPolicy {
  return {
    tls: {
      enforce: true,
      validation: {
        trust: { acm: { certificateAuthorityArns: [...cas] } },
        ...(exact ? { subjectAlternativeNames: { match: { exact: [...exact] } } } : {}),
      },
    },
  };
}

/** frontend calls web.prod.local, a router sending 100% to web-v1 (and 0% to web-v2 when asked). */
function mesh(
  frontendPolicy: ClientPolicy | undefined,
  options: { webTls?: ListenerTls | null } = {},
): MeshSnapshot {
  return {
    meshName: 'prod',
    takenAt: NOW.toISOString(),
    mesh: { kind: 'mesh', meshName: 'prod', name: 'prod', spec: {} },
    virtualNodes: [
      node('frontend', {
        backends: [
          {
            virtualService: {
              virtualServiceName: 'web.prod.local',
              ...(frontendPolicy ? { clientPolicy: frontendPolicy } : {}),
            },
          },
        ],
      }),
      node('web-v1', {}, options.webTls),
    ],
    virtualServices: [
      {
        kind: 'virtual-service',
        meshName: 'prod',
        name: 'web.prod.local',
        spec: { provider: { virtualRouter: { virtualRouterName: 'web-router' } } },
      },
      {
        kind: 'virtual-service',
        meshName: 'prod',
        name: 'frontend.prod.local',
        spec: { provider: { virtualNode: { virtualNodeName: 'frontend' } } },
      },
    ],
    virtualRouters: [
      {
        kind: 'virtual-router',
        meshName: 'prod',
        name: 'web-router',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      },
    ],
    routes: [
      {
        kind: 'route',
        meshName: 'prod',
        parentName: 'web-router',
        name: 'web-route',
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNode: 'web-v1', weight: 100, port: 8080 }] },
          },
        },
      },
    ],
    virtualGateways: [
      {
        kind: 'virtual-gateway',
        meshName: 'prod',
        name: 'ingress-gw',
        spec: {
          listeners: [{ portMapping: { port: 8443, protocol: 'http' } }],
          backendDefaults: { clientPolicy: tlsPolicy([OLD_CA], ['frontend.prod.local']) },
        },
      },
    ],
    gatewayRoutes: [
      {
        kind: 'gateway-route',
        meshName: 'prod',
        parentName: 'ingress-gw',
        name: 'to-frontend',
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { target: { virtualService: { virtualServiceName: 'frontend.prod.local' } } },
          },
        },
      },
    ],
  };
}

function world(
  snapshot: MeshSnapshot,
  web: PeerCertificate = certificate(),
  extra: Partial<HandshakeWorld> = {},
): HandshakeWorld {
  return {
    snapshot,
    facts: {
      certificates: new Map([
        [`acm:${WEB_V1}`, web],
        [`acm:${FRONTEND}`, certificate({ sans: ['frontend.prod.local'] })],
      ]),
      trusts: new Map([
        [`ca:${OLD_CA}`, [{ caArn: OLD_CA, subject: 'CN=old root,O=Acme' }]],
        [`ca:${NEW_CA}`, [{ caArn: NEW_CA, subject: 'CN=new root,O=Acme' }]],
      ]),
    },
    section: undefined,
    now: NOW,
    ...extra,
  };
}

function verdictOf(w: HandshakeWorld, caller: string, callee: string) {
  return judgeHandshakes(w).find((v) => v.pair.caller.name === caller && v.pair.callee.name === callee);
}

describe('the handshake model', () => {
  it('finds every caller -> callee pair: through a router with its share, directly, and from a gateway', () => {
    const pairs = handshakePairs(mesh(tlsPolicy([OLD_CA])));
    expect(
      pairs.map((p) => `${p.caller.name}->${p.callee.name}:${p.port} ${p.share}% ${p.service}`).sort(),
    ).toEqual([
      'frontend->web-v1:8080 100% web.prod.local',
      'ingress-gw->frontend:8080 100% frontend.prod.local',
    ]);
  });

  it('a rotation that "corrects" a name the caller validates by exact SAN breaks the pair, and says so', () => {
    // Prepare: web-v1 serves web.prod.local; frontend accepts exactly web.prod.local.
    const now = world(mesh(tlsPolicy([OLD_CA], ['web.prod.local'])));

    // Act
    const renewal = compareRenewal(now, `acm:${WEB_V1}`, certificate({ sans: ['web-v1.prod.local'] }));

    // Assess
    expect(verdictOf(now, 'frontend', 'web-v1')?.status).toBe('ok');
    expect(renewal.breaks.map((b) => b.reasons)).toEqual([
      [
        `web-v1's new certificate acm:${WEB_V1} names web-v1.prod.local; frontend accepts only web.prod.local`,
      ],
    ]);
    expect(renewal.breaks[0]?.pair.share).toBe(100);
  });

  it('the rotation plan keeps the names a caller validates instead of the service discovery name', () => {
    // Prepare
    const now = world(mesh(tlsPolicy([OLD_CA], ['web.prod.local'])));
    const entry: InventoryEntry = {
      id: `acm:${WEB_V1}`,
      type: 'leaf',
      location: { kind: 'acm', arn: WEB_V1 },
      facts: {
        subject: 'CN=web.prod.local',
        sans: ['web.prod.local'],
        issuer: 'CN=old root,O=Acme',
        notBefore: '2026-01-01T00:00:00Z',
        notAfter: '2026-12-03T00:00:00Z',
      },
      origin: 'acm-private',
      issuingCaArn: OLD_CA,
      usedBy: [
        {
          resourceKey: 'prod/virtual-node/web-v1',
          kind: 'virtual-node',
          role: 'listener',
          port: 8080,
          serviceName: 'web-v1.prod.local',
        },
      ],
    };
    const validated = new Map([[entry.id, namesCallersValidate(now, entry.id)]]);

    // Act
    const blind = planRotation(entry, undefined, NOW);
    const aware = planRotation(entry, undefined, NOW, { namesValidated: validated });

    // Assess: without the callers' names the plan renames the certificate; with them it keeps it.
    expect(blind.action === 'rotate' && blind.sans).toEqual(['web-v1.prod.local']);
    expect(aware.action === 'rotate' && aware.sans).toEqual(['web.prod.local']);
  });

  it('removing a CA a served leaf still chains to breaks the pair, though every trust holds the new CA', () => {
    // Prepare: mid-rollover, both CAs trusted; web-v1 is back on a certificate from the old CA.
    const before = world(mesh(tlsPolicy([OLD_CA, NEW_CA], ['web.prod.local'])));
    const after = { ...before, snapshot: mesh(tlsPolicy([NEW_CA], ['web.prod.local'])) };

    // Act
    const removal = compareHandshakes(before, after);

    // Assess
    expect(removal.breaks.map((b) => b.reasons)).toEqual([
      [`web-v1's certificate acm:${WEB_V1} is issued by ${OLD_CA}; frontend trusts only ${NEW_CA}`],
    ]);
  });

  it('a pair broken already is reported, never a reason to refuse a change', () => {
    // Prepare: web-v1 serves an imported certificate Envoy cannot load.
    const before = world(
      mesh(tlsPolicy([OLD_CA, NEW_CA])),
      certificate({ sans: ['web-v1.prod.local'], servable: false, unservable: 'imported' }),
    );
    const after = { ...before, snapshot: mesh(tlsPolicy([NEW_CA])) };

    // Act
    const removal = compareHandshakes(before, after);

    // Assess
    expect(removal.breaks).toEqual([]);
    expect(removal.brokenBefore.map((b) => b.reasons[0])).toEqual([
      `web-v1's certificate acm:${WEB_V1} cannot be loaded by Envoy (imported), so web-v1 serves none`,
    ]);
  });

  it('judges TLS modes: plaintext to STRICT fails, to PERMISSIVE works; TLS to a listener without TLS fails', () => {
    const permissive: ListenerTls = { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: WEB_V1 } } };
    const plainToStrict = verdictOf(world(mesh(undefined)), 'frontend', 'web-v1');
    const plainToPermissive = verdictOf(world(mesh(undefined, { webTls: permissive })), 'frontend', 'web-v1');
    const notEnforced = verdictOf(
      world(
        mesh({
          tls: { enforce: false, validation: { trust: { acm: { certificateAuthorityArns: [NEW_CA] } } } },
        }),
      ),
      'frontend',
      'web-v1',
    );
    const tlsToPlain = verdictOf(world(mesh(tlsPolicy([OLD_CA]), { webTls: null })), 'frontend', 'web-v1');

    expect(plainToStrict?.reasons).toEqual([
      'frontend calls web-v1 on port 8080 in plaintext; that listener accepts only TLS (STRICT)',
    ]);
    expect(plainToPermissive?.status).toBe('ok');
    expect(notEnforced?.status).toBe('broken');
    expect(tlsToPlain?.reasons).toEqual([
      'frontend originates TLS to web-v1 on port 8080; that listener does not terminate TLS',
    ]);
  });

  it('without exact SANs the caller expects the callee’s service discovery name; a wildcard covers it', () => {
    const named = verdictOf(world(mesh(tlsPolicy([OLD_CA]))), 'frontend', 'web-v1');
    const wildcard = verdictOf(
      world(mesh(tlsPolicy([OLD_CA])), certificate({ sans: ['*.prod.local'] })),
      'frontend',
      'web-v1',
    );

    expect(named?.reasons).toEqual([
      `web-v1's certificate acm:${WEB_V1} names web.prod.local; frontend validates no names, so it expects web-v1's service discovery name web-v1.prod.local`,
    ]);
    expect(wildcard?.status).toBe('ok');
    expect(nameCovers('*.prod.local', 'a.b.prod.local')).toBe(false);
  });

  it('an expired certificate, or one from a CA the caller does not trust, breaks the pair', () => {
    const expired = verdictOf(
      world(mesh(tlsPolicy([OLD_CA], ['web.prod.local'])), certificate({ notAfter: '2026-11-30T00:00:00Z' })),
      'frontend',
      'web-v1',
    );
    const untrusted = verdictOf(world(mesh(tlsPolicy([NEW_CA], ['web.prod.local']))), 'frontend', 'web-v1');

    expect(expired?.reasons).toEqual([`web-v1's certificate acm:${WEB_V1} expired at 2026-11-30T00:00:00Z`]);
    expect(untrusted?.status).toBe('broken');
  });

  it('a leaf from a subordinate CA chains to a trusted root, by the subordinate’s chain', () => {
    const sub = certificate({
      issuingCaArn: SUB_CA,
      issuer: 'CN=issuing,O=Acme',
      chainAbove: ['CN=old root,O=Acme'],
    });
    const viaRoot = verdictOf(
      world(mesh(tlsPolicy([OLD_CA], ['web.prod.local'])), sub),
      'frontend',
      'web-v1',
    );
    // Same name as the old root, other ARN: an ARN settles it, names do not.
    const lookalike = verdictOf(
      world(mesh(tlsPolicy([NEW_CA], ['web.prod.local'])), certificate({ issuer: 'CN=new root,O=Acme' })),
      'frontend',
      'web-v1',
    );

    expect(viaRoot?.status).toBe('ok');
    expect(lookalike?.status).toBe('broken');
  });

  it('mutual TLS: the listener validates the caller’s client certificate against its own trust', () => {
    // Prepare: web-v1 requires client certificates from a bundle in a mapped secret.
    const section = policyWith(
      'secrets:\n  - file: /certs/frontend/*\n    secret: certs/frontend\n  - file: /certs/ca/*\n    secret: certs/ca',
    ).forMesh('prod')?.document.certificates as CertificatesSection;
    const mtls: ListenerTls = {
      mode: 'STRICT',
      certificate: { acm: { certificateArn: WEB_V1 } },
      validation: {
        trust: { file: { certificateChain: '/certs/ca/bundle.pem' } },
        subjectAlternativeNames: { match: { exact: ['frontend.prod.local'] } },
      },
    };
    const withClient: ClientPolicy = {
      tls: {
        certificate: {
          file: { certificateChain: '/certs/frontend/chain.pem', privateKey: '/certs/frontend/key.pem' },
        },
        validation: { trust: { acm: { certificateAuthorityArns: [OLD_CA] } } },
      },
    };
    const base = world(mesh(withClient, { webTls: mtls }), certificate({ sans: ['web-v1.prod.local'] }), {
      section,
    });
    const trusts = new Map(base.facts.trusts);
    trusts.set('secret:certs/ca', [{ subject: 'CN=old root,O=Acme' }]);
    const clientCert = certificate({ sans: ['frontend.prod.local'], issuingCaArn: undefined });
    const facts = (client: PeerCertificate) => ({
      certificates: new Map([...base.facts.certificates, ['secret:certs/frontend', client]]),
      trusts,
    });

    // Act
    const works = verdictOf({ ...base, facts: facts(clientCert) }, 'frontend', 'web-v1');
    const renamed = compareRenewal({ ...base, facts: facts(clientCert) }, 'secret:certs/frontend', {
      ...clientCert,
      sans: ['frontend-v2.prod.local'],
    });
    const noClient = verdictOf(
      world(mesh(tlsPolicy([OLD_CA]), { webTls: mtls }), certificate(), { section }),
      'frontend',
      'web-v1',
    );

    // Assess
    expect(works?.status).toBe('ok');
    expect(renamed.breaks[0]?.reasons).toEqual([
      "frontend's new certificate secret:certs/frontend names frontend-v2.prod.local; web-v1 accepts only frontend.prod.local",
    ]);
    expect(noClient?.reasons).toContain(
      "web-v1's listener on port 8080 requires a client certificate; frontend presents none",
    );
  });

  it('a certificate or trust that cannot be read makes the pair unknown, not broken', () => {
    const w = world(mesh(tlsPolicy([OLD_CA])));
    const unread = { ...w, facts: { ...w.facts, certificates: new Map() } };

    const verdict = verdictOf(unread, 'frontend', 'web-v1');

    expect(verdict?.status).toBe('unknown');
    expect(verdict?.reasons).toEqual([`web-v1's certificate acm:${WEB_V1} cannot be read`]);
  });

  it('the audit reports each broken pair under tls.handshake on the caller, and nothing without facts', () => {
    // Prepare: frontend accepts only web.prod.local; web-v1 serves web-v1.prod.local.
    const w = world(
      mesh(tlsPolicy([OLD_CA], ['web.prod.local'])),
      certificate({ sans: ['web-v1.prod.local'] }),
    );
    const policy = policyWith('rules: []');

    // Act
    const judged = judgeMesh(w.snapshot, policy, NOW, {
      brokenHandshakes: brokenByCaller(judgeHandshakes(w)),
    });
    const blind = judgeMesh(w.snapshot, policy, NOW);

    // Assess
    const findings = judged.findings.filter((f) => f.ruleId === 'tls.handshake');
    expect(findings.map((f) => [f.resourceKey, f.message])).toEqual([
      [
        'prod/virtual-node/frontend',
        `virtual node frontend cannot complete a TLS handshake: frontend → web-v1 (port 8080, 100% of web.prod.local): web-v1's certificate acm:${WEB_V1} names web-v1.prod.local; frontend accepts only web.prod.local. Fix the certificate, the trust or the names before traffic shifts to it.`,
      ],
    ]);
    expect(blind.findings.filter((f) => f.ruleId === 'tls.handshake')).toEqual([]);
  });
});
