import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../shared/errors';
import { parseAppMeshApiCall } from '../../../shared/events/appmesh-api-call';
import { userIdentity } from '../../../shared/events/cloudtrail-identity';
import { derivePrincipal } from '../../../shared/events/principal';
import {
  parseAssumeRoleWithWebIdentity,
  webIdentitySessionOf,
} from '../../../shared/events/sts-web-identity';
import { loadEvent, type SampleName } from '../../support/sample-events';

function identityOf(name: SampleName & `appmesh/${string}`) {
  return parseAppMeshApiCall(loadEvent(name)).detail.userIdentity;
}

describe('derivePrincipal', () => {
  it('derives an assumed role session: role ARN from the session issuer, session name, MFA', () => {
    // Act
    const principal = derivePrincipal(identityOf('appmesh/update-route'));

    // Assess
    expect(principal).toEqual({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/platform-deployer/alice',
      accountId: '123456789012',
      roleArn: 'arn:aws:iam::123456789012:role/platform-deployer',
      roleName: 'platform-deployer',
      sessionName: 'alice',
      userName: undefined,
      invokedBy: undefined,
      sourceIdentity: undefined,
      mfaAuthenticated: true,
      oidc: undefined,
      sessionTags: {},
    });
  });

  it('derives the OIDC provider ARN of a GitHub Actions web identity session', () => {
    // Act
    const principal = derivePrincipal(identityOf('appmesh/update-route-oidc'));

    // Assess
    expect(principal.roleArn).toBe('arn:aws:iam::123456789012:role/github-actions-deploy');
    expect(principal.sessionName).toBe('GitHubActions');
    expect(principal.mfaAuthenticated).toBe(false);
    expect(principal.oidc).toEqual({
      provider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      providerArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      claims: {},
    });
  });

  it('derives the claims a generic OIDC provider reported', () => {
    // Act
    const principal = derivePrincipal(identityOf('appmesh/update-virtual-service'));

    // Assess
    expect(principal.sessionName).toBe('alice@example.com');
    expect(principal.oidc?.providerArn).toBe('arn:aws:iam::123456789012:oidc-provider/idp.example.com');
    expect(principal.oidc?.claims).toEqual({
      'idp.example.com:aud': 'meshwarden-cli',
      'idp.example.com:sub': 'alice',
    });
    expect(principal.sessionTags).toEqual({});
  });

  it('keeps a built-in IdP name that is not an ARN, and drops non-string attributes', () => {
    // Prepare
    const raw = loadEvent('appmesh/update-route-oidc').detail.userIdentity as {
      sessionContext: Record<string, unknown>;
    };
    raw.sessionContext.webIdFederationData = {
      federatedProvider: 'accounts.google.com',
      attributes: { sub: '1137', n: 3 },
    };
    const identity = userIdentity.parse(raw);

    // Act
    const principal = derivePrincipal(identity);

    // Assess
    expect(principal.oidc).toEqual({
      provider: 'accounts.google.com',
      providerArn: undefined,
      claims: { sub: '1137' },
    });
  });

  it('joins the session tags of the AssumeRoleWithWebIdentity that created the session', () => {
    // Prepare
    const session = webIdentitySessionOf(
      parseAssumeRoleWithWebIdentity(loadEvent('sts/assume-role-with-web-identity')),
    );

    // Act
    const principal = derivePrincipal(identityOf('appmesh/update-virtual-service'), {
      webIdentitySession: session,
    });

    // Assess
    expect(principal.sessionTags).toEqual({ team: 'platform', environment: 'prod' });
    expect(principal.oidc?.claims['idp.example.com:sub']).toBe('alice');
  });

  it("refuses to join another session's tags", () => {
    // Prepare
    const session = webIdentitySessionOf(
      parseAssumeRoleWithWebIdentity(loadEvent('sts/assume-role-with-web-identity')),
    );

    // Act
    const act = () =>
      derivePrincipal(identityOf('appmesh/update-route-oidc'), { webIdentitySession: session });

    // Assess
    expect(act).toThrow(BadRequestError);
    expect(act).toThrow(
      /does not belong to caller arn:aws:sts::123456789012:assumed-role\/github-actions-deploy/,
    );
  });

  it('derives an IAM user', () => {
    // Act
    const principal = derivePrincipal(identityOf('appmesh/update-virtual-node'));

    // Assess
    expect(principal).toMatchObject({
      type: 'IAMUser',
      arn: 'arn:aws:iam::123456789012:user/bob',
      accountId: '123456789012',
      userName: 'bob',
      roleArn: undefined,
      mfaAuthenticated: undefined,
      oidc: undefined,
    });
  });

  it('derives the root user, with the account alias as user name', () => {
    // Prepare
    const identity = userIdentity.parse({
      type: 'Root',
      principalId: '123456789012',
      arn: 'arn:aws:iam::123456789012:root',
      accountId: '123456789012',
      userName: 'example-prod',
    });

    // Act
    const principal = derivePrincipal(identity);

    // Assess
    expect(principal).toMatchObject({
      type: 'Root',
      arn: 'arn:aws:iam::123456789012:root',
      userName: 'example-prod',
    });
  });

  it('derives an AWS service, which has no ARN', () => {
    // Prepare
    const identity = userIdentity.parse({ type: 'AWSService', invokedBy: 'appmesh.amazonaws.com' });

    // Act
    const principal = derivePrincipal(identity);

    // Assess
    expect(principal).toMatchObject({
      type: 'AWSService',
      arn: undefined,
      accountId: undefined,
      invokedBy: 'appmesh.amazonaws.com',
    });
  });

  it('derives other documented identity types without granting them role or OIDC fields', () => {
    // Prepare
    const sts = parseAssumeRoleWithWebIdentity(loadEvent('sts/assume-role-with-web-identity'));

    // Act
    const principal = derivePrincipal(sts.detail.userIdentity);

    // Assess
    expect(principal).toMatchObject({
      type: 'WebIdentityUser',
      userName: 'alice',
      roleArn: undefined,
      oidc: undefined,
    });
  });
});
