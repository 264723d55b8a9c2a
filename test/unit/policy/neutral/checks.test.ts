import { describe, expect, it } from 'vitest';
import type { GraphRoute } from '../../../../shared/domain/service-graph';
import { compileGlob, compileGlobSet } from '../../../../shared/policy/glob';
import { judgeMesh } from '../../../../shared/policy/judge';
import { callAllowed, callersAllowedFor, servicesAllowedFor } from '../../../../shared/policy/neutral/access';
import {
  servedAcmCertificateArns,
  servedCertificateFailure,
} from '../../../../shared/policy/neutral/certificates';
import { exceededTargetLimit, sendsNoTraffic } from '../../../../shared/policy/neutral/routes';
import { judgeServiceNetwork } from '../../../../shared/providers/vpc-lattice/rules/judge';
import { compliancePolicy, LOCAL_CA, node, OTHER_CA, snapshot } from '../fixtures';
import { latticePolicy, listener, network, service } from '../lattice/fixtures';

function routeOf(...weights: number[]): GraphRoute {
  return {
    key: 'k',
    label: 'route r',
    parent: 'p',
    targets: weights.map((weight, i) => ({ target: `t${i}`, weight })),
  };
}

describe('exceededTargetLimit', () => {
  it('judges against the tighter limit and says who set it (a tie is the provider’s)', () => {
    const route = routeOf(1, 1, 1, 1);
    expect(exceededTargetLimit(route, { policy: 3, provider: 10 })).toEqual({
      count: 4,
      max: 3,
      setBy: 'policy',
    });
    expect(exceededTargetLimit(route, { policy: 5, provider: 3 })).toEqual({
      count: 4,
      max: 3,
      setBy: 'provider',
    });
    expect(exceededTargetLimit(route, { policy: 3, provider: 3 })).toEqual({
      count: 4,
      max: 3,
      setBy: 'provider',
    });
    expect(exceededTargetLimit(route, { policy: 3, provider: undefined })).toEqual({
      count: 4,
      max: 3,
      setBy: 'policy',
    });
  });

  it('passes a route within its limit, or with no limit at all', () => {
    expect(exceededTargetLimit(routeOf(1, 1, 1), { policy: 3, provider: 10 })).toBeUndefined();
    expect(
      exceededTargetLimit(routeOf(1, 1, 1, 1), { policy: undefined, provider: undefined }),
    ).toBeUndefined();
  });
});

describe('sendsNoTraffic', () => {
  it('is true only for a route with targets, every one at weight 0', () => {
    expect(sendsNoTraffic(routeOf(0, 0))).toBe(true);
    expect(sendsNoTraffic(routeOf(0, 1))).toBe(false);
    expect(sendsNoTraffic(routeOf())).toBe(false);
  });
});

describe('servedCertificateFailure', () => {
  const allowed = compileGlobSet([LOCAL_CA]);
  const issuers = new Map([
    ['arn:cert/good', LOCAL_CA],
    ['arn:cert/rogue', OTHER_CA],
  ]);
  const issuerOf = (arn: string) => issuers.get(arn);

  it('passes an ACM certificate an allowed CA issued', () => {
    expect(
      servedCertificateFailure('x', { source: 'acm', arn: 'arn:cert/good' }, { allowed, issuerOf }),
    ).toBe(undefined);
  });

  it('says why each other certificate fails, naming where it is served', () => {
    const fail = (certificate: Parameters<typeof servedCertificateFailure>[1]) =>
      servedCertificateFailure('service web', certificate, { allowed, issuerOf });
    expect(fail({ source: 'acm', arn: 'arn:cert/rogue' })).toBe(
      `service web serves certificate arn:cert/rogue issued by ${OTHER_CA}, which the policy does not allow: re-issue it from ${LOCAL_CA}.`,
    );
    expect(fail({ source: 'acm', arn: 'arn:cert/unknown' })).toBe(
      `service web serves certificate arn:cert/unknown, whose issuing CA is unknown: make sure it is an ACM Private CA certificate issued by ${LOCAL_CA}.`,
    );
    expect(fail({ source: 'sds' })).toBe(
      `service web serves a certificate from an SDS secret, whose issuer cannot be checked: serve an ACM certificate issued by ${LOCAL_CA}.`,
    );
    expect(fail({ source: 'provider-default', provider: 'VPC Lattice' })).toBe(
      `service web serves HTTPS with VPC Lattice's own certificate, which the policy does not allow: give it a custom domain and an ACM certificate issued by ${LOCAL_CA}.`,
    );
  });

  it('words the same certificate facts the same on App Mesh and VPC Lattice, but for where it is served', () => {
    // Prepare: one rogue certificate, served by an App Mesh listener and by a Lattice service.
    const cert = 'arn:aws:acm:us-east-1:000000000000:certificate/shared';
    const certificateAuthorities = new Map([[cert, OTHER_CA]]);
    const ca = `      tls:\n        allowedCertificateAuthorities: ["${LOCAL_CA}"]`;
    const mesh = snapshot({
      nodes: [
        node('web', {
          listeners: [
            {
              portMapping: { port: 8443, protocol: 'http' },
              tls: { mode: 'STRICT', certificate: { acm: { certificateArn: cert } } },
            },
          ],
        }),
      ],
    });
    const net = network([
      service('web', { certificateArn: cert, listeners: [listener('https', 'HTTPS', [])] }),
    ]);
    const now = new Date('2026-12-06T08:00:00.000Z');

    // Act
    const appMesh = judgeMesh(mesh, compliancePolicy(ca), now, { certificateAuthorities }).findings;
    const lattice = judgeServiceNetwork(net, latticePolicy(ca), now, { certificateAuthorities }).findings;

    // Assess
    const tail = ` serves certificate ${cert} issued by ${OTHER_CA}, which the policy does not allow: re-issue it from ${LOCAL_CA}.`;
    expect(appMesh.filter((f) => f.ruleId === 'tls.allowed-ca').map((f) => f.message)).toEqual([
      `virtual node web listener 8443/http${tail}`,
    ]);
    expect(lattice.filter((f) => f.ruleId === 'lattice.allowed-ca').map((f) => f.message)).toEqual([
      `service web${tail}`,
    ]);
  });
});

describe('servedAcmCertificateArns', () => {
  it('lists each ACM certificate a TLS listener serves once, in listener order', () => {
    const tls = (certificate: Parameters<typeof servedCertificateFailure>[1]) => ({
      owner: 'o',
      label: 'l',
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: undefined, certificate },
    });
    const plain = { owner: 'o', label: 'l', port: 80, protocol: 'HTTP' };
    expect(
      servedAcmCertificateArns([
        tls({ source: 'acm', arn: 'arn:b' }),
        plain,
        tls({ source: 'file' }),
        tls({ source: 'acm', arn: 'arn:a' }),
        tls({ source: 'acm', arn: 'arn:b' }),
        tls({ source: 'provider-default', provider: 'VPC Lattice' }),
      ]),
    ).toEqual(['arn:b', 'arn:a']);
  });
});

describe('access graph', () => {
  const graph = [
    { node: compileGlob('frontend'), services: compileGlobSet(['web', 'db']) },
    { node: compileGlob('arn:aws:iam::*:role/batch-*'), services: compileGlobSet(['db']) },
  ];

  it('allows a call the graph lists for the caller, and no other', () => {
    expect(callAllowed(graph, { caller: 'frontend', service: 'db' })).toBe(true);
    expect(callAllowed(graph, { caller: 'frontend', service: 'payments' })).toBe(false);
    expect(callAllowed(graph, { caller: 'arn:aws:iam::1:role/batch-nightly', service: 'db' })).toBe(true);
    expect(callAllowed(graph, { caller: 'arn:aws:iam::1:role/batch-nightly', service: 'web' })).toBe(false);
  });

  it('allows a declaration covering every service only for a caller the graph names, and never anyone', () => {
    expect(callAllowed(graph, { caller: 'frontend', service: undefined })).toBe(true);
    expect(callAllowed(graph, { caller: 'rogue', service: undefined })).toBe(false);
    expect(callAllowed(graph, { caller: undefined, service: 'web' })).toBe(false);
  });

  it('lists what a caller may call and who may call a service, as the policy writes them', () => {
    expect(servicesAllowedFor(graph, 'frontend')).toEqual(['web', 'db']);
    expect(servicesAllowedFor(graph, 'rogue')).toEqual([]);
    expect(callersAllowedFor(graph, 'db')).toEqual(['frontend', 'arn:aws:iam::*:role/batch-*']);
  });
});
