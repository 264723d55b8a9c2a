import { describe, expect, it } from 'vitest';
import { parseExecutorEvent } from '../../../shared/approvals/executor-event';
import { parseRotationTrigger } from '../../../shared/certificates/trigger';
import { parseApprovalDecided, parseApprovalRequested } from '../../../shared/events/approvals';
import { parseAssumeRoleWithWebIdentity } from '../../../shared/events/sts-web-identity';
import { parseAppMeshApiCall } from '../../../shared/providers/appmesh/cloudtrail';
import { loadEvent } from '../../support/sample-events';
import { pathsOf, refusalOf } from './refusal';

/**
 * Shrunk counterexamples of the handler fuzzing (test/fuzz), as plain tests of the parsers
 * that now refuse them with a ValidationError (or, for an unreadable caller, keep only its
 * bounded parts) instead of crashing or failing in DynamoDB.
 */

/** JSON nested 10,000 deep: Lambda parses it, a recursive JSON.stringify overflows on it. */
const deep = (): unknown => JSON.parse(`${'['.repeat(10_000)}1${']'.repeat(10_000)}`);
const megabyte = 'x'.repeat(1024 * 1024);

function meshwardenEvent(detailType: string, detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '0f3c8a52-0d7e-4f55-9d1c-7a1c2b3d4e5f',
    'detail-type': detailType,
    source: 'meshwarden',
    account: '000000000000',
    time: '2026-11-26T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

const promote = (action: Record<string, unknown>) =>
  meshwardenEvent('ApprovalDecided', {
    approvalId: 'fuzz-decided',
    meshName: 'prod',
    action: {
      type: 'promote-deployment',
      routeKey: 'prod/web-router/web-route',
      deploymentId: 'd-1',
      toWeight: 100,
      ...action,
    },
    decision: 'expired',
    decidedAt: '2026-11-26T10:00:00Z',
  });

const requested = (detail: Record<string, unknown>) =>
  meshwardenEvent('ApprovalRequested', {
    approvalId: 'fuzz-request',
    meshName: 'prod',
    action: {
      type: 'promote-deployment',
      routeKey: 'prod/web-router/web-route',
      deploymentId: 'd-1',
      toWeight: 100,
    },
    title: 'Promote web-route to 100%',
    reason: 'deployment gate',
    requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob' },
    diff: '',
    expiresAt: '2026-11-26T11:00:00Z',
    ...detail,
  });

describe('fuzz regressions: the parsers refuse what crashed the handlers', () => {
  it('cert-rotation: a source nested 10,000 deep is refused, not a RangeError (seed 993700520)', () => {
    // Prepare
    const event = { ...loadEvent('acm/approaching-expiration'), source: deep() };

    // Act
    const error = refusalOf(() => parseRotationTrigger(event));

    // Assess
    expect(pathsOf(error)).toEqual(['source']);
  });

  it('approval-executor: a detail-type nested 10,000 deep is refused, not a RangeError', () => {
    // Prepare
    const event = { ...meshwardenEvent('ApprovalDecided', {}), 'detail-type': deep() };

    // Act
    const error = refusalOf(() => parseExecutorEvent(event));

    // Assess
    expect(pathsOf(error)).toEqual(['detail-type']);
  });

  it('deployment-guard: a 1 MB routeKey or deploymentId in ApprovalDecided is refused before it becomes a DynamoDB key', () => {
    // Prepare / Act
    const routeKey = refusalOf(() => parseApprovalDecided(promote({ routeKey: megabyte })));
    const deploymentId = refusalOf(() => parseApprovalDecided(promote({ deploymentId: megabyte })));

    // Assess
    expect(pathsOf(routeKey)).toEqual(['detail.action.routeKey']);
    expect(pathsOf(deploymentId)).toEqual(['detail.action.deploymentId']);
  });

  it('approval-executor: a 1 MB title, reason or requester in ApprovalRequested is refused before it is stored', () => {
    // Prepare / Act / Assess
    for (const [detail, path] of [
      [{ title: megabyte }, 'detail.title'],
      [{ reason: megabyte }, 'detail.reason'],
      [{ meshName: megabyte }, 'detail.meshName'],
      [{ requestedBy: { arn: megabyte, label: 'bob' } }, 'detail.requestedBy.arn'],
      [
        { requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: megabyte } },
        'detail.requestedBy.label',
      ],
    ] as const) {
      expect(pathsOf(refusalOf(() => parseApprovalRequested(requested(detail))))).toEqual([path]);
    }
  });

  it('mesh-change: a 1 MB errorCode or errorMessage of a failed call is refused, not stored until DynamoDB refuses the item', () => {
    // Prepare: shrunk counterexample [update-route-access-denied, huge-string at detail.errorCode].
    const withDetail = (detail: Record<string, unknown>) => {
      const event = loadEvent('appmesh/update-route-access-denied');
      return { ...event, detail: { ...event.detail, ...detail } };
    };

    // Act
    const code = refusalOf(() => parseAppMeshApiCall(withDetail({ errorCode: megabyte })));
    const message = refusalOf(() => parseAppMeshApiCall(withDetail({ errorMessage: megabyte })));

    // Assess
    expect(pathsOf(code)).toEqual(['detail.errorCode']);
    expect(pathsOf(message)).toEqual(['detail.errorMessage']);
  });

  it('mesh-change: a 1 MB eventName is refused, not carried into a GovernanceDecision EventBridge cannot take (seed 888808417)', () => {
    // Prepare: shrunk counterexample [unknown operation, huge-string at detail.eventName]; an
    // unknown operation is reported as unjudgeable, and the report names the operation twice.
    const event = loadEvent('appmesh/update-route');
    const bent = { ...event, detail: { ...event.detail, eventName: megabyte } };

    // Act
    const error = refusalOf(() => parseAppMeshApiCall(bent));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.eventName']);
  });

  it('mesh-change: a 1 MB eventID is refused, not turned into an audit sort key over 1,024 bytes', () => {
    // Prepare: shrunk counterexample [update-route, huge-string at detail.eventID].
    const event = loadEvent('appmesh/update-route');
    const bent = { ...event, detail: { ...event.detail, eventID: megabyte } };

    // Act
    const error = refusalOf(() => parseAppMeshApiCall(bent));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.eventID']);
  });

  it('mesh-change: a virtual router named by a lone surrogate is refused, not a URIError in DescribeRoute (seed 506548921)', () => {
    // Prepare: shrunk counterexample [update-route, replace detail.requestParameters.virtualRouterName
    // with "\uD800"]: a string no UTF-8 request can carry, which the SDK cannot put in a URL path.
    const event = loadEvent('appmesh/update-route');
    const params = event.detail.requestParameters as Record<string, unknown>;
    const bent = (fields: Record<string, unknown>) => ({
      ...event,
      detail: { ...event.detail, requestParameters: { ...params, ...fields } },
    });

    // Act
    const router = refusalOf(() => parseAppMeshApiCall(bent({ virtualRouterName: '\uD800' })));
    const mesh = refusalOf(() => parseAppMeshApiCall(bent({ meshName: 'prod\uDC00' })));
    const arn = refusalOf(() => parseAppMeshApiCall(bent({ resourceArn: '\uD800' })));

    // Assess
    expect(pathsOf(router)).toEqual(['detail.requestParameters.virtualRouterName']);
    expect(router.message).toMatch(/lone surrogate/);
    expect(pathsOf(mesh)).toEqual(['detail.requestParameters.meshName']);
    expect(pathsOf(arn)).toEqual(['detail.requestParameters.resourceArn']);
    // A name in another script, a surrogate pair included, is well-formed and accepted.
    expect(
      parseAppMeshApiCall(bent({ virtualRouterName: 'wëb-router-😀' })).detail.requestParameters
        ?.virtualRouterName,
    ).toBe('wëb-router-😀');
  });

  it('mesh-change: an 8.7 MB caller ARN never keys a session: the caller is unidentified, the ARN dropped', () => {
    // Prepare: shrunk counterexample [update-route-oidc, huge-string at detail.userIdentity.arn].
    const event = loadEvent('appmesh/update-route-oidc');
    const identity = event.detail.userIdentity as Record<string, unknown>;
    const bent = (fields: Record<string, unknown>) => ({
      ...event,
      detail: { ...event.detail, userIdentity: { ...identity, ...fields } },
    });
    const context = identity.sessionContext as { sessionIssuer: Record<string, unknown> };

    // Act
    const caller = parseAppMeshApiCall(bent({ arn: megabyte })).detail.userIdentity;
    const role = parseAppMeshApiCall(
      bent({ sessionContext: { ...context, sessionIssuer: { ...context.sessionIssuer, arn: megabyte } } }),
    ).detail.userIdentity;

    // Assess: parsed (to be reported as unjudgeable), with nothing oversized kept.
    expect(caller).toMatchObject({ type: 'Unidentified', declaredType: 'AssumedRole', arn: undefined });
    expect(caller.type === 'Unidentified' && caller.problem).toMatch(/userIdentity\.arn: Too big/);
    expect(role).toMatchObject({ type: 'Unidentified', declaredType: 'AssumedRole' });
    expect(role.type === 'Unidentified' && role.problem).toMatch(
      /userIdentity\.sessionContext\.sessionIssuer\.arn: Too big/,
    );
    expect(JSON.stringify([caller, role]).length).toBeLessThan(4096);
  });

  it('mesh-change: a 1 MB assumed-role ARN of an OIDC federation is refused before it keys a session', () => {
    // Prepare
    const event = loadEvent('sts/assume-role-with-web-identity');
    const responseElements = event.detail.responseElements as { assumedRoleUser: Record<string, unknown> };
    const bent = {
      ...event,
      detail: {
        ...event.detail,
        responseElements: {
          ...responseElements,
          assumedRoleUser: { ...responseElements.assumedRoleUser, arn: megabyte },
        },
      },
    };

    // Act
    const error = refusalOf(() => parseAssumeRoleWithWebIdentity(bent));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.responseElements.assumedRoleUser.arn']);
  });

  it('accepts the valid events these were bent from', () => {
    expect(
      parseAssumeRoleWithWebIdentity(loadEvent('sts/assume-role-with-web-identity')).detail,
    ).toBeDefined();
    expect(parseAppMeshApiCall(loadEvent('appmesh/update-route-oidc')).detail.userIdentity.type).toBe(
      'AssumedRole',
    );
    expect(
      parseAppMeshApiCall(loadEvent('appmesh/update-route-access-denied')).detail.errorCode,
    ).toBeDefined();
    // Prepare / Act / Assess
    expect(parseApprovalDecided(promote({})).detail.action.type).toBe('promote-deployment');
    expect(parseApprovalRequested(requested({})).detail.title).toBe('Promote web-route to 100%');
  });
});
