import { describe, expect, it } from 'vitest';
import { type KnownIds, refKey } from '../../../shared/migration/apply-changes';
import {
  type BridgeShiftInput,
  bridgeClientToken,
  parseRouteName,
  parseSteps,
  planBridgeShift,
} from '../../../shared/migration/bridge-shift';
import type { ExistingLattice, ExistingService } from '../../../shared/migration/lattice-target';
import { planMigration } from '../../../shared/migration/plan-migration';
import type { MeshResourceOf } from '../../../shared/providers/appmesh/model';
import { httpRoute, MESH, node, router, serviceOnRouter, snapshotOf } from './mesh-fixtures';

const DOMAIN = 'api-0a1b2c3d.7f3e9a1.vpc-lattice-svcs.us-east-1.on.aws';
const ROUTE = httpRoute('r', 'api', { prefix: '/api' }, { a: 3, b: 1 });

/** The plan of a mesh with one router whose route splits 3:1 between nodes a and b. */
function planned() {
  const plan = planMigration(
    snapshotOf(MESH, [node('a'), node('b'), router('r'), ROUTE, serviceOnRouter('api.shop.local', 'r')]),
    { serviceNetworkName: 'shop-lattice' },
  );
  const known: KnownIds = new Map(
    plan.targetGroups.map((g, i) => [
      refKey({ kind: 'target-group', name: g.name }),
      { id: `tg-${i}`, arn: `arn:aws:vpc-lattice:us-east-1:000000000000:targetgroup/tg-${i}` },
    ]),
  );
  return { plan, known };
}

function latticeWith(services: readonly Partial<ExistingService>[]): ExistingLattice {
  return {
    serviceNetwork: undefined,
    targetGroups: [],
    services: services.map((s, i) => ({
      id: `svc-${i}`,
      arn: `arn:aws:vpc-lattice:us-east-1:000000000000:service/svc-${i}`,
      name: 'unnamed',
      authType: 'NONE',
      customDomainName: undefined,
      certificateArn: undefined,
      authPolicy: undefined,
      tags: {},
      listeners: [],
      ...s,
    })),
  };
}

function input(overrides: Partial<BridgeShiftInput> = {}): BridgeShiftInput {
  const { plan, known } = planned();
  const service = plan.services[0]?.name ?? '';
  return {
    plan,
    known,
    existing: latticeWith([{ name: service, domainName: DOMAIN }]),
    route: ROUTE,
    nodes: new Map([
      ['a', node('a')],
      ['b', node('b')],
    ]),
    existingBridge: () => undefined,
    steps: [10, 50, 100],
    ...overrides,
  };
}

function weightsOf(route: MeshResourceOf<'route'>['spec']) {
  return route.httpRoute?.action.weightedTargets.map((t) => [t.virtualNode, t.weight]);
}

describe('planBridgeShift', () => {
  it('plans the bridge at the Lattice service’s DNS name with the targets’ listener, and the first step keeping their split', () => {
    const decision = planBridgeShift(input());

    if (decision.kind !== 'planned') throw new Error(decision.problems.join('; '));
    const shift = decision.shift;
    expect(shift.appMeshKey).toBe(`${MESH}/r/api`);
    expect(shift.latticeKey).toMatch(/^shop-lattice\/[^/]+\/[^/]+\/[^/]+$/);
    expect(shift.createBridge).toMatchObject({
      kind: 'virtual-node',
      meshName: MESH,
      name: 'a-lattice',
      spec: {
        serviceDiscovery: { dns: { hostname: DOMAIN } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      },
    });
    expect(shift.stableWeights).toEqual({ a: 3, b: 1 });
    expect(shift.stableTarget).toBe('a');
    // 90 shared 3:1 is 67.5/22.5: whole numbers that add up, the tie to the first listed.
    expect(shift.firstWeights).toEqual({ a: 68, b: 22, 'a-lattice': 10 });
    expect(weightsOf(shift.routeSpec)).toEqual([
      ['a', 68],
      ['b', 22],
      ['a-lattice', 10],
    ]);
    expect(shift.routeSpec.httpRoute?.match).toEqual({ prefix: '/api' });
  });

  it('keeps a bridge that exists as planned, and reuses it when the route still names it at 0', () => {
    const first = planBridgeShift(input());
    if (first.kind !== 'planned' || first.shift.createBridge === undefined) throw new Error('not planned');
    const bridge = { ...first.shift.createBridge, metadata: undefined };
    const rolledBack = httpRoute('r', 'api', { prefix: '/api' }, { a: 3, b: 1, 'a-lattice': 0 });

    const again = planBridgeShift(input({ route: rolledBack, existingBridge: () => bridge }));

    if (again.kind !== 'planned') throw new Error(again.problems.join('; '));
    expect(again.shift.createBridge).toBeUndefined();
    expect(again.shift.stableWeights).toEqual({ a: 3, b: 1 });
    expect(weightsOf(again.shift.routeSpec)).toEqual([
      ['a', 68],
      ['b', 22],
      ['a-lattice', 10],
    ]);
  });

  it('refuses when the VPC Lattice service does not exist: migrate apply first', () => {
    const decision = planBridgeShift(input({ existing: latticeWith([]) }));

    expect(decision).toEqual({
      kind: 'refused',
      problems: [expect.stringContaining('run migrate apply first')],
    });
  });

  it('refuses when the route sends traffic to a node the plan does not', () => {
    const route = httpRoute('r', 'api', { prefix: '/api' }, { a: 3, c: 1 });

    const decision = planBridgeShift(
      input({
        route,
        nodes: new Map([
          ['a', node('a')],
          ['c', node('c')],
        ]),
      }),
    );

    expect(decision.kind).toBe('refused');
    expect(decision.kind === 'refused' && decision.problems.join('\n')).toContain(
      'sends traffic to c, which',
    );
  });

  it('refuses when the targets listen differently, a same-named node is not the bridge, or the bridge carries traffic', () => {
    const differently = planBridgeShift(
      input({
        nodes: new Map([
          ['a', node('a')],
          ['b', node('b', { listeners: [{ portMapping: { port: 9090, protocol: 'http' } }] })],
        ]),
      }),
    );
    const taken = planBridgeShift(input({ existingBridge: () => node('a-lattice') }));
    const carrying = planBridgeShift(
      input({ route: httpRoute('r', 'api', { prefix: '/api' }, { a: 3, b: 1, 'a-lattice': 2 }) }),
    );

    expect(differently.kind === 'refused' && differently.problems.join('\n')).toContain('listen differently');
    expect(taken.kind === 'refused' && taken.problems.join('\n')).toContain(
      'virtual node a-lattice exists and is not the bridge',
    );
    expect(carrying.kind === 'refused' && carrying.problems.join('\n')).toContain('a shift is under way');
  });

  it('refuses a route the plan does not carry over', () => {
    const other = httpRoute('other-router', 'x', { prefix: '/' }, { a: 1 });

    const decision = planBridgeShift(input({ route: other }));

    expect(decision).toEqual({
      kind: 'refused',
      problems: [expect.stringContaining(`route ${MESH}/other-router/x is not in the migration plan`)],
    });
  });

  it('gives the same bridge the same client token, and another bridge another', () => {
    const decision = planBridgeShift(input());
    if (decision.kind !== 'planned' || decision.shift.createBridge === undefined)
      throw new Error('not planned');
    const bridge = decision.shift.createBridge;

    const token = bridgeClientToken(bridge);

    expect(token).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
    expect(bridgeClientToken(structuredClone(bridge))).toBe(token);
    expect(
      bridgeClientToken({
        ...bridge,
        spec: { ...bridge.spec, serviceDiscovery: { dns: { hostname: 'x.on.aws' } } },
      }),
    ).not.toBe(token);
  });
});

describe('shift flags', () => {
  it('takes increasing percents ending at 100, and refuses anything else', () => {
    expect(parseSteps('10,50,100')).toEqual([10, 50, 100]);
    expect(parseSteps('100')).toEqual([100]);
    for (const bad of ['50,10,100', '10,50', '0,100', '10,10,100', '10,,100', '10.5,100', '-5,100'])
      expect(() => parseSteps(bad), bad).toThrow(/--steps/);
  });

  it('takes ROUTER/ROUTE', () => {
    expect(parseRouteName('web-router/web-route')).toEqual({
      virtualRouterName: 'web-router',
      routeName: 'web-route',
    });
    for (const bad of ['web-route', 'a/b/c', '/b', 'a/'])
      expect(() => parseRouteName(bad), bad).toThrow(/--route/);
  });
});
