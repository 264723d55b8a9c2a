import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planMigration } from '../../../shared/migration/plan-migration';
import { hasLostFeatures } from '../../../shared/migration/plan-model';
import type { HeaderMatch, HttpMethod, MeshResource } from '../../../shared/providers/appmesh/model';
import { httpRoute, MESH, node, router, serviceOnRouter, snapshotOf } from './mesh-fixtures';

const NODES = ['n1', 'n2', 'n3', 'n4'];
const segment = fc.constantFrom('a', 'b', 'ab', 'A', 'v1', 'a-b');
const path = fc.array(segment, { minLength: 0, maxLength: 3 }).map((s) => `/${s.join('/')}`);
const pathMatch = fc.oneof(
  path.map((p) => ({ prefix: p })),
  fc.tuple(path, fc.boolean()).map(([p, slash]) => ({ prefix: slash || p === '/' ? p : `${p}/` })),
  path.map((p) => ({ path: { exact: p } })),
);
const header: fc.Arbitrary<HeaderMatch> = fc
  .tuple(
    fc.constantFrom('x-beta', 'X-Tenant', 'user-agent'),
    fc.constantFrom('1', 'yes', 'Yes', 'ios', 'ios/17'),
    fc.boolean(),
  )
  .map(([name, value, exact]) => ({ name, match: exact ? { exact: value } : { prefix: value } }));
const routeShape = fc.record({
  match: pathMatch,
  method: fc.option(fc.constantFrom<HttpMethod>('GET', 'POST', 'DELETE'), { nil: undefined }),
  headers: fc.uniqueArray(header, { maxLength: 2, selector: (h) => h.name.toLowerCase() }),
  priority: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  targets: fc.uniqueArray(fc.tuple(fc.constantFrom(...NODES), fc.integer({ min: 0, max: 100 })), {
    minLength: 1,
    maxLength: 3,
    selector: ([n]) => n,
  }),
});
const mesh = fc
  .array(fc.array(routeShape, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .map((routers): MeshResource[] => [
    ...NODES.map((n) => node(n)),
    ...routers.flatMap((routes, i) => [
      router(`r${i}`),
      serviceOnRouter(`svc${i}.shop.local`, `r${i}`),
      ...routes.map((r, j) =>
        httpRoute(
          `r${i}`,
          `route-${j}`,
          {
            ...r.match,
            ...(r.method !== undefined ? { method: r.method } : {}),
            ...(r.headers.length > 0 ? { headers: r.headers } : {}),
          },
          Object.fromEntries(r.targets),
          r.priority !== undefined ? { priority: r.priority } : {},
        ),
      ),
    ]),
  ]);

describe('routing parity (property)', () => {
  it('the App Mesh and Lattice evaluators agree on every simulated request for meshes without lost features', () => {
    fc.assert(
      fc.property(mesh, (resources) => {
        const plan = planMigration(snapshotOf(MESH, resources));

        expect(hasLostFeatures(plan)).toBe(false);
        expect(plan.routingParity?.requestsTried).toBeGreaterThan(0);
        expect(plan.routingParity?.differences).toEqual([]);
        expect(plan.routingParity?.lostDifferences).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
