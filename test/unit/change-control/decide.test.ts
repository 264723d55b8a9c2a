import { describe, expect, it } from 'vitest';
import { type ChangeAction, decideAction } from '../../../shared/change-control/decide';
import type { RevertPlan } from '../../../shared/change-control/revert-plan';
import type { ChangeDecision } from '../../../shared/policy/change-control';
import type { Finding } from '../../../shared/policy/judge';
import type { RuleId } from '../../../shared/policy/rule-ids';
import type { ViolationAction } from '../../../shared/policy/schema';

const allow: ChangeDecision = {
  decision: 'allow',
  basis: { type: 'default', meshEntry: 0 },
  explanation: 'allowed',
};
const deny = (onViolation: ViolationAction): ChangeDecision => ({
  decision: 'deny',
  basis: { type: 'default', meshEntry: 0 },
  onViolation,
  violationBasis: { type: 'default' },
  explanation: 'denied',
});
const finding = (ruleId: RuleId, status: Finding['status'] = 'violation'): Finding => ({
  ruleId,
  category: ruleId.startsWith('consistency') ? 'consistency' : 'compliance',
  resource: { kind: 'route', meshName: 'prod', parentName: 'r', name: 'x' },
  resourceKey: 'prod/route/r/x',
  message: `${ruleId} broken`,
  status,
});
const update: RevertPlan = {
  type: 'update',
  resource: { kind: 'mesh', meshName: 'prod', name: 'prod', spec: {} },
};
const cannot: RevertPlan = { type: 'none', reason: 'no last known good' };

/** The decision table: change control x findings x violation action x whether a revert is possible. */
const TABLE: [string, ChangeDecision, Finding[], ViolationAction, RevertPlan, ChangeAction][] = [
  ['allowed, compliant', allow, [], 'revert', update, 'keep'],
  ['allowed, only exempted findings', allow, [finding('tls.strict', 'exempted')], 'revert', update, 'keep'],
  [
    'allowed, dangling backend (reported only)',
    allow,
    [finding('consistency.backend-exists')],
    'revert',
    update,
    'keep',
  ],
  [
    'allowed, missing provider (reported only)',
    allow,
    [finding('consistency.provider-exists')],
    'hold',
    update,
    'keep',
  ],
  ['allowed, non-compliant, caller gets revert', allow, [finding('tls.strict')], 'revert', update, 'revert'],
  [
    'allowed, non-compliant, caller gets hold',
    allow,
    [finding('route.retry-policy')],
    'hold',
    update,
    'hold',
  ],
  [
    'allowed, non-compliant, caller gets report',
    allow,
    [finding('route.timeout')],
    'report',
    update,
    'report',
  ],
  ['allowed, non-compliant, nothing to restore', allow, [finding('tls.strict')], 'revert', cannot, 'report'],
  ['denied revert', deny('revert'), [], 'report', update, 'revert'],
  ['denied hold', deny('hold'), [], 'report', update, 'hold'],
  ['denied report', deny('report'), [], 'revert', update, 'report'],
  ['denied revert, nothing to restore', deny('revert'), [], 'revert', cannot, 'report'],
  ['denied hold, nothing to restore', deny('hold'), [], 'revert', cannot, 'report'],
  [
    'denied with a dangling backend counts it',
    deny('revert'),
    [finding('consistency.backend-exists')],
    'revert',
    update,
    'revert',
  ],
];

describe('decideAction', () => {
  it.each(TABLE)('%s', (_name, changeControl, findings, onViolation, revert, expected) => {
    const decision = decideAction({ changeControl, findings, onViolation, revert });

    expect(decision.action).toBe(expected);
    expect(decision.plan.type).toBe(expected === 'revert' || expected === 'hold' ? revert.type : 'none');
  });

  it('explains why, naming broken rules and what it cannot do', () => {
    const decision = decideAction({
      changeControl: allow,
      findings: [finding('tls.strict'), finding('consistency.backend-exists')],
      onViolation: 'revert',
      revert: cannot,
    });

    expect(decision.violations.map((f) => f.ruleId)).toEqual(['tls.strict']);
    expect(decision.reported.map((f) => f.ruleId)).toEqual(['consistency.backend-exists']);
    expect(decision.reasons.join('\n')).toContain('tls.strict: tls.strict broken');
    expect(decision.reasons.join('\n')).toContain('cannot revert: no last known good');
  });
});
