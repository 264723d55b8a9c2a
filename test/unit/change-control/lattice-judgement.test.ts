import { describe, expect, it } from 'vitest';
import { ResourceKeyError } from '../../../shared/domain/resource-key';
import { derivePrincipal } from '../../../shared/events/principal';
import { decideChange } from '../../../shared/policy/change-control';
import { PolicyError, parsePolicy } from '../../../shared/policy/load';
import { decideLatticeAction } from '../../../shared/providers/vpc-lattice/change-control/judge-lattice-change';
import { latticeCallOf } from '../../../shared/providers/vpc-lattice/change-control/lattice-call';
import {
  type LatticeLastKnownGood,
  planLatticeRevert,
} from '../../../shared/providers/vpc-lattice/change-control/lattice-state';
import { parseLatticeApiCall } from '../../../shared/providers/vpc-lattice/cloudtrail';
import {
  formatLatticeResourceKey,
  type LatticeResourceRef,
} from '../../../shared/providers/vpc-lattice/resource-key';
import { loadEvent } from '../../support/sample-events';

const ACCOUNT = '000000000000';
const role = (roleName: string, session: string) =>
  derivePrincipal({
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${session}`,
    accountId: ACCOUNT,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
        accountId: ACCOUNT,
        userName: roleName,
      },
    },
  });
const bob = derivePrincipal({
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
  accountId: ACCOUNT,
  userName: 'bob',
});

const POLICY = `version: 1
meshes:
  - mesh: prod-net
    provider: vpc-lattice
    serviceNetwork: prod-net
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: platform-admins
          principals: [{ roleArn: "arn:aws:iam::${ACCOUNT}:role/PlatformAdmin" }]
          actions: ["*"]
          resources: [{ kind: "*" }]
        - id: web-deployers
          principals: [{ roleArn: "arn:aws:iam::${ACCOUNT}:role/WebDeployer" }]
          actions: [UpdateRule]
          resources: [{ kind: rule, parent: "web/*" }]
      violationOverrides:
        - id: bob-held
          principals: [{ iamUser: bob, account: "${ACCOUNT}" }]
          onViolation: hold
  - mesh: "*"
    changeControl: { default: allow, onViolation: report }
`;

const rule = (parentName: string, name = 'web-canary'): LatticeResourceRef => ({
  provider: 'vpc-lattice',
  kind: 'rule',
  meshName: 'prod-net',
  name,
  parentName,
});

describe('VPC Lattice resource keys', () => {
  it('name the service network, the kind, the parent and the name', () => {
    expect(formatLatticeResourceKey(rule('web/http'))).toBe('prod-net/rule/web/http/web-canary');
    expect(
      formatLatticeResourceKey({
        provider: 'vpc-lattice',
        kind: 'auth-policy',
        meshName: 'prod-net',
        name: 'web',
        parentName: 'service',
      }),
    ).toBe('prod-net/auth-policy/service/web');
    expect(
      formatLatticeResourceKey({
        provider: 'vpc-lattice',
        kind: 'service-network',
        meshName: 'prod-net',
        name: 'prod-net',
      }),
    ).toBe('prod-net/service-network');
    expect(
      formatLatticeResourceKey({
        provider: 'vpc-lattice',
        kind: 'listener',
        meshName: 'prod-net',
        name: 'http',
        parentName: 'web',
      }),
    ).toBe('prod-net/listener/web/http');
  });

  it('refuse a rule without its service and listener, or a parent on a kind without one', () => {
    expect(() => formatLatticeResourceKey(rule('web'))).toThrow(ResourceKeyError);
    expect(() =>
      formatLatticeResourceKey({
        provider: 'vpc-lattice',
        kind: 'service',
        meshName: 'prod-net',
        name: 'web',
        parentName: 'x',
      }),
    ).toThrow(/has no parent/);
  });
});

describe('change control on VPC Lattice keys', () => {
  const policy = parsePolicy(POLICY, 'p.yaml');

  it('allows by the first matching rule, with its id, and matches the parent glob', () => {
    const decision = decideChange(policy, {
      principal: role('WebDeployer', 'ci'),
      action: 'UpdateRule',
      resource: rule('web/http'),
    });

    expect(decision).toMatchObject({ decision: 'allow', basis: { type: 'rule', ruleId: 'web-deployers' } });
    expect(decision.explanation).toContain('UpdateRule on prod-net/rule/web/http/web-canary');
  });

  it('denies what no rule covers, with the default violation action and the sentence', () => {
    const otherService = decideChange(policy, {
      principal: role('WebDeployer', 'ci'),
      action: 'UpdateRule',
      resource: rule('payments/http'),
    });
    const otherAction = decideChange(policy, {
      principal: role('WebDeployer', 'ci'),
      action: 'DeleteRule',
      resource: rule('web/http'),
    });

    expect(otherService).toMatchObject({ decision: 'deny', onViolation: 'revert' });
    expect(otherService.explanation).toMatch(
      /may not make UpdateRule on prod-net\/rule\/payments\/http\/web-canary: no allow rule matches/,
    );
    expect(otherAction).toMatchObject({ decision: 'deny', onViolation: 'revert' });
  });

  it('applies violation overrides to Lattice calls too', () => {
    const decision = decideChange(policy, {
      principal: bob,
      action: 'PutAuthPolicy',
      resource: rule('web/http'),
    });

    expect(decision).toMatchObject({
      decision: 'deny',
      onViolation: 'hold',
      violationBasis: { type: 'override', overrideId: 'bob-held' },
    });
  });

  it('fails closed for a caller it cannot identify, even one an allow rule would match by role', () => {
    const unidentified = { ...role('PlatformAdmin', 'x'), unidentified: 'no session issuer' };

    const decision = decideChange(policy, {
      principal: unidentified,
      action: 'UpdateRule',
      resource: rule('web/http'),
    });

    expect(decision.decision).toBe('deny');
    expect(decision.explanation).toContain('cannot be identified');
  });

  it('governs a service network only by a vpc-lattice entry, and an App Mesh mesh only by an App Mesh one', () => {
    const lattice = decideChange(policy, {
      principal: bob,
      action: 'UpdateRule',
      resource: { ...rule('web/http'), meshName: 'other-net' },
    });
    const appMesh = decideChange(policy, {
      principal: bob,
      action: 'UpdateRoute',
      resource: { kind: 'route', meshName: 'prod-net', name: 'r', parentName: 'vr' },
    });

    expect(lattice).toMatchObject({ decision: 'allow', basis: { type: 'ungoverned-mesh' } });
    expect(lattice.explanation).toContain('no vpc-lattice policy entry governs service network other-net');
    expect(appMesh).toMatchObject({ decision: 'allow', basis: { type: 'ungoverned-mesh' } });
  });
});

describe('the policy refuses change-control rules of the other provider', () => {
  function linesOf(text: string): readonly string[] {
    try {
      parsePolicy(text, 'p.yaml');
    } catch (error) {
      if (error instanceof PolicyError) return error.lines;
      throw error;
    }
    throw new Error('expected the policy to be refused');
  }
  const entry = (provider: string, action: string, kind: string) =>
    `version: 1\nmeshes:\n  - mesh: prod-net\n${provider}    changeControl:\n      default: deny\n      onViolation: revert\n      allow:\n        - id: a\n          principals: [{ iamUser: bob }]\n          actions: [${action}]\n          resources: [{ kind: ${kind} }]\n`;
  const lattice = '    provider: vpc-lattice\n    serviceNetwork: prod-net\n';

  it('takes Lattice actions and kinds in a Lattice entry', () => {
    expect(parsePolicy(entry(lattice, 'PutAuthPolicy', 'auth-policy'), 'p.yaml').meshes).toHaveLength(1);
  });

  it('refuses App Mesh kinds in a Lattice entry and Lattice actions in an App Mesh entry, saying where', () => {
    expect(linesOf(entry(lattice, 'UpdateRule', 'route'))).toEqual([
      expect.stringMatching(
        /meshes\[0\]\.changeControl\.allow\[0\]\.resources\[0\]\.kind: "route" matches no VPC Lattice resource kind/,
      ),
    ]);
    expect(linesOf(entry('', 'PutAuthPolicy', 'route'))).toEqual([
      expect.stringMatching(
        /meshes\[0\]\.changeControl\.allow\[0\]\.actions\[0\]: "PutAuthPolicy" matches no App Mesh action/,
      ),
    ]);
  });
});

describe('what meshwarden does about a judged Lattice call', () => {
  const policy = parsePolicy(POLICY, 'p.yaml');
  const denied = (principal = role('WebDeployer', 'ci')) =>
    decideChange(policy, { principal, action: 'UpdateRule', resource: rule('payments/http') });
  const good: LatticeLastKnownGood = {
    resourceKey: 'prod-net/rule/web/http/web-canary',
    state: {
      type: 'rule',
      name: 'web-canary',
      match: {},
      priority: 10,
      action: { fixedResponse: { statusCode: 404 } },
    },
    eventId: 'e0',
    recordedAt: '2026-12-06T00:00:00.000Z',
    source: 'baseline',
  };
  const current = { ...good.state, priority: 20 } as const;

  it('keeps an allowed call', () => {
    const allowed = decideChange(policy, {
      principal: role('PlatformAdmin', 'a'),
      action: 'UpdateRule',
      resource: rule('web/http'),
    });

    expect(decideLatticeAction(allowed, { type: 'none', reason: 'x' }).action).toBe('keep');
  });

  it('reverts a denied UpdateRule to the last known good state, whole', () => {
    const plan = planLatticeRevert(
      { operation: 'UpdateRule', verb: 'update' },
      good.resourceKey,
      current,
      good,
    );
    const decision = decideLatticeAction(denied(), plan);

    expect(decision).toMatchObject({ action: 'revert', plan: { type: 'write', state: good.state } });
  });

  it('holds what it can revert: the revert plan, to be followed by an approval request', () => {
    const plan = planLatticeRevert(
      { operation: 'UpdateRule', verb: 'update' },
      good.resourceKey,
      current,
      good,
    );
    const decision = decideLatticeAction(denied(bob), plan);

    expect(decision).toMatchObject({ action: 'hold', plan: { type: 'write', state: good.state } });
    expect(decision.unrevertable).toBeUndefined();
  });

  it('cannot hold what it cannot revert: reported as unrevertable, with the reason', () => {
    const deleted = planLatticeRevert(
      { operation: 'DeleteRule', verb: 'delete' },
      good.resourceKey,
      undefined,
      good,
    );
    const decision = decideLatticeAction(denied(bob), deleted);

    expect(decision).toMatchObject({ action: 'report', plan: { type: 'none' } });
    expect(decision.unrevertable).toMatch(/recreating deleted VPC Lattice resources is not supported/);
  });

  it('reports what it cannot undo as unrevertable, with the reason', () => {
    const noGood = planLatticeRevert(
      { operation: 'UpdateRule', verb: 'update' },
      good.resourceKey,
      current,
      undefined,
    );
    const deleted = planLatticeRevert(
      { operation: 'DeleteService', verb: 'delete' },
      'prod-net/service/web',
      undefined,
      undefined,
    );

    expect(decideLatticeAction(denied(), noGood)).toMatchObject({
      action: 'report',
      unrevertable: 'prod-net/rule/web/http/web-canary has no last known good state to restore',
    });
    expect(decideLatticeAction(denied(), deleted).unrevertable).toMatch(
      /recreating deleted VPC Lattice resources is not supported/,
    );
  });

  it('plans DeleteRule for a created rule, and DeleteAuthPolicy where there was none', () => {
    const created = planLatticeRevert(
      { operation: 'CreateRule', verb: 'create' },
      good.resourceKey,
      current,
      undefined,
    );
    const put = planLatticeRevert({ operation: 'PutAuthPolicy', verb: 'update' }, 'k', undefined, {
      ...good,
      state: { type: 'auth-policy', policy: null },
    });

    expect(created.type).toBe('remove');
    expect(put).toMatchObject({ type: 'remove', description: expect.stringContaining('DeleteAuthPolicy') });
  });
});

describe('reading a Lattice CloudTrail record', () => {
  it('takes identifiers from it, never the state to restore', () => {
    const event = parseLatticeApiCall(loadEvent('vpc-lattice/update-rule'));

    const call = latticeCallOf(event.detail);

    expect(call).toMatchObject({
      operation: 'UpdateRule',
      kind: 'rule',
      verb: 'update',
      readOnly: false,
      ids: {
        serviceIdentifier: 'svc-0123456789abcdef0',
        listenerIdentifier: 'listener-0123456789abcdef0',
        ruleIdentifier: 'rule-0123456789abcdef0',
      },
    });
    // The request's action is not kept at all; the response only to compare with Lattice later.
    expect(JSON.stringify(call.ids)).not.toContain('targetGroups');
    expect(call).not.toHaveProperty('requestParameters');
  });

  it('treats read calls and unknown operations as changing nothing', () => {
    const event = parseLatticeApiCall(loadEvent('vpc-lattice/update-rule'));

    expect(latticeCallOf({ ...event.detail, eventName: 'GetRule' }).readOnly).toBe(true);
  });
});
