import { describe, expect, it } from 'vitest';
import {
  parseAssumeRoleWithWebIdentity,
  webIdentitySessionOf,
} from '../../../shared/events/sts-web-identity';
import { loadEvent } from '../../support/sample-events';
import { pathsOf, refusalOf } from './refusal';

describe('AssumeRoleWithWebIdentity', () => {
  it('yields the session, its OIDC subject and its session tags', () => {
    // Act
    const session = webIdentitySessionOf(
      parseAssumeRoleWithWebIdentity(loadEvent('sts/assume-role-with-web-identity')),
    );

    // Assess
    expect(session).toEqual({
      assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/mesh-operator/alice@example.com',
      roleArn: 'arn:aws:iam::123456789012:role/mesh-operator',
      sessionName: 'alice@example.com',
      provider: 'arn:aws:iam::123456789012:oidc-provider/idp.example.com',
      subject: 'alice',
      audience: 'meshwarden-cli',
      sessionTags: { team: 'platform', environment: 'prod' },
      transitiveTagKeys: ['team'],
      sourceIdentity: undefined,
    });
  });

  it('refuses to derive a session from a failed call', () => {
    // Prepare
    const event = loadEvent('sts/assume-role-with-web-identity');
    const failed = parseAssumeRoleWithWebIdentity({
      ...event,
      detail: {
        ...event.detail,
        errorCode: 'InvalidIdentityToken',
        errorMessage: 'Incorrect token audience',
        responseElements: null,
      },
    });

    // Act
    const error = refusalOf(() => webIdentitySessionOf(failed));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.responseElements']);
    expect(error.message).toContain('InvalidIdentityToken');
  });

  it('refuses session tags that are not strings, naming the tag', () => {
    // Prepare
    const event = loadEvent('sts/assume-role-with-web-identity') as unknown as {
      detail: { requestParameters: { principalTags: Record<string, unknown> } };
    };
    event.detail.requestParameters.principalTags.team = ['platform'];

    // Act
    const error = refusalOf(() => parseAssumeRoleWithWebIdentity(event));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.requestParameters.principalTags.team']);
  });

  it('refuses another STS call', () => {
    // Prepare
    const event = loadEvent('sts/assume-role-with-web-identity');
    event.detail.eventName = 'AssumeRole' as 'AssumeRoleWithWebIdentity';

    // Act
    const error = refusalOf(() => parseAssumeRoleWithWebIdentity(event));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.eventName']);
  });
});
