import { describe, expect, it } from 'vitest';
import type { ResourceRef } from '../../../shared/domain/resource-key';
import type { Principal } from '../../../shared/events/principal';
import { decideChange } from '../../../shared/policy/change-control';
import { ACCOUNT, GITHUB_PROVIDER, githubSession, iamUser, policy, roleSession, rootUser } from './fixtures';

const WEB_ROUTE: ResourceRef = {
  kind: 'route',
  meshName: 'prod',
  name: 'web-route',
  parentName: 'web-router',
};
const NODE: ResourceRef = { kind: 'virtual-node', meshName: 'prod', name: 'web-v1' };

/** A policy for mesh prod with one allow rule over every action and resource. */
function onePrincipal(principalYaml: string, defaultDecision = 'deny') {
  return policy(`
version: 1
meshes:
  - mesh: prod
    changeControl:
      default: ${defaultDecision}
      onViolation: revert
      allow:
        - id: the-rule
          principals:
            - ${principalYaml}
          actions: ['*']
          resources: [{ kind: '*' }]
`);
}

function decision(
  p: ReturnType<typeof policy>,
  principal: Principal,
  action = 'UpdateRoute',
  resource = WEB_ROUTE,
) {
  return decideChange(p, { principal, action, resource }).decision;
}

describe('change control: principal kinds', () => {
  it.each<[string, string, Principal, 'allow' | 'deny']>([
    [
      'role ARN',
      `roleArn: arn:aws:iam::${ACCOUNT}:role/PlatformAdmin`,
      roleSession('PlatformAdmin', 'admin'),
      'allow',
    ],
    [
      'role ARN, other role',
      `roleArn: arn:aws:iam::${ACCOUNT}:role/PlatformAdmin`,
      roleSession('Other', 'admin'),
      'deny',
    ],
    [
      'role ARN glob across a role path',
      'roleArn: arn:aws:iam::*:role/deploy/*',
      roleSession('web', 's', { rolePath: 'deploy/team/' }),
      'allow',
    ],
    ['role ARN glob, no path', 'roleArn: arn:aws:iam::*:role/deploy/*', roleSession('web', 's'), 'deny'],
    [
      'role ARN and session name',
      `{ roleArn: 'arn:aws:iam::*:role/PlatformAdmin', sessionName: admin }`,
      roleSession('PlatformAdmin', 'admin'),
      'allow',
    ],
    [
      'role ARN and another session name',
      `{ roleArn: 'arn:aws:iam::*:role/PlatformAdmin', sessionName: admin }`,
      roleSession('PlatformAdmin', 'mallory'),
      'deny',
    ],
    ['IAM user', 'iamUser: bob', iamUser('bob'), 'allow'],
    ['IAM user, other user', 'iamUser: bob', iamUser('eve'), 'deny'],
    [
      'IAM user never matches a role session named like it',
      'iamUser: bob',
      roleSession('bob', 'bob'),
      'deny',
    ],
    ['IAM user never matches root', 'iamUser: bob', rootUser(), 'deny'],
    ['account id', `account: '${ACCOUNT}'`, iamUser('anyone'), 'allow'],
    ['account id, other account', `account: '${ACCOUNT}'`, iamUser('anyone', '111122223333'), 'deny'],
    ['role ARN never matches an IAM user', 'roleArn: "*"', iamUser('bob'), 'deny'],
  ])('%s', (_what, principalYaml, principal, expected) => {
    // Prepare
    const p = onePrincipal(principalYaml);
    // Act
    const result = decision(p, principal);
    // Assess
    expect(result).toBe(expected);
  });
});

describe('change control: OIDC identities', () => {
  const oidcPolicy = onePrincipal(`oidc:
                provider: ${GITHUB_PROVIDER}
                claims:
                  repository: acme/web
                  sub: 'repo:acme/web:ref:refs/heads/*'`);

  it('allows the provider with matching claims (from webIdFederationData attributes)', () => {
    // Act
    const result = decision(oidcPolicy, githubSession());
    // Assess
    expect(result).toBe('allow');
  });

  it.each<[string, Principal]>([
    ['another repository', githubSession({ repository: 'acme/payments' })],
    ['a sub on a tag instead of a branch', githubSession({ sub: 'repo:acme/web:ref:refs/tags/v1' })],
    [
      'another provider',
      roleSession('MeshDeveloper', 'alice', {
        oidc: {
          provider: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.example.com`,
          attributes: {
            'gitlab.example.com:repository': 'acme/web',
            'gitlab.example.com:sub': 'repo:acme/web:ref:refs/heads/main',
          },
        },
      }),
    ],
    [
      'a missing claim',
      roleSession('MeshDeveloper', 'alice', {
        oidc: {
          provider: GITHUB_PROVIDER,
          attributes: { 'token.actions.githubusercontent.com:repository': 'acme/web' },
        },
      }),
    ],
    ['no OIDC at all', roleSession('MeshDeveloper', 'alice')],
  ])('denies %s', (_what, principal) => {
    // Act
    const result = decision(oidcPolicy, principal);
    // Assess
    expect(result).toBe('deny');
  });

  it('reads claims from session tags and denies when sources disagree', () => {
    // Prepare
    const p = onePrincipal(`oidc: { provider: '${GITHUB_PROVIDER}', claims: { team: web } }`);
    const base = roleSession('MeshDeveloper', 'alice', {
      oidc: { provider: GITHUB_PROVIDER, attributes: {} },
    });
    const tagged: Principal = { ...base, sessionTags: { team: 'web' } };
    const conflicting: Principal = {
      ...tagged,
      oidc: base.oidc && { ...base.oidc, claims: { 'token.actions.githubusercontent.com:team': 'payments' } },
    };
    // Act
    const fromTags = decision(p, tagged);
    const fromConflict = decision(p, conflicting);
    // Assess
    expect(fromTags).toBe('allow');
    expect(fromConflict).toBe('deny');
  });

  it('accepts a list of allowed claim values', () => {
    // Prepare
    const p = onePrincipal(
      `oidc: { provider: '${GITHUB_PROVIDER}', claims: { repository: [acme/web, acme/api] } }`,
    );
    // Act
    const results = ['acme/api', 'acme/other'].map((repository) =>
      decision(p, githubSession({ repository })),
    );
    // Assess
    expect(results).toEqual(['allow', 'deny']);
  });
});

describe('change control: actions, resources, defaults and violations', () => {
  const p = policy(`
version: 1
meshes:
  - mesh: 'prod*'
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: web-routes
          principals: [{ iamUser: alice }]
          actions: ['Update*']
          resources: [{ kind: route, parent: web-router }]
        - id: web-nodes
          principals: [{ iamUser: alice }]
          actions: ['{Create,Delete}VirtualNode']
          resources: [{ kind: virtual-node, name: 'web-v*' }]
      violationOverrides:
        - id: bob-held
          principals: [{ iamUser: bob }]
          onViolation: hold
  - mesh: '*'
    changeControl:
      default: allow
      onViolation: report
`);

  it.each<[string, ResourceRef, 'allow' | 'deny']>([
    ['UpdateRoute', WEB_ROUTE, 'allow'],
    ['UpdateRoute', { ...WEB_ROUTE, parentName: 'api-router' }, 'deny'],
    ['DeleteRoute', WEB_ROUTE, 'deny'],
    ['CreateVirtualNode', NODE, 'allow'],
    ['DeleteVirtualNode', { ...NODE, name: 'payments' }, 'deny'],
    ['UpdateVirtualNode', NODE, 'deny'],
    ['UpdateRoute', { kind: 'virtual-router', meshName: 'prod', name: 'web-router' }, 'deny'],
  ])('%s on %j: %s', (action, resource, expected) => {
    // Act
    const result = decideChange(p, { principal: iamUser('alice'), action, resource });
    // Assess
    expect(result.decision).toBe(expected);
  });

  it('explains which rule allowed a change', () => {
    // Act
    const result = decideChange(p, {
      principal: iamUser('alice'),
      action: 'UpdateRoute',
      resource: WEB_ROUTE,
    });
    // Assess
    expect(result).toEqual({
      decision: 'allow',
      basis: { type: 'rule', ruleId: 'web-routes', meshEntry: 0 },
      explanation:
        'IAM user alice may make UpdateRoute on prod/route/web-router/web-route: allowed by rule web-routes.',
    });
  });

  it('denies by default with the default violation action, or the override for the principal', () => {
    // Act
    const eve = decideChange(p, { principal: iamUser('eve'), action: 'UpdateRoute', resource: WEB_ROUTE });
    const bob = decideChange(p, { principal: iamUser('bob'), action: 'UpdateRoute', resource: WEB_ROUTE });
    // Assess
    expect(eve).toMatchObject({
      decision: 'deny',
      onViolation: 'revert',
      violationBasis: { type: 'default' },
    });
    expect(bob).toMatchObject({
      decision: 'deny',
      onViolation: 'hold',
      violationBasis: { type: 'override', overrideId: 'bob-held' },
    });
    expect(bob.explanation).toBe(
      'IAM user bob may not make UpdateRoute on prod/route/web-router/web-route: no allow rule matches and the default is deny; override bob-held says hold.',
    );
  });

  it('allows by default where the matching mesh entry says so (first entry wins)', () => {
    // Prepare
    const staging: ResourceRef = { ...WEB_ROUTE, meshName: 'staging' };
    const production: ResourceRef = { ...WEB_ROUTE, meshName: 'production', parentName: 'api-router' };
    // Act
    const stagingResult = decideChange(p, {
      principal: iamUser('eve'),
      action: 'DeleteRoute',
      resource: staging,
    });
    const productionResult = decideChange(p, {
      principal: iamUser('eve'),
      action: 'DeleteRoute',
      resource: production,
    });
    // Assess
    expect(stagingResult).toMatchObject({ decision: 'allow', basis: { type: 'default', meshEntry: 1 } });
    expect(productionResult).toMatchObject({ decision: 'deny', basis: { type: 'default', meshEntry: 0 } });
  });

  it('allows a change to a mesh no entry governs, saying so', () => {
    // Prepare
    const only = policy(
      'version: 1\nmeshes:\n  - mesh: prod\n    changeControl: { default: deny, onViolation: revert }\n',
    );
    // Act
    const result = decideChange(only, {
      principal: iamUser('eve'),
      action: 'DeleteMesh',
      resource: { kind: 'mesh', meshName: 'dev', name: 'dev' },
    });
    // Assess
    expect(result).toMatchObject({ decision: 'allow', basis: { type: 'ungoverned-mesh' } });
  });
});
