import { describe, expect, it } from 'vitest';
import {
  analyseApply,
  blockingProblems,
  clientTokenOf,
  describeChange,
  MIGRATED_FROM_TAG,
} from '../../../shared/migration/apply-changes';
import type { ExistingLattice } from '../../../shared/migration/lattice-target';
import type { MigrationPlan } from '../../../shared/migration/plan-model';

const route = { kind: 'route' as const, meshName: 'prod', name: 'web-route', parentName: 'web-router' };

/** A small plan: one service whose listener sends 90/10 to two target groups through one rule. */
function plan(): MigrationPlan {
  return {
    meshName: 'prod',
    target: 'vpc-lattice',
    generatedAt: '2026-12-06T00:00:00.000Z',
    serviceNetwork: {
      name: 'prod-lattice',
      authType: 'NONE',
      source: [{ kind: 'mesh', meshName: 'prod', name: 'prod' }],
    },
    services: [
      {
        name: 'web',
        auth: { authType: 'NONE', callers: [], unmappedCallers: [] },
        listeners: [
          {
            name: 'http',
            protocol: 'HTTP',
            port: 80,
            defaultAction: { fixedResponse: { statusCode: 404 } },
            rules: [
              {
                name: 'web-route',
                priority: 1,
                match: { path: { match: { prefix: '/' }, caseSensitive: false } },
                action: {
                  forward: {
                    targetGroups: [
                      { targetGroupName: 'web-v1', weight: 90 },
                      { targetGroupName: 'web-v2', weight: 10 },
                    ],
                  },
                },
                source: [route],
              },
            ],
            source: [{ kind: 'virtual-router', meshName: 'prod', name: 'web-router' }],
          },
        ],
        source: [{ kind: 'virtual-service', meshName: 'prod', name: 'web.prod.local' }],
      },
    ],
    targetGroups: ['web-v1', 'web-v2'].map((name) => ({
      name,
      type: 'IP' as const,
      port: 8080,
      protocol: 'HTTP' as const,
      vpcIdentifier: 'vpc-0123456789abcdef0',
      virtualNode: name,
      source: [{ kind: 'virtual-node' as const, meshName: 'prod', name }],
    })),
    associations: [{ kind: 'service', serviceName: 'web', serviceNetworkName: 'prod-lattice' }],
    parity: [],
  };
}

const NOTHING: ExistingLattice = { serviceNetwork: undefined, services: [], targetGroups: [] };

/** Lattice as apply leaves it for `plan()`: every resource there, tagged, weights as planned. */
function applied(overrides: { weights?: [number, number]; tag?: string } = {}): ExistingLattice {
  const tags = { [MIGRATED_FROM_TAG]: overrides.tag ?? 'prod/x' };
  const [v1, v2] = overrides.weights ?? [90, 10];
  return {
    serviceNetwork: {
      id: 'sn-1',
      arn: 'arn:sn-1',
      name: 'prod-lattice',
      authType: 'NONE',
      authPolicy: undefined,
      tags,
      serviceAssociations: ['web'],
      vpcAssociations: [],
    },
    targetGroups: [
      {
        id: 'tg-1',
        arn: 'arn:tg-1',
        name: 'web-v1',
        type: 'IP',
        port: 8080,
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        vpcIdentifier: 'vpc-0123456789abcdef0',
        tags,
      },
      {
        id: 'tg-2',
        arn: 'arn:tg-2',
        name: 'web-v2',
        type: 'IP',
        port: 8080,
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        vpcIdentifier: 'vpc-0123456789abcdef0',
        tags,
      },
    ],
    services: [
      {
        id: 'svc-1',
        arn: 'arn:svc-1',
        name: 'web',
        authType: 'NONE',
        customDomainName: undefined,
        certificateArn: undefined,
        authPolicy: undefined,
        tags,
        listeners: [
          {
            id: 'listener-1',
            arn: 'arn:listener-1',
            name: 'http',
            protocol: 'HTTP',
            port: 80,
            defaultAction: { fixedResponse: { statusCode: 404 } },
            tags,
            rules: [
              {
                id: 'rule-1',
                arn: 'arn:rule-1',
                name: 'web-route',
                priority: 1,
                match: { httpMatch: { pathMatch: { match: { prefix: '/' }, caseSensitive: false } } },
                action: {
                  forward: {
                    targetGroups: [
                      {
                        targetGroupIdentifier: 'arn:aws:vpc-lattice:us-east-1:000000000000:targetgroup/tg-1',
                        weight: v1,
                      },
                      { targetGroupIdentifier: 'tg-2', weight: v2 },
                    ],
                  },
                },
                tags,
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('migrate apply: what to change', () => {
  it('creates everything in dependency order when nothing exists, each tagged with its App Mesh source', () => {
    const { changes, differences } = analyseApply(plan(), NOTHING, {});

    expect(differences).toEqual([]);
    expect(changes.map(describeChange)).toEqual([
      'create service-network/prod-lattice',
      'create target-group/web-v1',
      'create target-group/web-v2',
      'create service/web',
      'create service/web/listener/http',
      'create service/web/listener/http/rule/web-route',
      'create service-association/web',
    ]);
    const rule = changes[5];
    expect(rule?.op === 'create' && rule.tags).toEqual({
      [MIGRATED_FROM_TAG]: 'prod/route/web-router/web-route',
    });
  });

  it('builds the rule with the ids created before it, weights carried over', () => {
    const { changes } = analyseApply(plan(), NOTHING, {});
    const ids = new Map([
      ['service/web', { id: 'svc-9', arn: 'a' }],
      ['service/web/listener/http', { id: 'listener-9', arn: 'b' }],
      ['target-group/web-v1', { id: 'tg-a', arn: 'c' }],
      ['target-group/web-v2', { id: 'tg-b', arn: 'd' }],
    ]);
    const rule = changes[5];

    expect(rule?.op === 'create' && rule.build(ids)).toMatchObject({
      kind: 'rule',
      serviceId: 'svc-9',
      listenerId: 'listener-9',
      priority: 1,
      match: { httpMatch: { pathMatch: { match: { prefix: '/' }, caseSensitive: false } } },
      action: {
        forward: {
          targetGroups: [
            { targetGroupIdentifier: 'tg-a', weight: 90 },
            { targetGroupIdentifier: 'tg-b', weight: 10 },
          ],
        },
      },
    });
  });

  it('has nothing to change when Lattice holds the plan (target groups named by id or ARN alike)', () => {
    const { changes, differences, known } = analyseApply(plan(), applied(), {});

    expect({ changes, differences }).toEqual({ changes: [], differences: [] });
    expect(known.get('service/web/listener/http/rule/web-route')?.id).toBe('rule-1');
  });

  it('completes only what a crashed run left out', () => {
    const partial = applied();
    const service = partial.services[0];
    const listener = service?.listeners[0];
    if (service === undefined || listener === undefined) throw new Error('fixture');
    const crashed: ExistingLattice = {
      ...partial,
      serviceNetwork: partial.serviceNetwork && { ...partial.serviceNetwork, serviceAssociations: [] },
      services: [{ ...service, listeners: [{ ...listener, rules: [] }] }],
    };

    expect(analyseApply(plan(), crashed, {}).changes.map(describeChange)).toEqual([
      'create service/web/listener/http/rule/web-route',
      'create service-association/web',
    ]);
  });

  it('reports a same-named rule whose weights differ, and changes nothing', () => {
    const { differences } = analyseApply(plan(), applied({ weights: [50, 50] }), {});

    expect(differences).toEqual([
      'service web listener http rule web-route: action is forward web-v1=50, web-v2=50 in VPC Lattice, forward web-v1=90, web-v2=10 in the plan',
    ]);
  });

  it('refuses resources tagged by the migration of another mesh, and tags an equal untagged one', () => {
    expect(analyseApply(plan(), applied({ tag: 'staging/mesh' }), {}).differences[0]).toContain(
      'the migration of another mesh',
    );
    const untagged = applied();
    const bare: ExistingLattice = {
      ...untagged,
      targetGroups: untagged.targetGroups.map((t) => (t.name === 'web-v2' ? { ...t, tags: {} } : t)),
    };
    expect(analyseApply(plan(), bare, {}).changes.map(describeChange)).toEqual([
      `tag target-group/web-v2 ${MIGRATED_FROM_TAG}=prod/virtual-node/web-v2`,
    ]);
  });

  it('blocks a target group whose VPC nobody named, until --vpc names it', () => {
    const p = plan();
    const noVpc: MigrationPlan = {
      ...p,
      targetGroups: p.targetGroups.map(({ vpcIdentifier: _v, ...t }) => t),
    };

    expect(blockingProblems(noVpc, {})).toHaveLength(2);
    expect(blockingProblems(noVpc, {})[0]).toContain('pass --vpc VPC_ID');
    expect(blockingProblems(noVpc, { vpcIdentifier: 'vpc-0123456789abcdef0' })).toEqual([]);
  });

  it('derives client tokens Lattice takes (1..64 printable), stable per request and different per request', () => {
    const ref = { kind: 'target-group' as const, name: 'web-v1' };
    const token = clientTokenOf('prod', ref, { port: 8080 });

    expect(token).toMatch(/^[!-~]{1,64}$/);
    expect(clientTokenOf('prod', ref, { port: 8080 })).toBe(token);
    expect(clientTokenOf('prod', ref, { port: 8081 })).not.toBe(token);
    expect(clientTokenOf('staging', ref, { port: 8080 })).not.toBe(token);
  });
});
