import { describe, expect, it } from 'vitest';
import type { ResourceRef } from '../../../shared/domain/resource-key';
import { decideChange } from '../../../shared/policy/change-control';
import { loadPolicy } from '../../../shared/policy/load';
import { githubSession, iamUser, roleSession } from './fixtures';

const DEMO = 'infra/local/demo/meshwarden.policy.yaml';
const route = (router: string, name: string): ResourceRef => ({
  kind: 'route',
  meshName: 'prod',
  name,
  parentName: router,
});

describe('the demo policy', () => {
  const demo = loadPolicy(DEMO);

  it('lets the platform administrator do anything', () => {
    // Act
    const result = decideChange(demo, {
      principal: roleSession('PlatformAdmin', 'admin'),
      action: 'DeleteVirtualNode',
      resource: { kind: 'virtual-node', meshName: 'prod', name: 'payments' },
    });
    // Assess
    expect(result).toMatchObject({ decision: 'allow', basis: { type: 'rule', ruleId: 'platform-admins' } });
  });

  it('lets alice from acme/web update web-router routes only; elsewhere her change is reverted', () => {
    // Act
    const onWeb = decideChange(demo, {
      principal: githubSession(),
      action: 'UpdateRoute',
      resource: route('web-router', 'web-route'),
    });
    const elsewhere = decideChange(demo, {
      principal: githubSession(),
      action: 'UpdateRoute',
      resource: route('payments-router', 'payments-route'),
    });
    const deleting = decideChange(demo, {
      principal: githubSession(),
      action: 'DeleteRoute',
      resource: route('web-router', 'web-route'),
    });
    const otherRepo = decideChange(demo, {
      principal: githubSession({
        repository: 'acme/payments',
        sub: 'repo:acme/payments:ref:refs/heads/main',
      }),
      action: 'UpdateRoute',
      resource: route('web-router', 'web-route'),
    });
    // Assess
    expect(onWeb).toMatchObject({ decision: 'allow', basis: { type: 'rule', ruleId: 'web-team-deploys' } });
    expect(elsewhere).toMatchObject({ decision: 'deny', onViolation: 'revert' });
    expect(deleting).toMatchObject({ decision: 'deny', onViolation: 'revert' });
    expect(otherRepo).toMatchObject({ decision: 'deny', onViolation: 'revert' });
  });

  it('holds bob’s changes for approval', () => {
    // Act
    const result = decideChange(demo, {
      principal: iamUser('bob'),
      action: 'UpdateRoute',
      resource: route('web-router', 'web-route'),
    });
    // Assess
    expect(result).toMatchObject({ decision: 'deny', onViolation: 'hold' });
  });

  it('configures the compliance rules the demo asks for', () => {
    // Act
    const compliance = demo.forMesh('prod')?.compliance;
    // Assess
    expect(compliance?.tls?.minimumMode).toBe('STRICT');
    expect(
      compliance?.tls?.allowedCertificateAuthorities?.test(
        'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/abc',
      ),
    ).toBe(true);
    expect(compliance?.routes).toMatchObject({
      requireRetryPolicy: true,
      requireTimeout: true,
      maxWeightedTargets: 2,
    });
    expect(demo.forMesh('prod')?.exemptions).toHaveLength(1);
  });
});
