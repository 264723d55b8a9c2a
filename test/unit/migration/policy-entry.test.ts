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
      allow:
        - id: admins
          principals: [{ roleArn: "arn:aws:iam::000000000000:role/Admin" }]
          actions: ["*"]
          resources: [{ kind: "*" }]
        - id: web-deploys
          principals: [{ roleArn: "arn:aws:iam::000000000000:role/Dev" }]
          actions: ["Update*"]
          resources: [{ kind: route, parent: web-router, name: "*" }]
        - id: node-owners
          principals: [{ roleArn: "arn:aws:iam::000000000000:role/Ops" }]
          actions: ["UpdateVirtualNode"]
          resources: [{ kind: virtual-node, name: web-v2 }]
        - id: gateway-team
          principals: [{ roleArn: "arn:aws:iam::000000000000:role/Edge" }]
          actions: ["*"]
          resources: [{ kind: gateway-route }]
    exemptions:
      - resource: prod/route/web-router/web-route
        rules: [route.max-targets, route.retry-policy]
        expires: 2027-03-31
        reason: soak test
      - resource: prod/virtual-gateway/*
        rules: [tls.strict]
        expires: 2027-03-31
        reason: edge
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
            source: [{ kind: 'virtual-router', meshName: 'prod', name: 'web-router', path: 'listeners[0]' }],
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
      virtualNode: name,
      source: [{ kind: 'virtual-node' as const, meshName: 'prod', name }],
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
      exemptions: [{ resource: 'prod-lattice/rule/web/http/web-route', rules: ['lattice.forward-limits'] }],
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

  it("says the change-control rules in VPC Lattice's terms and names what it cannot carry", () => {
    const { entry, notCarried } = translatePolicy({
      policyText: POLICY,
      fileName: 'p.yaml',
      plan: plan(),
      known: KNOWN,
      taggedAlarms: new Map(),
    });

    const allow = (entry.changeControl as { allow: { id: string }[] }).allow;
    expect(
      allow.map(({ id, actions, resources }: Record<string, unknown>) => ({ id, actions, resources })),
    ).toEqual([
      { id: 'admins', actions: ['*'], resources: [{ kind: '*' }] },
      {
        id: 'web-deploys',
        actions: [
          'UpdateServiceNetwork',
          'UpdateService',
          'UpdateListener',
          'UpdateRule',
          'UpdateTargetGroup',
          'BatchUpdateRule',
          'RegisterTargets',
          'DeregisterTargets',
        ],
        resources: [{ kind: 'rule', parent: 'web/http', name: '*' }],
      },
      {
        id: 'node-owners',
        actions: ['UpdateTargetGroup', 'RegisterTargets', 'DeregisterTargets'],
        resources: [{ kind: 'target-group', name: 'web-v2' }],
      },
    ]);
    expect(notCarried).toEqual([
      'changeControl.allow gateway-team: its resources have no VPC Lattice counterpart in the plan',
      'exemption of prod/route/web-router/web-route from route.retry-policy: no VPC Lattice rule judges the same',
      'exemption of prod/virtual-gateway/*: no resource of the plan replaces it',
    ]);
  });

  it('names what acts differently on VPC Lattice (compliance settings), and carries a hold override', () => {
    // Prepare
    const policyText = POLICY.replace(
      '    exemptions:\n',
      [
        '      violationOverrides:',
        '        - id: bob-held',
        '          principals: [{ iamUser: bob }]',
        '          onViolation: hold',
        '    compliance:',
        '      routes: { maxWeightedTargets: 2 }',
        '    exemptions:',
        '',
      ].join('\n'),
    );

    // Act
    const { notCarried } = translatePolicy({
      policyText,
      fileName: 'p.yaml',
      plan: plan(),
      known: KNOWN,
      taggedAlarms: new Map(),
    });

    // Assess
    // bob's hold is carried: VPC Lattice holds as App Mesh does.
    expect(notCarried.filter((line) => line.includes('bob-held'))).toEqual([]);
    expect(notCarried).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^compliance: its settings judge App Mesh resources; the VPC Lattice rules read compliance\.tls/,
        ),
      ]),
    );
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
