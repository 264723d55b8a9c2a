import { describe, expect, it } from 'vitest';
import {
  type LatticeHoldInput,
  latticeHold,
} from '../../../shared/providers/vpc-lattice/change-control/lattice-hold';
import type { LatticeTarget } from '../../../shared/providers/vpc-lattice/change-control/lattice-state';

const AUTH_TARGET: LatticeTarget = {
  ref: {
    provider: 'vpc-lattice',
    kind: 'auth-policy',
    meshName: 'prod-net',
    name: 'web',
    parentName: 'service',
  },
  ids: { ownerId: 'svc-1' },
};
const RULE_TARGET: LatticeTarget = {
  ref: {
    provider: 'vpc-lattice',
    kind: 'rule',
    meshName: 'prod-net',
    name: 'maintenance',
    parentName: 'web/http',
  },
  ids: { serviceId: 'svc-1', listenerId: 'listener-1', ruleId: 'rule-1' },
};
const DOC = '{"Version":"2012-10-17","Statement":[]}';
const OPEN =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

function input(overrides: Partial<LatticeHoldInput>): LatticeHoldInput {
  return {
    call: { operation: 'PutAuthPolicy', verb: 'update', response: { policy: OPEN } },
    target: AUTH_TARGET,
    resourceKey: 'prod-net/auth-policy/service/web',
    current: { type: 'auth-policy', policy: OPEN },
    plan: { type: 'write', state: { type: 'auth-policy', policy: DOC }, description: 'restore' },
    approvalId: 'change-abc',
    reasons: ['IAM user bob may not make PutAuthPolicy'],
    requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'IAM user bob' },
    expiresAt: '2026-12-06T07:00:00.000Z',
    ...overrides,
  };
}

describe('what a hold of a VPC Lattice change offers for approval', () => {
  it('offers the auth policy the call left, against the document the revert restores', () => {
    const hold = latticeHold(input({}));

    expect(hold).toMatchObject({
      ok: true,
      request: {
        approvalId: 'change-abc',
        meshName: 'prod-net',
        action: {
          type: 'reapply-lattice-change',
          operation: 'PutAuthPolicy',
          target: { kind: 'auth-policy', ownerId: 'svc-1' },
          proposed: { type: 'auth-policy', policy: OPEN },
          base: { type: 'auth-policy', policy: DOC },
        },
        requestedBy: { label: 'IAM user bob' },
      },
    });
  });

  it('offers a held DeleteAuthPolicy as no policy, and a PutAuthPolicy where there was none against no policy', () => {
    const deleted = latticeHold(
      input({
        call: { operation: 'DeleteAuthPolicy', verb: 'delete', response: {} },
        current: { type: 'auth-policy', policy: null },
      }),
    );
    const putWhereNone = latticeHold(
      input({ plan: { type: 'remove', description: 'delete the auth policy (DeleteAuthPolicy)' } }),
    );

    expect(deleted).toMatchObject({
      ok: true,
      request: { action: { proposed: { policy: null }, base: { policy: DOC } } },
    });
    expect(putWhereNone).toMatchObject({
      ok: true,
      request: { action: { proposed: { policy: OPEN }, base: { policy: null } } },
    });
  });

  it('does not offer a created rule: its revert deletes it, and creating it again is not supported yet', () => {
    const hold = latticeHold(
      input({
        call: { operation: 'CreateRule', verb: 'create' },
        target: RULE_TARGET,
        resourceKey: 'prod-net/rule/web/http/maintenance',
        current: {
          type: 'rule',
          name: 'maintenance',
          match: {},
          priority: 50,
          action: { fixedResponse: { statusCode: 503 } },
        },
        plan: { type: 'remove', description: 'delete the rule (DeleteRule)' },
      }),
    );

    expect(hold).toEqual({
      ok: false,
      reason:
        're-applying CreateRule on approval is not supported for VPC Lattice yet (the revert deletes what it created)',
    });
  });

  it('does not offer what Lattice no longer holds as the call left it', () => {
    const rewritten = latticeHold(input({ current: { type: 'auth-policy', policy: DOC } }));
    const putAgain = latticeHold(
      input({
        call: { operation: 'DeleteAuthPolicy', verb: 'delete', response: {} },
        current: { type: 'auth-policy', policy: OPEN },
      }),
    );

    expect(rewritten).toMatchObject({
      ok: false,
      reason: expect.stringContaining('was written again after PutAuthPolicy'),
    });
    expect(putAgain).toMatchObject({
      ok: false,
      reason: expect.stringContaining('was written again after DeleteAuthPolicy'),
    });
  });

  it('does not offer a request the approvals contract would refuse, saying which field', () => {
    const hold = latticeHold(
      input({
        current: { type: 'auth-policy', policy: 'x'.repeat(10_241) },
        call: { operation: 'PutAuthPolicy', verb: 'update' },
      }),
    );

    expect(hold).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^the held change cannot be offered for approval: action\.proposed\.policy/,
      ),
    });
  });
});
