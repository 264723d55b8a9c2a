import { describe, expect, it } from 'vitest';
import type { MigrationPlan } from '../../../shared/migration/plan-model';
import { translatePolicy } from '../../../shared/migration/policy-entry';
import { parsePolicy } from '../../../shared/policy/load';

const POLICY = `version: 1
meshes:
  # the mesh being moved
  - mesh: prod
    changeControl:
      default: deny
      onViolation: revert
    exemptions:
      - resource: prod/route/web-router/web-route
        rules: [route.max-targets]
        expires: 2027-03-31
        reason: soak test
    deployments:
      rollbackWindowMinutes: 45
      routes:
        - route: prod/web-router/*
          alarms: [web-latency]
          stableTarget: web-v1
          allowForcePromote: true
  - mesh: "*"
    changeControl:
      default: allow
      onViolation: report
`;

function plan(serviceNetwork = 'prod-lattice'): MigrationPlan {
  const route = { kind: 'route' as const, meshName: 'prod', name: 'web-route', parentName: 'web-router' };
  return {
    meshName: 'prod',
    target: 'vpc-lattice',
    generatedAt: '2026-12-06T00:00:00.000Z',
    serviceNetwork: { name: serviceNetwork, authType: 'NONE', source: [] },
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
                match: {},
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
            source: [],
          },
        ],
        source: [],
      },
    ],
    targetGroups: ['web-v1', 'web-v2'].map((name) => ({
      name,
      type: 'IP' as const,
      port: 8080,
      protocol: 'HTTP' as const,
      virtualNode: name,
      source: [],
    })),
    associations: [],
    parity: [],
  };
}

const KNOWN = new Map([
  ['target-group/web-v1', { id: 'tg-aaaaaaaaaaaaaaaaa', arn: 'a' }],
  ['target-group/web-v2', { id: 'tg-bbbbbbbbbbbbbbbbb', arn: 'b' }],
]);

describe('the policy after migrate apply', () => {
  it('adds a Lattice entry first, with the rules of the App Mesh entry, routes re-keyed and tagged alarms bound by name', () => {
    const { text } = translatePolicy({
      policyText: POLICY,
      fileName: 'p.yaml',
      plan: plan(),
      known: KNOWN,
      taggedAlarms: new Map([['prod/web-router/web-route', ['web-5xx', 'web-latency']]]),
    });
    const policy = parsePolicy(text, 'p.yaml');

    expect(text).toContain('# the mesh being moved');
    expect(policy.forMesh('prod')?.document.provider).toBe('appmesh');
    const entry = policy.forMesh('prod-lattice')?.document;
    expect(entry).toMatchObject({
      provider: 'vpc-lattice',
      serviceNetwork: 'prod-lattice',
      changeControl: { default: 'deny', onViolation: 'revert' },
      exemptions: [{ resource: 'prod/route/web-router/web-route', rules: ['route.max-targets'] }],
      deployments: {
        rollbackWindowMinutes: 45,
        routes: [
          {
            route: 'prod-lattice/web/http/web-route',
            alarms: ['web-latency', 'web-5xx'],
            stableTarget: 'tg-aaaaaaaaaaaaaaaaa',
            allowForcePromote: true,
          },
        ],
      },
    });
  });

  it('replaces its own earlier entry on a re-run instead of adding a second', () => {
    const once = translatePolicy({
      policyText: POLICY,
      fileName: 'p.yaml',
      plan: plan(),
      known: KNOWN,
      taggedAlarms: new Map(),
    });
    const twice = translatePolicy({
      policyText: once.text,
      fileName: 'p.yaml',
      plan: plan(),
      known: KNOWN,
      taggedAlarms: new Map(),
    });

    expect(twice.text).toBe(once.text);
  });

  it('refuses a service network named like the mesh: its entry would govern the mesh', () => {
    expect(() =>
      translatePolicy({
        policyText: POLICY,
        fileName: 'p.yaml',
        plan: plan('prod'),
        known: KNOWN,
        taggedAlarms: new Map(),
      }),
    ).toThrow(/named like mesh prod/);
  });
});
