import { describe, expect, it } from 'vitest';
import { parseRotationTrigger } from '../../../shared/certificates/trigger';
import { ValidationError } from '../../../shared/errors';
import { loadEvent } from '../../support/sample-events';

/** An ApprovalDecided for a CA rollover, as the approvals capability publishes it. */
function rolloverDecided(): { detail: Record<string, unknown> } & Record<string, unknown> {
  return {
    version: '0',
    id: '0f3c8a52-0d7e-4f55-9d1c-7a1c2b3d4e5f',
    'detail-type': 'ApprovalDecided',
    source: 'meshwarden',
    account: '000000000000',
    time: '2026-11-26T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      approvalId: 'ca-rollover-0123456789abcdef0123',
      meshName: 'prod',
      action: {
        type: 'finish-ca-rollover',
        rolloverId: '0123456789abcdef0123',
        oldCaArn:
          'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/11111111-1111-1111-1111-111111111111',
        newCaArn:
          'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/22222222-2222-2222-2222-222222222222',
      },
      decision: 'approved',
      decidedBy: { slackUserId: 'U0123456789', identity: 'priya' },
      decidedAt: '2026-11-26T10:00:00Z',
    },
  };
}

describe('parseRotationTrigger', () => {
  it('tells the schedule, the ACM expiry notice and a rollover decision apart', () => {
    expect(parseRotationTrigger(loadEvent('scheduler/daily-audit')).kind).toBe('schedule');
    expect(parseRotationTrigger(loadEvent('acm/approaching-expiration')).kind).toBe('acm-expiry');
    expect(parseRotationTrigger(rolloverDecided()).kind).toBe('rollover-decision');
  });

  it('refuses a decision about another kind of action', () => {
    // Prepare
    const event = rolloverDecided();
    event.detail.action = {
      type: 'promote-deployment',
      routeKey: 'prod/r/x',
      deploymentId: 'd1',
      toWeight: 100,
    };

    // Act / Assess
    expect(() => parseRotationTrigger(event)).toThrow(/promote-deployment is not for certificate rotation/);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['an unknown source', { source: 'aws.s3', 'detail-type': 'Object Created' }],
  ])('refuses %s with a ValidationError', (_what, input) => {
    expect(() => parseRotationTrigger(input)).toThrow(ValidationError);
  });

  it('takes a rollover awaiting approval from meshwarden or its CLI, naming only the rollover', () => {
    // Prepare
    const claim = (source: string, detail: Record<string, unknown>) => ({
      ...rolloverDecided(),
      source,
      'detail-type': 'CaRolloverAwaitingApproval',
      detail,
    });
    const detail = { rolloverId: '0123456789abcdef0123', meshName: 'prod' };

    // Act / Assess
    expect(parseRotationTrigger(claim('meshwarden.cli', detail)).kind).toBe('rollover-awaiting-approval');
    expect(parseRotationTrigger(claim('meshwarden', detail)).kind).toBe('rollover-awaiting-approval');
    expect(() => parseRotationTrigger(claim('acme.deploy', detail))).toThrow(ValidationError);
    // What the request says comes from stored state: a claim carrying more is refused.
    expect(() => parseRotationTrigger(claim('meshwarden.cli', { ...detail, expiresAt: 'never' }))).toThrow(
      /expiresAt/,
    );
  });

  it('refuses an ACM notice without its certificate ARN, naming the field', () => {
    const event = loadEvent('acm/approaching-expiration') as { resources: string[] };
    event.resources = [];
    expect(() => parseRotationTrigger(event)).toThrow(/resources/);
  });
});
