import { describe, expect, it } from 'vitest';
import { decisionNotification, notifyDecision } from '../../../shared/change-control/notify-decision';
import type { AuditRecord, ChatNotifier, Notification } from '../../../shared/ports';

function record(action: string, outcome = 'applied'): AuditRecord {
  return {
    meshName: 'prod',
    eventId: 'e-1',
    eventTime: '2026-11-26T10:00:00Z',
    outcome: outcome as AuditRecord['outcome'],
    published: true,
    decision: {
      eventId: 'e-1',
      eventTime: '2026-11-26T10:00:00Z',
      meshName: 'prod',
      resourceKey: 'prod/virtual-node/web-v1',
      operation: 'UpdateVirtualNode',
      principal: {
        arn: 'arn:aws:sts::1:assumed-role/MeshDeveloper/alice',
        label: 'alice (OIDC)',
        type: 'AssumedRole',
      },
      changeControl: 'deny',
      action,
      ruleIds: ['change-control', 'tls.strict'],
      findings: ['prod/virtual-node/web-v1 listener 8080 accepts plaintext (PERMISSIVE): set mode STRICT'],
      plan: 'restore the last known good spec of prod/virtual-node/web-v1',
      reasons: [],
      diff: '',
      resourceVersion: 3,
    },
  };
}

describe('decisionNotification', () => {
  it('tells who did what, which rules it broke and what meshwarden did', () => {
    expect(decisionNotification(record('revert'))).toEqual({
      meshName: 'prod',
      kind: 'revert',
      title: 'Reverted: UpdateVirtualNode on prod/virtual-node/web-v1 by alice (OIDC)',
      text:
        'prod/virtual-node/web-v1 listener 8080 accepts plaintext (PERMISSIVE): set mode STRICT\n' +
        'meshwarden: restore the last known good spec of prod/virtual-node/web-v1 (applied)',
      fields: { who: 'alice (OIDC)', rules: 'change-control, tls.strict', outcome: 'applied', event: 'e-1' },
    });
    expect(decisionNotification(record('hold'))?.title).toMatch(/^Held for approval: /);
  });

  it('says nothing in chat about a kept change', () => {
    expect(decisionNotification(record('keep'))).toBeUndefined();
  });

  it('lets a chat failure reach the caller, which decides what it means', async () => {
    const failing: ChatNotifier = {
      notify: async (_n: Notification) => Promise.reject(new Error('slack down')),
    };
    await expect(notifyDecision(failing, record('revert'))).rejects.toThrow('slack down');
  });
});
