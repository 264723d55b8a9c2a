import { describe, expect, it } from 'vitest';
import { authorizeApprover } from '../../../shared/approvals/authorize-approver';
import { loadPolicy, PolicyError, parsePolicy } from '../../../shared/policy/load';
import { approvalsPolicy, pendingApproval } from './support';

function refusal(text: string): string[] {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return error.lines;
    throw error;
  }
  throw new Error('the policy was accepted');
}

const head = `version: 1
meshes:
  - mesh: prod
    changeControl: { default: deny, onViolation: hold }
    approvals:
`;

describe('approvals policy section', () => {
  it('reads the demo policy: channels, approvers and who may approve what', () => {
    const section = loadPolicy('infra/local/demo/meshwarden.policy.yaml').forMesh('prod')?.document.approvals;
    expect(section?.slack).toEqual({ channel: 'C0APPROVALS', notificationsChannel: 'C0MESHOPS01' });
    expect(Object.keys(section?.approvers ?? {})).toEqual(['U0PLATFORM1', 'U0DEV00001', 'U0ONCALL01']);
    expect(section?.approve['reapply-change']).toEqual(['platform-leads']);
  });

  it('refuses a group no approver is in, with its line and path', () => {
    const lines = refusal(`${head}      slack: { channel: C0APPROVALS }
      approvers:
        U0PLATFORM1: { identity: priya, groups: [platform-leads] }
      approve:
        reapply-change: [platform-lead]
`);
    expect(lines).toEqual([
      expect.stringMatching(
        /^p\.yaml:\d+:\d+ meshes\[0\]\.approvals\.approve\.reapply-change\[0\]: no approver is in group "platform-lead"$/,
      ),
    ]);
  });

  it('refuses requireEmailMatch with an approver without email, a channel name, an unknown action type', () => {
    const lines = refusal(`${head}      slack: { channel: '#mesh-approvals' }
      requireEmailMatch: true
      approvers:
        U0PLATFORM1: { identity: priya, groups: [platform-leads] }
      approve:
        delete-mesh: [platform-leads]
`);
    expect(lines.join('\n')).toMatch(/approvals\.slack\.channel: expected a Slack channel id/);
    expect(lines.join('\n')).toMatch(/approvals\.approve\.delete-mesh/);
    expect(lines.join('\n')).toMatch(/approvals\.approvers\.U0PLATFORM1\.email: requireEmailMatch is on/);
  });
});

describe('authorizeApprover', () => {
  const section = approvalsPolicy().forMesh('prod')?.document.approvals;

  it('maps an allowed approver to their identity', () => {
    expect(authorizeApprover(section, pendingApproval(), 'U0PLATFORM1', 'approved')).toMatchObject({
      ok: true,
      decider: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
    });
  });

  it('checks groups per action type', () => {
    const promote = pendingApproval({
      action: {
        type: 'promote-deployment',
        routeKey: 'prod/web-router/web-route',
        deploymentId: 'd1',
        toWeight: 100,
      },
    });
    expect(authorizeApprover(section, promote, 'U0ONCALL01', 'approved').ok).toBe(true);
    expect(authorizeApprover(section, pendingApproval(), 'U0ONCALL01', 'approved')).toMatchObject({
      ok: false,
      reason: 'group-not-allowed',
    });
    const rollover = pendingApproval({
      action: { type: 'finish-ca-rollover', rolloverId: 'r', oldCaArn: 'a', newCaArn: 'b' },
    });
    expect(authorizeApprover(section, rollover, 'U0PLATFORM1', 'approved')).toMatchObject({
      ok: false,
      reason: 'group-not-allowed',
    });
  });

  it('refuses self-approval by identity label or AWS principal, but lets the requester reject', () => {
    const byLabel = pendingApproval({
      action: {
        type: 'promote-deployment',
        routeKey: 'prod/web-router/web-route',
        deploymentId: 'd1',
        toWeight: 100,
      },
      requestedBy: { arn: 'arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice', label: 'alice' },
    });
    expect(authorizeApprover(section, byLabel, 'U0DEV00001', 'approved')).toMatchObject({
      ok: false,
      reason: 'self-approval',
    });
    expect(authorizeApprover(section, byLabel, 'U0DEV00001', 'rejected').ok).toBe(true);
    const byArn = pendingApproval({
      requestedBy: {
        arn: 'arn:aws:sts::000000000000:assumed-role/PlatformAdmin/priya-ci',
        label: 'PlatformAdmin/priya-ci',
      },
    });
    expect(authorizeApprover(section, byArn, 'U0PLATFORM1', 'approved')).toMatchObject({
      ok: false,
      reason: 'self-approval',
    });
  });

  it('refuses everyone on a mesh without an approvals section, and a user id like __proto__', () => {
    expect(authorizeApprover(undefined, pendingApproval(), 'U0PLATFORM1', 'approved')).toMatchObject({
      ok: false,
      reason: 'no-approvals-policy',
    });
    expect(authorizeApprover(section, pendingApproval(), '__proto__', 'approved')).toMatchObject({
      ok: false,
      reason: 'not-an-approver',
    });
  });
});
