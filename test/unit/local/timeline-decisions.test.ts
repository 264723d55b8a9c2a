import { describe, expect, it } from 'vitest';
import { Timeline } from '../../../infra/local/timeline';
import type { BusEvent } from '../../../infra/local/types';

function decisionEvent(detail: Record<string, unknown>): BusEvent {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'GovernanceDecision',
    source: 'meshwarden',
    account: '000000000000',
    time: '2026-12-06T03:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

function lineFor(detail: Record<string, unknown>): string {
  const timeline = new Timeline();
  timeline.busActivity({
    kind: 'event',
    busName: 'meshwarden',
    event: decisionEvent(detail),
    matchedRules: [],
  });
  return timeline.all()[0]?.text ?? '';
}

const REVERT = {
  resourceKey: 'prod/virtual-node/web-v1',
  operation: 'UpdateVirtualNode',
  principal: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob (IAM user)', type: 'IAMUser' },
  changeControl: 'deny',
  action: 'revert',
  ruleIds: ['change-control', 'tls-required'],
  findings: ["tls-required: web-v1's listener on 8080 has TLS PERMISSIVE; policy requires STRICT"],
  reasons: ['bob (IAM user) may not UpdateVirtualNode prod/virtual-node/web-v1'],
  outcome: 'applied',
};

describe('the timeline line of a GovernanceDecision', () => {
  it('says what was done, by whom, each rule broken with its sentence, and how it went', () => {
    expect(lineFor(REVERT)).toBe(
      `meshwarden: meshwarden "GovernanceDecision" revert prod/virtual-node/web-v1 by bob (IAM user): change-control — bob (IAM user) may not UpdateVirtualNode prod/virtual-node/web-v1; tls-required — web-v1's listener on 8080 has TLS PERMISSIVE; policy requires STRICT (applied)`,
    );
  });

  it('says a kept change with no rule broken in a few words', () => {
    expect(
      lineFor({
        ...REVERT,
        action: 'keep',
        changeControl: 'allow',
        ruleIds: [],
        findings: [],
        reasons: [],
        outcome: 'no-effect',
      }),
    ).toBe(
      'meshwarden: meshwarden "GovernanceDecision" keep prod/virtual-node/web-v1 by bob (IAM user) (no-effect)',
    );
  });

  it('keeps the line short however many findings a decision carries', () => {
    const findings = Array.from({ length: 50 }, (_, i) => `route.timeout: ${'x'.repeat(5000)} ${i}`);

    const line = lineFor({ ...REVERT, ruleIds: ['route.timeout'], findings });

    expect(line.length).toBeLessThan(1000);
    expect(line).toContain('+47 more');
  });

  it('falls back to the reason when a decision has no finding (an unjudgeable change)', () => {
    expect(
      lineFor({
        ...REVERT,
        action: 'report',
        ruleIds: [],
        findings: [],
        reasons: ['no last known good to restore'],
      }),
    ).toContain('report prod/virtual-node/web-v1 by bob (IAM user): no last known good to restore (applied)');
  });

  it('is not fooled by a detail of the wrong shape', () => {
    expect(lineFor({ action: 7, findings: 'x', principal: null, ruleIds: [{}] })).toBe(
      'meshwarden: meshwarden "GovernanceDecision" ? ?',
    );
  });
});
