import { describe, expect, it } from 'vitest';
import { resolveLatticeReferences } from '../../../../shared/providers/vpc-lattice/rules/references';
import { latticePolicy, network, service } from './fixtures';

describe('resolveLatticeReferences', () => {
  const p = latticePolicy(
    `      accessGraph: { 'arn:aws:iam::*:role/frontend': [web, 'pay*', checkout] }`,
    `      - { resource: 'prod-net/listener/web/*', rules: [lattice.https-only], expires: '2027-01-31', reason: 'migration' }
      - { resource: 'prod-net/service/legacy', rules: [lattice.iam-auth], expires: '2027-01-31', reason: 'retiring' }`,
  );

  it('passes exemptions and access graph services that match what the network has', () => {
    // Prepare: a network with services web, payments and checkout, and a legacy service.
    const net = network(['web', 'payments', 'checkout', 'legacy'].map((name) => service(name)));
    // Act + Assess
    expect(resolveLatticeReferences(p, [net])).toEqual([]);
  });

  it('reports an exemption that covers nothing and a graph service that does not exist, where they are written', () => {
    // Prepare
    const net = network([service('web'), service('payments')]);
    // Act
    const found = resolveLatticeReferences(p, [net]);
    // Assess
    expect(found.map((f) => [f.path, f.message])).toEqual([
      [
        'meshes[0].exemptions[1].resource',
        '"prod-net/service/legacy" matches no resource in service network prod-net (keys read <network>/service/<service>, <network>/listener/<service>/<listener>, <network>/rule/<service>/<listener>/<rule>): the exemption covers nothing',
      ],
      [
        'meshes[0].compliance.accessGraph.arn:aws:iam::*:role/frontend[2]',
        '"checkout" matches no service in service network prod-net',
      ],
    ]);
    expect(found[0]).toMatchObject({
      file: 'test.policy.yaml',
      line: expect.any(Number),
      col: expect.any(Number),
    });
  });
});
