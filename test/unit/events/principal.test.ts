import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../shared/errors';
import { userIdentity } from '../../../shared/events/cloudtrail-identity';
import { derivePrincipal, isSelfPrincipal } from '../../../shared/events/principal';
import {
  parseAssumeRoleWithWebIdentity,
  webIdentitySessionOf,
} from '../../../shared/events/sts-web-identity';
import { parseAppMeshApiCall } from '../../../shared/providers/appmesh/cloudtrail';
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

  it('derives a Role identity: the role acting itself, its ARN as the role ARN', () => {
    // Act
    const principal = derivePrincipal(identityOf('appmesh/update-route-role'));

    // Assess
    expect(principal).toMatchObject({
      type: 'Role',
      arn: 'arn:aws:iam::123456789012:role/platform-deployer',
      accountId: '123456789012',
      roleArn: 'arn:aws:iam::123456789012:role/platform-deployer',
      roleName: 'platform-deployer',
      sessionName: undefined,
      unidentified: undefined,
    });
  });

  it('derives a federated user, the root user of a console session and an Identity Center user from their samples', () => {
    // Act
    const federated = derivePrincipal(identityOf('appmesh/update-route-federated-user'));
    const root = derivePrincipal(identityOf('appmesh/update-route-root'));
    const identityCenter = derivePrincipal(identityOf('appmesh/update-route-identity-center-user'));

    // Assess: identified, and none of them is a role or an IAM user.
    expect(federated).toMatchObject({
      type: 'FederatedUser',
      arn: 'arn:aws:sts::123456789012:federated-user/bob',
      userName: undefined,
      roleArn: undefined,
      mfaAuthenticated: false,
      unidentified: undefined,
    });
    expect(root).toMatchObject({ type: 'Root', accountId: '123456789012', unidentified: undefined });
    expect(identityCenter).toMatchObject({
      type: 'IdentityCenterUser',
      arn: undefined,
      accountId: '123456789012',
      unidentified: undefined,
    });
  });

  it('parses the documented SAMLUser, WebIdentityUser, Directory and AWSAccount shapes', () => {
    // Prepare
    const shapes = [
      {
        type: 'SAMLUser',
        principalId: 'SampleUkh1i4+ExamplexL/jEvs=:SamlExample',
        userName: 'SamlExample',
        identityProvider: 'bdGOnTesti4+ExamplexL/jEvs=',
      },
      {
        type: 'WebIdentityUser',
        principalId: 'accounts.google.com:application-id.apps.googleusercontent.com:user-id',
        userName: 'user-id',
        identityProvider: 'accounts.google.com',
      },
      { type: 'Directory', principalId: 'S-1-5-21-1234567890', accountId: '123456789012', userName: 'alice' },
      { type: 'AWSAccount', principalId: 'AIDAJ45Q7YFFAREXAMPLE', accountId: '210987654321' },
    ];

    // Act
    const principals = shapes.map((shape) => derivePrincipal(userIdentity.parse(shape)));

    // Assess
    expect(principals.map((p) => [p.type, p.unidentified, p.roleArn])).toEqual([
      ['SAMLUser', undefined, undefined],
      ['WebIdentityUser', undefined, undefined],
      ['Directory', undefined, undefined],
      ['AWSAccount', undefined, undefined],
    ]);
    expect(principals[3]?.accountId).toBe('210987654321');
  });

  it('marks callers it cannot identify, with the reason: Unknown, undocumented, a session without issuer', () => {
    // Prepare
    const sessionWithoutIssuer = loadEvent('appmesh/update-route').detail.userIdentity as Record<
      string,
      unknown
    >;
    delete sessionWithoutIssuer.sessionContext;

    // Act
    const unknown = derivePrincipal(identityOf('appmesh/update-route-unknown-identity'));
    const wizard = derivePrincipal(userIdentity.parse({ type: 'Wizard', accountId: '123456789012' }));
    const session = derivePrincipal(userIdentity.parse(sessionWithoutIssuer));

    // Assess
    expect(unknown).toMatchObject({
      type: 'Unknown',
      arn: undefined,
      unidentified: 'CloudTrail recorded the caller as Unknown',
    });
    expect(wizard).toMatchObject({
      type: 'Unidentified',
      accountId: '123456789012',
      unidentified: 'userIdentity type "Wizard" is not one CloudTrail documents',
    });
    expect(session).toMatchObject({
      type: 'AssumedRole',
      roleArn: undefined,
      roleName: 'platform-deployer',
      sessionName: 'alice',
      unidentified: 'the AssumedRole session names no session issuer, so the ARN of its role is unknown',
    });
  });

  it("tells meshwarden's own role: by issuer, as a Role identity, and by session ARN when the issuer is missing", () => {
    // Prepare
    const self = ['arn:aws:iam::123456789012:role/meshwarden/platform-deployer'];
    const withoutIssuer = loadEvent('appmesh/update-route').detail.userIdentity as Record<string, unknown>;
    delete withoutIssuer.sessionContext;
    const otherAccount = {
      ...withoutIssuer,
      arn: 'arn:aws:sts::210987654321:assumed-role/platform-deployer/x',
      accountId: '210987654321',
    };

    // Act / Assess: the issuer's ARN (with path) must match exactly...
    expect(isSelfPrincipal(derivePrincipal(identityOf('appmesh/update-route')), self)).toBe(false);
    expect(
      isSelfPrincipal(derivePrincipal(identityOf('appmesh/update-route')), [
        'arn:aws:iam::123456789012:role/platform-deployer',
      ]),
    ).toBe(true);
    expect(
      isSelfPrincipal(derivePrincipal(identityOf('appmesh/update-route-role')), [
        'arn:aws:iam::123456789012:role/platform-deployer',
      ]),
    ).toBe(true);
    // ...while a session without issuer is told by account and role name (unique whatever the path).
    expect(isSelfPrincipal(derivePrincipal(userIdentity.parse(withoutIssuer)), self)).toBe(true);
    expect(isSelfPrincipal(derivePrincipal(userIdentity.parse(otherAccount)), self)).toBe(false);
    expect(isSelfPrincipal(derivePrincipal(identityOf('appmesh/update-route-unknown-identity')), self)).toBe(
      false,
    );
  });
});
