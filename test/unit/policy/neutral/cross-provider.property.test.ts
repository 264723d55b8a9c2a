/**
 * The point of one core: a weighted route with the same targets and weights gets the same
 * verdict on App Mesh and on VPC Lattice, through each provider's mapper and its real rules.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledCompliance } from '../../../../shared/policy/compile';
import { buildMeshIndex } from '../../../../shared/policy/mesh-index';
import { exceededTargetLimit, sendsNoTraffic } from '../../../../shared/policy/neutral/routes';
import { RULES_BY_ID } from '../../../../shared/providers/appmesh/rules';
import { appMeshRouteOf } from '../../../../shared/providers/appmesh/service-graph';
import { LATTICE_DEFAULT_WEIGHT } from '../../../../shared/providers/vpc-lattice/mapping';
import { MAX_LATTICE_TARGET_GROUPS } from '../../../../shared/providers/vpc-lattice/rules/forward';
import { LATTICE_RULES } from '../../../../shared/providers/vpc-lattice/rules/index';
import { latticeRouteOf } from '../../../../shared/providers/vpc-lattice/service-graph';
import { httpRoute, route, snapshot } from '../fixtures';
import { forward, listener, network, rule, service } from '../lattice/fixtures';

/**
 * One target: a name from a small pool (so some routes list a target twice), a weight both
 * providers accept (App Mesh 0..100), and whether the Lattice rule writes it without a weight.
 */
const target = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'),
  weight: fc.integer({ min: 0, max: 100 }),
  unweighted: fc.boolean(),
});

// Both providers' APIs take 1..10 weighted targets per route.
const targets = fc.array(target, { minLength: 1, maxLength: MAX_LATTICE_TARGET_GROUPS });
const policyMax = fc.option(fc.integer({ min: 1, max: MAX_LATTICE_TARGET_GROUPS }), { nil: undefined });

type Target = { name: string; weight: number; unweighted: boolean };

/** The App Mesh route and the Lattice rule carrying the same targets and effective weights. */
function equivalentRoutes(list: readonly Target[]) {
  // Lattice applies its default to a target written without a weight; App Mesh states it.
  const effective = (t: Target) =>
    t.unweighted ? (list.length === 1 ? LATTICE_DEFAULT_WEIGHT : 0) : t.weight;
  const appMesh = route(
    'web-router',
    'web',
    httpRoute(list.map((t) => ({ virtualNode: `tg-${t.name}`, weight: effective(t) }))),
  );
  const latticeRule = rule(
    'web',
    forward(...list.map((t) => [`tg-${t.name}`, t.unweighted ? undefined : t.weight] as const)),
  );
  const https = listener('https', 'HTTPS', [latticeRule]);
  const web = service('web', { listeners: [https] });
  return { appMesh, latticeRule, https, web, net: network([web]) };
}

function compliance(max: number | undefined): CompiledCompliance {
  return {
    routes: {
      requireRetryPolicy: false,
      requireTimeout: false,
      maxWeightedTargets: max,
      requireNonZeroWeights: true,
    },
  };
}

function latticeRule(id: string) {
  const found = LATTICE_RULES.find((r) => r.id === id);
  if (found === undefined) throw new Error(`no Lattice rule ${id}`);
  return found;
}

function appMeshRule(id: 'route.max-targets' | 'route.weights-nonzero') {
  const found = RULES_BY_ID.get(id);
  if (found === undefined) throw new Error(`no App Mesh rule ${id}`);
  return found;
}

describe('neutral route checks across providers', () => {
  it('map both providers to the same weighted targets', () => {
    fc.assert(
      fc.property(targets, (list) => {
        const { appMesh, latticeRule: r, https, web } = equivalentRoutes(list);
        expect(latticeRouteOf('prod-net', web, https, r).targets).toEqual(appMeshRouteOf(appMesh).targets);
      }),
    );
  });

  it('give the same all-zero verdict through both providers’ rules', () => {
    fc.assert(
      fc.property(targets, (list) => {
        const { appMesh, latticeRule: r, https, web, net } = equivalentRoutes(list);
        const appMeshFails =
          appMeshRule('route.weights-nonzero').check(appMesh, {
            index: buildMeshIndex(snapshot({ routes: [appMesh] })),
            compliance: compliance(undefined),
            certificateAuthorityOf: () => undefined,
          }).length > 0;
        const latticeFails =
          latticeRule('lattice.weights-nonzero').check(
            { kind: 'rule', service: web, listener: https, rule: r },
            {
              network: net,
              compliance: {},
              targetGroupIds: new Set(),
              certificateAuthorityOf: () => undefined,
            },
          ).length > 0;
        const neutral = sendsNoTraffic(appMeshRouteOf(appMesh));
        expect(appMeshFails).toBe(neutral);
        expect(latticeFails).toBe(neutral);
        // The verdict is the plain fact: some target listed, none with weight.
        expect(neutral).toBe(list.every((t) => (t.unweighted ? list.length > 1 : t.weight === 0)));
      }),
    );
  });

  it('give the same target-limit verdict through both providers’ rules', () => {
    fc.assert(
      fc.property(targets, policyMax, (list, max) => {
        const { appMesh, latticeRule: r, https, web, net } = equivalentRoutes(list);
        const appMeshFailures = appMeshRule('route.max-targets').check(appMesh, {
          index: buildMeshIndex(snapshot({ routes: [appMesh] })),
          compliance: compliance(max),
          certificateAuthorityOf: () => undefined,
        });
        const latticeFailures = latticeRule('lattice.forward-limits').check(
          { kind: 'rule', service: web, listener: https, rule: r },
          {
            network: net,
            compliance: compliance(max),
            targetGroupIds: new Set(),
            certificateAuthorityOf: () => undefined,
          },
        );
        const overLimit = max !== undefined && list.length > max;
        expect(appMeshFailures.length > 0).toBe(overLimit);
        // Weights here are within Lattice's range, so a Lattice failure is the limit's.
        expect(latticeFailures.length > 0).toBe(overLimit);
        const neutral = exceededTargetLimit(appMeshRouteOf(appMesh), { policy: max, provider: undefined });
        expect(neutral === undefined).toBe(!overLimit);
      }),
    );
  });
});
