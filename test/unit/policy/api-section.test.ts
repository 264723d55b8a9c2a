import { describe, expect, it } from 'vitest';
import { PolicyError, parsePolicy } from '../../../shared/policy/load';
import { authorizeApiCall, claimValues, roleFor } from '../../../shared/policy/sections/api';

const POLICY = `version: 1
meshes:
  - mesh: prod
    changeControl:
      default: deny
      onViolation: revert
    api:
      grants:
        - name: leads
          claims: { groups: platform-leads }
          roles: [viewer, operator, approver]
        - name: readers
          claims: { groups: viewers }
          roles: [viewer]
        - name: web-deploy
          claims:
            iss: https://token.actions.githubusercontent.com
            repository: acme/web
            workflow_ref: 'acme/web/.github/workflows/deploy.yml@*'
          roles: [operator]
          actions: [promote]
          resources: ['prod/web-router/*']
`;

const GITHUB = {
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/web:environment:prod',
  repository: 'acme/web',
  workflow_ref: 'acme/web/.github/workflows/deploy.yml@refs/heads/main',
};

function apiOf(text = POLICY) {
  return parsePolicy(text, 'policy.yaml').forMesh('prod')?.document.api;
}

describe('api policy section', () => {
  it('lets the acme/web workflow promote prod/web-router/* and nothing else', () => {
    // Prepare
    const api = apiOf();
    // Act
    const promote = authorizeApiCall(api, GITHUB, 'promote', 'prod/web-router/web-route');
    const elsewhere = authorizeApiCall(api, GITHUB, 'promote', 'prod/api-router/api-route');
    const abort = authorizeApiCall(api, GITHUB, 'abort', 'prod/web-router/web-route');
    const read = authorizeApiCall(api, GITHUB, 'read', 'prod');
    // Assess
    expect(promote).toEqual({ ok: true, grant: 'web-deploy' });
    expect(elsewhere).toMatchObject({ ok: false, role: 'operator' });
    expect(abort).toMatchObject({ ok: false, role: 'operator' });
    expect(read).toMatchObject({ ok: false, role: 'viewer' });
  });

  it('refuses another repository, another issuer, and a token missing a claim', () => {
    // Prepare
    const api = apiOf();
    const resource = 'prod/web-router/web-route';
    // Act
    const otherRepo = authorizeApiCall(api, { ...GITHUB, repository: 'acme/evil' }, 'promote', resource);
    const otherIssuer = authorizeApiCall(
      api,
      { ...GITHUB, iss: 'https://evil.example' },
      'promote',
      resource,
    );
    const { workflow_ref: _w, ...missing } = GITHUB;
    const noWorkflow = authorizeApiCall(api, missing, 'promote', resource);
    // Assess
    for (const verdict of [otherRepo, otherIssuer, noWorkflow]) {
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) expect(verdict.message).toContain('no api grant matches your token');
    }
  });

  it('gives viewers read only, and names the role an action needs', () => {
    // Prepare
    const api = apiOf();
    const viewer = { iss: 'https://idp.example', sub: 'v', groups: ['viewers'] };
    // Act
    const read = authorizeApiCall(api, viewer, 'read', 'prod');
    const approve = authorizeApiCall(api, viewer, 'approve', 'prod/route/web-router/web-route');
    // Assess
    expect(read.ok).toBe(true);
    expect(approve).toMatchObject({ ok: false, role: 'approver' });
    if (!approve.ok)
      expect(approve.message).toMatch(/approve on .* needs role approver; your grants \(readers\)/);
  });

  it('reads list claims as API Gateway passes them ("[a b]") and as arrays', () => {
    // Prepare
    const api = apiOf();
    // Act
    const fromGateway = authorizeApiCall(
      api,
      { sub: 'p', groups: '[devs platform-leads]' },
      'abort',
      'prod/a/b',
    );
    const fromArray = authorizeApiCall(api, { sub: 'p', groups: ['platform-leads'] }, 'abort', 'prod/a/b');
    // Assess
    expect(fromGateway.ok).toBe(true);
    expect(fromArray.ok).toBe(true);
    expect(claimValues('[a b]')).toEqual(['a', 'b']);
    expect(claimValues(42)).toEqual(['42']);
    expect(claimValues({ a: 1 })).toEqual([]);
  });

  it('denies everything on a mesh without an api section', () => {
    // Act
    const verdict = authorizeApiCall(undefined, { groups: 'platform-leads' }, 'read', 'prod');
    // Assess
    expect(verdict).toMatchObject({ ok: false, role: 'viewer' });
    expect(roleFor('rollback')).toBe('operator');
  });

  it('refuses a grant whose actions its roles do not give, and one without claims', () => {
    // Prepare
    const badActions = POLICY.replace('roles: [viewer]', 'roles: [viewer]\n          actions: [approve]');
    const noClaims = POLICY.replace('claims: { groups: viewers }', 'claims: {}');
    // Act
    const refuse = (text: string) => () => parsePolicy(text, 'policy.yaml');
    // Assess
    expect(refuse(badActions)).toThrow(PolicyError);
    expect(refuse(badActions)).toThrow(/"approve" needs role approver/);
    expect(refuse(noClaims)).toThrow(/name at least one claim/);
  });
});
