import { describe, expect, it } from 'vitest';
import { AppMeshRouterEvaluator } from '../../../shared/migration/appmesh-evaluator';
import { LatticeListenerEvaluator } from '../../../shared/migration/lattice-evaluator';
import type { MigrationPlan, PlannedListener, SimulatedRequest } from '../../../shared/migration/plan-model';
import { simulateRouting } from '../../../shared/migration/simulate-routing';
import { translateMesh } from '../../../shared/migration/translate';
import { httpRoute, MESH, node, router, serviceOnRouter, snapshotOf } from './mesh-fixtures';

const request = (path: string, headers: Record<string, string> = {}, method = 'GET'): SimulatedRequest => ({
  port: 8080,
  method,
  path,
  headers,
});

describe('AppMeshRouterEvaluator', () => {
  const routes = [
    httpRoute(
      'r',
      'beta',
      { prefix: '/api', headers: [{ name: 'X-Beta', match: { exact: 'yes' } }] },
      { b: 1 },
    ),
    httpRoute(
      'r',
      'not-ios',
      { prefix: '/m', headers: [{ name: 'ua', invert: true, match: { prefix: 'ios' } }] },
      { b: 1 },
    ),
    httpRoute('r', 'api', { prefix: '/api' }, { a: 3, b: 1 }),
    httpRoute('r', 'exact', { path: { exact: '/health' }, method: 'GET' }, { a: 1 }, { priority: 5 }),
  ];
  const evaluator = new AppMeshRouterEvaluator(routes, 8080, true);

  it('tries routes with a priority first, then the most specific, and shares by weight', () => {
    expect(evaluator.evaluate(request('/health'))?.route.name).toBe('exact');
    expect(evaluator.evaluate(request('/health', {}, 'POST'))).toBeNull();
    expect(evaluator.evaluate(request('/api/x'))?.shares).toEqual({ a: 0.75, b: 0.25 });
    expect(evaluator.evaluate(request('/apix'))?.route.name).toBe('api');
    expect(evaluator.evaluate(request('/API'))).toBeNull();
  });

  it('matches header names in any case and values exactly; an inverted match takes a missing header', () => {
    expect(evaluator.evaluate(request('/api', { 'x-beta': 'yes' }))?.route.name).toBe('beta');
    expect(evaluator.evaluate(request('/api', { 'x-beta': 'YES' }))?.route.name).toBe('api');
    expect(evaluator.evaluate(request('/m'))?.route.name).toBe('not-ios');
    expect(evaluator.evaluate(request('/m', { ua: 'ios/17' }))).toBeNull();
  });
});

describe('LatticeListenerEvaluator', () => {
  const listener: PlannedListener = {
    name: 'l',
    protocol: 'HTTP',
    port: 8080,
    defaultAction: { fixedResponse: { statusCode: 404 } },
    source: [],
    rules: [
      {
        name: 'second',
        priority: 20,
        match: { path: { match: { prefix: '/a' }, caseSensitive: false } },
        action: {
          forward: {
            targetGroups: [
              { targetGroupName: 'tg-a', weight: 2 },
              { targetGroupName: 'tg-b', weight: 6 },
            ],
          },
        },
        source: [],
      },
      {
        name: 'first',
        priority: 10,
        match: {
          path: { match: { exact: '/a/b' }, caseSensitive: true },
          method: 'PUT',
          headerMatches: [{ name: 'X-T', caseSensitive: false, match: { contains: 'eta' } }],
        },
        action: { forward: { targetGroups: [{ targetGroupName: 'tg-b', weight: 1 }] } },
        source: [],
      },
    ],
  };
  const evaluator = new LatticeListenerEvaluator(listener);

  it('takes the lowest priority that matches, else the default action', () => {
    expect(evaluator.evaluate(request('/a/b', { 'x-t': 'BETA' }, 'PUT')).rule?.name).toBe('first');
    expect(evaluator.evaluate(request('/a/b', { 'x-t': 'BETA' }, 'put')).rule?.name).toBe('second');
    expect(evaluator.evaluate(request('/A/B', { 'x-t': 'beta' }, 'PUT')).rule?.name).toBe('second');
    expect(evaluator.evaluate(request('/a/b')).shares).toEqual({ 'tg-a': 0.25, 'tg-b': 0.75 });
    expect(evaluator.evaluate(request('/b'))).toEqual({ rule: undefined, shares: null });
  });
});

describe('simulateRouting', () => {
  const snapshot = snapshotOf(MESH, [
    node('a'),
    node('b'),
    router('r'),
    httpRoute(
      'r',
      'beta',
      { prefix: '/api', headers: [{ name: 'x-beta', match: { exact: '1' } }] },
      { b: 1 },
    ),
    httpRoute('r', 'by-id', { path: { regex: '/api/[0-9]+' } }, { b: 1 }, { priority: 1 }),
    httpRoute('r', 'api', { prefix: '/api' }, { a: 1 }),
    serviceOnRouter('api.shop.local', 'r'),
  ]);

  it('finds no difference on carried-over routes and reports the lost route apart, with an example request', () => {
    const plan = translateMesh(snapshot);

    const parity = simulateRouting(snapshot, plan);

    expect(parity.differences).toEqual([]);
    expect(parity.lostDifferences.length).toBeGreaterThan(0);
    expect(parity.lostDifferences[0]).toMatchObject({
      service: 'api-shop-local',
      fromLostFeature: true,
      appMesh: { b: 1 },
      lattice: { a: 1 },
      explanation: expect.stringContaining('by-id'),
    });
  });

  it('finds the difference when a plan gets the rule order wrong', () => {
    const plan = translateMesh(snapshot);
    const service = plan.services[0];
    const listener = service?.listeners[0];
    if (service === undefined || listener === undefined) throw new Error('no listener');
    const swapped: MigrationPlan = {
      ...plan,
      services: [
        {
          ...service,
          listeners: [
            { ...listener, rules: listener.rules.map((r) => ({ ...r, priority: 10 - r.priority })) },
          ],
        },
      ],
    };

    const parity = simulateRouting(snapshot, swapped);

    expect(parity.differences.length).toBeGreaterThan(0);
    expect(parity.differences[0]?.request.headers).toMatchObject({ 'x-beta': '1' });
  });

  it('finds the difference when a plan changes a weight ratio', () => {
    const weighted = snapshotOf(MESH, [
      node('a'),
      node('b'),
      router('r'),
      httpRoute('r', 'split', { prefix: '/' }, { a: 1, b: 1 }),
      serviceOnRouter('api.shop.local', 'r'),
    ]);
    const plan = translateMesh(weighted);
    const changed = JSON.parse(JSON.stringify(plan).replace('"weight":1}]', '"weight":2}]')) as MigrationPlan;

    expect(simulateRouting(weighted, plan).differences).toEqual([]);
    expect(simulateRouting(weighted, changed).differences[0]).toMatchObject({ appMesh: { a: 0.5, b: 0.5 } });
  });
});
