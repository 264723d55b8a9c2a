import { describe, expect, it } from 'vitest';
import { accountDirectory, PerAccount, UnknownAccountError } from '../../../shared/accounts/accounts';
import { type AccountGuard, handleGuardInputInAccount } from '../../../shared/deployments/accounts';
import type { GuardDeps } from '../../../shared/deployments/deps';
import type { ApprovalDecidedEvent } from '../../../shared/events/approvals';
import { MemoryApprovalStore, pendingApproval } from '../approvals/support';
import { alarmEvent, FakeMesh, type Harness, harness, routeEvent } from './fakes';

const CENTRAL = '123456789012';
const MEMBER = '222222222222';
const ROLE = `arn:aws:iam::${MEMBER}:role/meshwarden-member-access`;

/** One harness per account, and the guard across them; `asked` lists the accounts whose deps were used. */
function twoAccounts(
  governed: Record<string, readonly string[]> = { [CENTRAL]: ['prod'], [MEMBER]: ['prod'] },
) {
  const harnesses: Record<string, Harness> = { [CENTRAL]: harness(), [MEMBER]: harness() };
  const accounts = accountDirectory(CENTRAL, [ROLE]);
  const asked: string[] = [];
  const perAccount = new PerAccount(accounts, (access) => harnesses[access.account]?.deps as GuardDeps);
  const approvals = new MemoryApprovalStore();
  const removed: string[] = [];
  const guard: AccountGuard = {
    accounts,
    depsFor: (account) => {
      asked.push(account);
      return perAccount.for(account);
    },
    governedMeshes: (account) => governed[account] ?? [],
    approvals,
    scheduler: { removeRecovery: async () => void removed.push('remove') },
  };
  return { harnesses, guard, asked, approvals, removed };
}

/** An alarm event as the account's own CloudWatch sends it: the alarm's ARN names that account. */
function alarmIn(account: string) {
  const event = alarmEvent();
  return {
    ...event,
    account,
    resources: event.resources.map((arn) => arn.replace(/^(arn:[^:]+:[^:]*:[^:]*:)\d{12}:/, `$1${account}:`)),
  };
}

describe('the deployment guard across accounts', () => {
  it("handles a member account's route change and alarm with that account's deps only", async () => {
    // Prepare
    const { guard, asked, harnesses } = twoAccounts();
    const member = harnesses[MEMBER] as Harness;
    const route = { ...routeEvent(member.mesh, 'prod/web-router/web-route'), account: MEMBER };
    const alarm = alarmIn(MEMBER);

    // Act
    await handleGuardInputInAccount(guard, {
      kind: 'route-change',
      event: { ...route, detail: { ...route.detail, recipientAccountId: MEMBER } },
    });
    await handleGuardInputInAccount(guard, { kind: 'alarm', event: alarm });

    // Assess
    expect(asked).toEqual([MEMBER, MEMBER]);
    expect(harnesses[CENTRAL]?.mesh.calls).toEqual([]);
    expect(harnesses[MEMBER]?.mesh.calls.length).toBeGreaterThan(0);
  });

  it('refuses an event of an account not configured before reading anything', async () => {
    const { guard, harnesses } = twoAccounts();
    const alarm = alarmIn('333333333333');
    await expect(handleGuardInputInAccount(guard, { kind: 'alarm', event: alarm })).rejects.toThrow(
      UnknownAccountError,
    );
    expect(harnesses[CENTRAL]?.mesh.calls).toEqual([]);
  });

  it('ignores a route change in a mesh not governed in its account, reading nothing (seed 506548921)', async () => {
    // Prepare: shrunk counterexample [update-route, meshName truncated to "p"]. The rule sees every
    // mesh of the account, the guard's role may read only the governed ones: reading failed with
    // AccessDenied, and the event would have gone to the DLQ for a mesh that is not meshwarden's.
    const { guard, harnesses } = twoAccounts({ [CENTRAL]: ['prod'], [MEMBER]: ['payments'] });
    const central = routeEvent(harnesses[CENTRAL]?.mesh ?? new FakeMesh(), 'p/web-router/web-route');
    const member = {
      ...routeEvent(harnesses[MEMBER]?.mesh ?? new FakeMesh(), 'prod/web-router/web-route'),
      account: MEMBER,
    };
    const deleted = routeEvent(harnesses[CENTRAL]?.mesh ?? new FakeMesh(), 'staging/web-router/web-route', {
      eventName: 'DeleteVirtualNode',
    });

    // Act
    const results = [
      await handleGuardInputInAccount(guard, { kind: 'route-change', event: central }),
      await handleGuardInputInAccount(guard, {
        kind: 'route-change',
        event: { ...member, detail: { ...member.detail, recipientAccountId: MEMBER } },
      }),
      await handleGuardInputInAccount(guard, { kind: 'route-change', event: deleted }),
    ];

    // Assess
    expect(results).toEqual([
      { routeKey: '', outcome: 'ignored' },
      { routeKey: '', outcome: 'ignored' },
      { routeKey: '', outcome: 'ignored' },
    ]);
    expect(harnesses[CENTRAL]?.mesh.calls).toEqual([]);
    expect(harnesses[MEMBER]?.mesh.calls).toEqual([]);
    expect(harnesses[CENTRAL]?.published).toEqual([]);
  });

  it('refuses a route change of an account not configured, whatever mesh it names', async () => {
    // Prepare: no mesh is governed in an account meshwarden does not know; still a refusal, not ignored.
    const { guard } = twoAccounts();
    const event = { ...routeEvent(new FakeMesh(), 'p/web-router/web-route'), account: '333333333333' };

    // Act / Assess
    await expect(
      handleGuardInputInAccount(guard, {
        kind: 'route-change',
        event: { ...event, detail: { ...event.detail, recipientAccountId: '333333333333' } },
      }),
    ).rejects.toThrow(UnknownAccountError);
  });

  it('runs a step in the account it names, and an unnamed one in the central account', async () => {
    const { guard, asked } = twoAccounts();
    const step = {
      routeKey: 'prod/web-router/web-route',
      deploymentId: 'd1',
      stepIndex: 0,
      token: 'a'.repeat(24),
    };
    await handleGuardInputInAccount(guard, { kind: 'step', id: 's1', step: { ...step, account: MEMBER } });
    await handleGuardInputInAccount(guard, { kind: 'step', id: 's2', step });
    expect(asked).toEqual([MEMBER, CENTRAL]);
  });

  it("takes an approval's account from the stored approval, not from the event", async () => {
    // Prepare
    const { guard, asked, approvals } = twoAccounts();
    await approvals.create(pendingApproval({ approvalId: 'member-approval', account: MEMBER }));
    const event = {
      version: '0',
      id: 'decided',
      'detail-type': 'ApprovalDecided',
      source: 'meshwarden',
      account: CENTRAL,
      time: '2026-03-10T10:40:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { approvalId: 'member-approval', meshName: 'prod', decision: 'approved' },
    } as unknown as ApprovalDecidedEvent;

    // Act
    await handleGuardInputInAccount(guard, { kind: 'approval', event }).catch(() => undefined);

    // Assess
    expect(asked).toEqual([MEMBER]);
  });

  it('resumes every account on the recovery schedule and removes it only when all are done', async () => {
    // Prepare: the member account's records cannot be read this time.
    const { guard, harnesses, removed } = twoAccounts();
    const member = harnesses[MEMBER] as Harness;
    const list = member.store.list.bind(member.store);
    member.store.list = async () => {
      throw new Error('throttled');
    };

    // Act / Assess: the central account is resumed, the run fails naming the member account.
    await expect(handleGuardInputInAccount(guard, { kind: 'recovery', id: 'r1' })).rejects.toThrow(
      `account ${MEMBER}: throttled`,
    );
    expect(removed).toEqual([]);

    member.store.list = list;
    const result = await handleGuardInputInAccount(guard, { kind: 'recovery', id: 'r2' });
    expect(result).toMatchObject({ scheduleRemoved: true });
    expect(removed).toEqual(['remove']);
    expect(harnesses[CENTRAL]?.recovery).toEqual([]);
  });
});
