import { describe, expect, it } from 'vitest';
import { parseAppMeshApiCall } from '../../../shared/providers/appmesh/cloudtrail';
import { loadEvent } from '../../support/sample-events';
import { pathsOf, refusalOf } from './refusal';

describe('parseAppMeshApiCall', () => {
  it('keeps fields AWS adds that the schema does not know', () => {
    // Prepare
    const event = { ...loadEvent('appmesh/update-route'), 'replay-name': 'replay-2026-03' };
    event.detail = { ...event.detail, sessionCredentialFromConsole: 'true' } as typeof event.detail;

    // Act
    const parsed = parseAppMeshApiCall(event);

    // Assess
    expect(parsed).toMatchObject({
      'replay-name': 'replay-2026-03',
      detail: { sessionCredentialFromConsole: 'true' },
    });
  });

  it('accepts a failed call: errorCode and errorMessage, no response', () => {
    // Act
    const parsed = parseAppMeshApiCall(loadEvent('appmesh/update-route-access-denied'));

    // Assess
    expect(parsed.detail.errorCode).toBe('AccessDenied');
    expect(parsed.detail.errorMessage).toContain('is not authorized to perform: appmesh:UpdateRoute');
    expect(parsed.detail.responseElements).toBeNull();
  });

  it('refuses an event without detail, naming the field', () => {
    // Prepare
    const { detail: _detail, ...event } = loadEvent('appmesh/update-route');

    // Act
    const error = refusalOf(() => parseAppMeshApiCall(event));

    // Assess
    expect(pathsOf(error)).toEqual(['detail']);
    expect(error.message).toMatch(/^Invalid App Mesh CloudTrail event: detail: .*expected object/);
  });

  it('refuses a wrong detail-type and a wrong source', () => {
    // Prepare
    const event = {
      ...loadEvent('appmesh/update-route'),
      'detail-type': 'AWS Service Event via CloudTrail',
      source: 'aws.ec2',
    };

    // Act
    const error = refusalOf(() => parseAppMeshApiCall(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['detail-type', 'source']);
    expect(error.message).toContain('expected "AWS API Call via CloudTrail"');
  });

  it('refuses a CloudTrail record of another service', () => {
    // Prepare
    const event = loadEvent('appmesh/update-route');
    event.detail.eventSource = 'ec2.amazonaws.com' as 'appmesh.amazonaws.com';

    // Act
    const error = refusalOf(() => parseAppMeshApiCall(event));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.eventSource']);
  });

  it('refuses wrong types and names every bad field path', () => {
    // Prepare
    const event = loadEvent('appmesh/update-route') as unknown as { detail: Record<string, unknown> };
    event.detail.readOnly = 'false';
    event.detail.eventTime = 1773137709;
    event.detail.requestParameters = { meshName: 7, spec: 'not an object' };

    // Act
    const error = refusalOf(() => parseAppMeshApiCall(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual([
      'detail.eventTime',
      'detail.readOnly',
      'detail.requestParameters.meshName',
      'detail.requestParameters.spec',
    ]);
    expect(error.message).toContain('detail.readOnly: Invalid input: expected boolean, received string');
  });

  it('parses a record with only the fields meshwarden reads (no userAgent, recipientAccountId, managementEvent, ...)', () => {
    // Prepare: the stored sparse sample, and the same call stripped of every optional field.
    const event = loadEvent('appmesh/update-route') as unknown as { detail: Record<string, unknown> };
    for (const field of [
      'eventVersion',
      'awsRegion',
      'sourceIPAddress',
      'userAgent',
      'requestID',
      'readOnly',
      'managementEvent',
      'recipientAccountId',
      'eventCategory',
      'responseElements',
    ]) {
      delete event.detail[field];
    }

    // Act
    const stripped = parseAppMeshApiCall(event);
    const sparse = parseAppMeshApiCall(loadEvent('appmesh/update-route-sparse'));

    // Assess
    expect(stripped.detail.userAgent).toBeUndefined();
    expect(stripped.detail.recipientAccountId).toBeUndefined();
    expect(stripped.detail.userIdentity.type).toBe('AssumedRole');
    expect(sparse.detail).toMatchObject({ eventName: 'UpdateRoute', userIdentity: { type: 'IAMUser' } });
    expect(sparse.detail.managementEvent).toBeUndefined();
  });

  it('still refuses a record without what identifies the call: eventID, eventTime, eventName', () => {
    // Prepare
    const event = loadEvent('appmesh/update-route') as unknown as { detail: Record<string, unknown> };
    delete event.detail.eventID;
    delete event.detail.eventTime;
    delete event.detail.eventName;

    // Act
    const error = refusalOf(() => parseAppMeshApiCall(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['detail.eventID', 'detail.eventName', 'detail.eventTime']);
  });

  it('parses an AssumedRole identity without its session issuer, as unidentified', () => {
    // Prepare
    const event = loadEvent('appmesh/update-route') as unknown as {
      detail: { userIdentity: { sessionContext?: Record<string, unknown> } };
    };
    delete event.detail.userIdentity.sessionContext;

    // Act
    const identity = parseAppMeshApiCall(event).detail.userIdentity;

    // Assess: documented shape (the session context is optional), judged by who it names.
    expect(identity).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/platform-deployer/alice',
    });
  });

  it('parses an identity type CloudTrail does not document as Unidentified, with the reason', () => {
    // Prepare
    const event = loadEvent('appmesh/update-route') as unknown as {
      detail: { userIdentity: { type: string } };
    };
    event.detail.userIdentity.type = 'Wizard';

    // Act
    const identity = parseAppMeshApiCall(event).detail.userIdentity;

    // Assess
    expect(identity).toEqual({
      type: 'Unidentified',
      declaredType: 'Wizard',
      arn: 'arn:aws:sts::123456789012:assumed-role/platform-deployer/alice',
      accountId: '123456789012',
      problem: 'userIdentity type "Wizard" is not one CloudTrail documents',
    });
  });

  it.each([
    ['missing', undefined, 'the record has no userIdentity'],
    ['a string', 'alice', 'userIdentity is not an object'],
    ['untyped', { arn: 'arn:aws:iam::123456789012:user/bob' }, 'userIdentity has no type'],
    [
      'a Role without its ARN',
      { type: 'Role', userName: 'platform-deployer' },
      'the Role identity lacks what names its caller (userIdentity.arn: Invalid input: expected string, received undefined)',
    ],
  ])('parses a userIdentity that is %s as Unidentified', (_label, raw, problem) => {
    // Prepare
    const event = loadEvent('appmesh/update-route') as unknown as { detail: Record<string, unknown> };
    if (raw === undefined) delete event.detail.userIdentity;
    else event.detail.userIdentity = raw;

    // Act
    const identity = parseAppMeshApiCall(event).detail.userIdentity;

    // Assess
    expect(identity).toMatchObject({ type: 'Unidentified', problem });
  });

  it.each([
    ['null', null],
    ['a string', 'UpdateRoute'],
    ['an array', [{ source: 'aws.appmesh' }]],
    ['a number', 42],
  ])('refuses %s at the root', (_label, input) => {
    // Act
    const error = refusalOf(() => parseAppMeshApiCall(input));

    // Assess
    expect(pathsOf(error)).toEqual(['(root)']);
    expect(error.message).toContain('expected object');
  });

  it('accepts hostile oversized strings without crashing', () => {
    // Prepare: 1 MiB of text in free-form fields, and a control-character laden name.
    const event = loadEvent('appmesh/update-route');
    event.detail.userAgent = 'A'.repeat(1024 * 1024);
    event.detail.requestParameters = {
      ...event.detail.requestParameters,
      routeName: '\u0000\u202e<script>'.repeat(1000),
    };

    // Act
    const parsed = parseAppMeshApiCall(event);

    // Assess
    expect(parsed.detail.userAgent).toHaveLength(1024 * 1024);
    expect(parsed.detail.requestParameters?.routeName).toHaveLength(10 * 1000);
  });
});
