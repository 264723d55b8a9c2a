import { describe, expect, it } from 'vitest';
import { meshGraph } from '../../../shared/console-api/graph';
import { weightHistoryOf } from '../../../shared/console-api/views';
import type { Deployment } from '../../../shared/deployments/model';
import { rolesOf } from '../../../shared/policy/sections/api';
import type { MeshResource } from '../../../shared/providers/appmesh/model';

const route = (weights: [string, number][]) =>
  ({
    kind: 'route',
    meshName: 'prod',
    parentName: 'web-router',
    name: 'web-route',
    spec: {
      httpRoute: {
        match: { prefix: '/' },
        action: {
          weightedTargets: weights.map(([virtualNode, weight]) => ({ virtualNode, weight, port: 8080 })),
        },
      },
    },
  }) as unknown as MeshResource & { kind: 'route' };

const RESOURCES = [
  { kind: 'mesh', meshName: 'prod', name: 'prod', spec: {} },
  { kind: 'virtual-node', meshName: 'prod', name: 'web-v1', spec: {} },
  { kind: 'virtual-node', meshName: 'prod', name: 'web-v2', spec: {} },
  {
    kind: 'virtual-node',
    meshName: 'prod',
    name: 'frontend',
    spec: { backends: [{ virtualService: { virtualServiceName: 'web.prod.local' } }] },
  },
  {
    kind: 'virtual-service',
    meshName: 'prod',
    name: 'web.prod.local',
    spec: { provider: { virtualRouter: { virtualRouterName: 'web-router' } } },
  },
  { kind: 'virtual-router', meshName: 'prod', name: 'web-router', spec: {} },
  route([
    ['web-v1', 90],
    ['web-v2', 10],
  ]),
  { kind: 'virtual-gateway', meshName: 'prod', name: 'ingress-gw', spec: {} },
  {
    kind: 'gateway-route',
    meshName: 'prod',
    parentName: 'ingress-gw',
    name: 'to-web',
    spec: {
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceName: 'web.prod.local' } } },
      },
    },
  },
] as unknown as MeshResource[];

describe('the mesh graph', () => {
  it('links gateways, services, routers with weighted routes, and nodes with their backends', () => {
    expect(meshGraph('prod', RESOURCES)).toEqual({
      mesh: 'prod',
      gateways: [{ name: 'ingress-gw', routes: [{ name: 'to-web', service: 'web.prod.local' }] }],
      services: [{ name: 'web.prod.local', provider: { kind: 'virtual-router', name: 'web-router' } }],
      routers: [
        {
          name: 'web-router',
          routes: [
            {
              name: 'web-route',
              routeKey: 'prod/web-router/web-route',
              targets: [
                { node: 'web-v1', weight: 90 },
                { node: 'web-v2', weight: 10 },
              ],
            },
          ],
        },
      ],
      nodes: [
        { name: 'frontend', backends: ['web.prod.local'] },
        { name: 'web-v1', backends: [] },
        { name: 'web-v2', backends: [] },
      ],
    });
  });

  it('takes the weights from the routes read fresh, not from the cached ones', () => {
    const fresh = route([
      ['web-v1', 100],
      ['web-v2', 0],
    ]);
    const graph = meshGraph('prod', RESOURCES, [fresh]);
    expect(graph.routers[0]?.routes[0]?.targets).toEqual([
      { node: 'web-v1', weight: 100 },
      { node: 'web-v2', weight: 0 },
    ]);
  });
});

describe('a deployment’s weight history', () => {
  const deployment = {
    deploymentId: 'd1',
    status: 'rolled-back',
    stableTarget: 'web-v1',
    stableSource: 'most-weight-before',
    canaryTargets: ['web-v2'],
    weightsBefore: { 'web-v1': 90, 'web-v2': 10 },
    baseline: { 'web-v1': 80, 'web-v2': 20 },
    startedBy: { label: 'admin' },
    startedAt: '2026-12-06T10:00:00Z',
    openedByEventId: 'e1',
    updatedAt: '2026-12-06T10:05:00Z',
    notes: [
      {
        at: '2026-12-06T10:00:00Z',
        text: 'Opened by admin: web-v1 90 / web-v2 10 -> web-v1 80 / web-v2 20; stable target web-v1 (most-weight-before)',
      },
      {
        at: '2026-12-06T10:04:00Z',
        text: 'Rolling back: alarm web-5xx-rate (threshold 5): 5xx above threshold',
      },
      { at: '2026-12-06T10:05:00Z', text: 'Rolled back: web-v1 80 / web-v2 20 -> web-v1 100 / web-v2 0' },
    ],
  } as unknown as Deployment;

  it('is the weights before, each note’s resulting weights, then what was last seen', () => {
    const history = weightHistoryOf(deployment, {
      lastWeights: { 'web-v1': 100, 'web-v2': 0 },
      observedAt: '2026-12-06T10:06:00Z',
    });
    expect(history).toEqual([
      { at: '2026-12-06T10:00:00Z', weights: { 'web-v1': 90, 'web-v2': 10 } },
      { at: '2026-12-06T10:00:00Z', weights: { 'web-v1': 80, 'web-v2': 20 } },
      { at: '2026-12-06T10:05:00Z', weights: { 'web-v1': 100, 'web-v2': 0 } },
      { at: '2026-12-06T10:06:00Z', weights: { 'web-v1': 100, 'web-v2': 0 } },
    ]);
  });

  it('does not take an alarm’s threshold or a name that is not a target for weights', () => {
    const history = weightHistoryOf(
      {
        ...deployment,
        weightsBefore: undefined,
        notes: [deployment.notes[1] as Deployment['notes'][number]],
      },
      { lastWeights: undefined, observedAt: '2026-12-06T10:06:00Z' },
    );
    expect(history).toEqual([]);
  });
});

describe('the roles a caller holds on a mesh', () => {
  const section = {
    grants: [
      {
        name: 'leads',
        claims: { groups: 'platform-leads' },
        roles: ['viewer', 'approver'],
        resources: ['*'],
      },
      {
        name: 'workflow',
        claims: { repository: 'acme/web' },
        roles: ['operator'],
        actions: ['promote'],
        resources: ['prod/web-router/*'],
      },
    ],
  } as Parameters<typeof rolesOf>[0];

  it('are those of every grant the token matches, in a fixed order', () => {
    expect(rolesOf(section, { groups: '[ops platform-leads]' })).toEqual(['viewer', 'approver']);
    expect(rolesOf(section, { groups: ['platform-leads'], repository: 'acme/web' })).toEqual([
      'viewer',
      'operator',
      'approver',
    ]);
    expect(rolesOf(section, { groups: 'viewers' })).toEqual([]);
    expect(rolesOf(undefined, { groups: 'platform-leads' })).toEqual([]);
  });
});
