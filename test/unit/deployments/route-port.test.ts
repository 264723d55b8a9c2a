import { describe, expect, it } from 'vitest';
import { recordNamesOf, routeRefOf, weightedRoutesFor } from '../../../shared/deployments/route-port';
import { parseRouteId } from '../../../shared/domain/weighted-route';
import { ConfigError } from '../../../shared/errors';
import { appMeshWeightedRoutes } from '../../../shared/providers/appmesh/weighted-routes';
import { harness } from './fakes';

const KEY = 'prod/web-router/web-route';

describe('the WeightedRoutes port on App Mesh', () => {
  it('reads a route with one DescribeRoute: weights per virtual node, its version as the etag', async () => {
    // Prepare
    const h = harness();
    h.mesh.put(KEY, { 'web-v1': 90, 'web-v2': 10 });
    const routes = appMeshWeightedRoutes(h.deps.routes, h.deps.meshes);

    // Act
    const route = await routes.read({ id: parseRouteId(KEY), arn: undefined });

    // Assess
    expect(h.mesh.calls).toEqual(['DescribeRoute']);
    expect(route).toMatchObject({ weights: { 'web-v1': 90, 'web-v2': 10 }, version: '1' });
    expect(route?.id).toEqual(parseRouteId(KEY));
  });

  it('writes only the weights with one UpdateRoute, keeping the rest of the spec, and sees a race in the version', async () => {
    // Prepare
    const h = harness();
    h.mesh.put(KEY, { 'web-v1': 90, 'web-v2': 10 });
    const routes = appMeshWeightedRoutes(h.deps.routes, h.deps.meshes);
    const read = await routes.read({ id: parseRouteId(KEY), arn: undefined });
    if (read === undefined) throw new Error('no route');

    // Act
    const first = await routes.writeWeights(read, { 'web-v1': 100 }, { clientToken: 'mw-one' });
    h.mesh.put(KEY, { 'web-v1': 50, 'web-v2': 50 });
    const raced = await routes.writeWeights(read, { 'web-v1': 100 }, { clientToken: 'mw-two' });

    // Assess
    expect(first.followsRead).toBe(true);
    expect(raced.followsRead).toBe(false);
    expect(h.mesh.tokens).toEqual(['mw-one', 'mw-two']);
    const spec = h.mesh.routes.get(KEY)?.spec;
    expect(spec?.priority).toBe(5);
    expect(spec?.httpRoute?.retryPolicy?.maxRetries).toBe(2);
    expect(spec?.httpRoute?.action.weightedTargets).toEqual([
      { virtualNode: 'web-v1', weight: 100, port: 8080 },
      { virtualNode: 'web-v2', weight: 0, port: 8080 },
    ]);
  });
});

describe('which port serves a route', () => {
  it('serves App Mesh keys from the guard itself and refuses a Lattice key without a Lattice provider', () => {
    // Prepare
    const h = harness();

    // Act + Assess
    expect(() => weightedRoutesFor(h.deps, parseRouteId(KEY))).not.toThrow();
    expect(() => weightedRoutesFor(h.deps, parseRouteId('prod-net/web/http/default'))).toThrow(ConfigError);
  });

  it("derives a record's route from its key and ARN, and a Lattice record's name fields", () => {
    // Act
    const ref = routeRefOf({ routeKey: 'prod-net/web/http/default', routeArn: 'arn:x' });

    // Assess
    expect(ref).toEqual({
      id: {
        provider: 'vpc-lattice',
        serviceNetwork: 'prod-net',
        service: 'web',
        listener: 'http',
        rule: 'default',
      },
      arn: 'arn:x',
    });
    expect(recordNamesOf(ref.id)).toEqual({
      meshName: 'prod-net',
      virtualRouterName: 'web',
      routeName: 'http/default',
    });
  });
});
