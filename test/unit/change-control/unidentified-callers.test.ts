import { describe, expect, it } from 'vitest';
import { judgeChange } from '../../../shared/change-control/judge-change';
import { derivePrincipal } from '../../../shared/events/principal';
import { decideChange } from '../../../shared/policy/change-control';
import { parsePolicy } from '../../../shared/policy/load';
import { type AppMeshApiCallEvent, parseAppMeshApiCall } from '../../../shared/providers/appmesh/cloudtrail';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { loadEvent } from '../../support/sample-events';
import { ACCOUNT, routeSpec, SELF_ROLE, WEB_ROUTE, world } from './scenario';

/**
 * Records as lenient as AWS writes them: the fields CloudTrail marks optional may be missing,
 * any documented identity type may call, and a caller meshwarden cannot identify is reported as
 * unjudgeable (audited, published), never dead-lettered and never allowed.
 */

type World = Awaited<ReturnType<typeof world>>;

/** The mesh as the caller left it: the web route at 80/20 (a new version). */
function changeRoute(w: World): MeshResource {
  return w.meshes.put({
    kind: 'route',
    meshName: 'prod',
    parentName: 'web-router',
    name: 'web-route',
    spec: routeSpec([80, 20]),
  });
}

/** UpdateRoute of the web route in the test account, by `userIdentity`, without the fields in `omit`. */
function updateBy(userIdentity: unknown, omit: readonly string[] = []): AppMeshApiCallEvent {
  const base = loadEvent('appmesh/update-route');
  const detail: Record<string, unknown> = {
    ...base.detail,
    userIdentity,
    eventID: crypto.randomUUID(),
    eventTime: '2026-11-26T10:00:00Z',
    requestParameters: WEB_ROUTE,
    responseElements: {},
  };
  for (const field of omit) delete detail[field];
  return parseAppMeshApiCall({ ...base, account: ACCOUNT, detail });
}

const OPTIONAL_FIELDS = [
  'eventVersion',
  'userAgent',
  'sourceIPAddress',
  'recipientAccountId',
  'managementEvent',
  'eventCategory',
  'requestID',
  'awsRegion',
  'tlsDetails',
];

const bob = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
  accountId: ACCOUNT,
  userName: 'bob',
};

function decisionOf(w: World): Record<string, unknown> {
  const events = w.publisher.ofType('GovernanceDecision');
  expect(events).toHaveLength(1);
  return events[0]?.detail as Record<string, unknown>;
}

describe('judgeChange: records with only what meshwarden reads', () => {
  it('judges a call without userAgent, sessionContext, recipientAccountId and managementEvent', async () => {
    // Prepare: bob may change nothing; his violations are held (the bob-hold override).
    const w = await world();
    changeRoute(w);
    const event = updateBy(bob, OPTIONAL_FIELDS);

    // Act
    const result = await judgeChange(w.deps, event);

    // Assess
    expect(result).toMatchObject({ status: 'decided', action: 'hold' });
    expect(decisionOf(w)).toMatchObject({
      changeControl: 'deny',
      action: 'hold',
      principal: { type: 'IAMUser', label: 'IAM user bob' },
    });
  });

  it('judges a Role identity by its role ARN: the admins rule allows the PlatformAdmin role itself', async () => {
    // Prepare
    const w = await world();
    changeRoute(w);
    const role = {
      type: 'Role',
      principalId: 'AROAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:role/PlatformAdmin`,
      accountId: ACCOUNT,
      userName: 'PlatformAdmin',
    };

    // Act
    const result = await judgeChange(w.deps, updateBy(role, OPTIONAL_FIELDS));

    // Assess
    expect(result).toMatchObject({ status: 'decided', action: 'keep' });
    expect(decisionOf(w)).toMatchObject({
      changeControl: 'allow',
      principal: { type: 'Role', label: 'role PlatformAdmin' },
    });
  });

  it("skips meshwarden's own Role identity: the loop guard knows the role acting itself", async () => {
    // Prepare
    const w = await world();
    changeRoute(w);
    const self = { type: 'Role', arn: SELF_ROLE, accountId: ACCOUNT };

    // Act
    const result = await judgeChange(w.deps, updateBy(self));

    // Assess
    expect(result.status).toBe('skipped');
    expect(w.publisher.published).toEqual([]);
  });
});

describe('judgeChange: a caller it cannot identify is reported, never allowed', () => {
  it.each([
    [
      'an undocumented identity type',
      { type: 'Wizard', arn: `arn:aws:iam::${ACCOUNT}:role/PlatformAdmin` },
      /type "Wizard" is not one CloudTrail documents/,
    ],
    [
      "CloudTrail's Unknown",
      { type: 'Unknown', principalId: ACCOUNT, arn: '', accountId: ACCOUNT },
      /recorded the caller as Unknown/,
    ],
    [
      'an IAM user whose ARN is not a string',
      { ...bob, arn: 42 },
      /IAMUser identity lacks what names its caller \(userIdentity\.arn/,
    ],
    ['no userIdentity at all', undefined, /the record has no userIdentity/],
  ])('reports %s as unjudgeable: audited, published, nothing written', async (_label, identity, reason) => {
    // Prepare
    const w = await world();
    changeRoute(w);
    const event = updateBy(identity);

    // Act
    const result = await judgeChange(w.deps, event);

    // Assess
    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report', outcome: 'no-effect' });
    expect(result.reason).toMatch(reason);
    expect(w.audit.puts[0]).toMatchObject({ decision: { changeControl: 'unjudgeable', action: 'report' } });
    expect(decisionOf(w)).toMatchObject({
      changeControl: 'unjudgeable',
      action: 'report',
      reasons: [expect.stringMatching(/UpdateRoute could not be judged: the caller cannot be identified/)],
    });
    expect(w.meshes.writes()).toEqual([]);
    // Not kept as good: the change was never judged.
    expect((await w.lkg.get('prod/route/web-router/web-route'))?.resource.spec).toEqual(routeSpec([90, 10]));
  });

  it('reports a role session whose issuer CloudTrail left out, since no rule can be matched to its role', async () => {
    // Prepare: the admin's session (allowed, with its issuer) without its session context.
    const w = await world();
    changeRoute(w);
    const session = {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:admin',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/PlatformAdmin/admin`,
      accountId: ACCOUNT,
    };

    // Act
    const result = await judgeChange(w.deps, updateBy(session, OPTIONAL_FIELDS));

    // Assess
    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report' });
    expect(result.reason).toContain('names no session issuer');
    expect(w.meshes.writes()).toEqual([]);
  });

  it("skips meshwarden's own session even without its issuer, by the session ARN", async () => {
    // Prepare
    const w = await world();
    changeRoute(w);
    const self = { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/meshwarden-functions/x` };

    // Act
    const result = await judgeChange(w.deps, updateBy(self));

    // Assess
    expect(result.status).toBe('skipped');
    expect(w.publisher.published).toEqual([]);
  });
});

describe('decideChange: fail closed', () => {
  it('matches an unidentified caller to no allow rule and no default allow, however little they ask', () => {
    // Prepare: an account-wide allow rule, and allow as the default.
    const policy = parsePolicy(
      `
version: 1
meshes:
  - mesh: prod
    changeControl:
      default: allow
      onViolation: revert
      allow:
        - id: whole-account
          principals: [{ account: "${ACCOUNT}" }]
          actions: ['*']
          resources: [{ kind: '*' }]
      violationOverrides:
        - id: account-report
          principals: [{ account: "${ACCOUNT}" }]
          onViolation: report
`,
      'fail-closed.policy.yaml',
    );
    const request = (userIdentity: unknown) => ({
      principal: derivePrincipal(updateBy(userIdentity).detail.userIdentity),
      action: 'UpdateRoute',
      resource: { meshName: 'prod', kind: 'route' as const, name: 'web-route', parentName: 'web-router' },
    });

    // Act
    const known = decideChange(policy, request(bob));
    const unknown = decideChange(policy, request({ type: 'Unknown', accountId: ACCOUNT }));
    const wizard = decideChange(policy, request({ type: 'Wizard', accountId: ACCOUNT }));

    // Assess: the same account, but only the identified caller is allowed; no override applies.
    expect(known).toMatchObject({ decision: 'allow', basis: { type: 'rule', ruleId: 'whole-account' } });
    for (const decision of [unknown, wizard]) {
      expect(decision).toMatchObject({
        decision: 'deny',
        onViolation: 'revert',
        violationBasis: { type: 'default' },
      });
      expect(decision.explanation).toContain('cannot be identified');
    }
  });
});
