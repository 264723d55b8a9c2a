import { describe, expect, it } from 'vitest';
import { publisherIn } from '../../../shared/accounts/account-scoped';
import { accountDirectory } from '../../../shared/accounts/accounts';
import { type AccountsAudit, auditEveryAccount } from '../../../shared/change-control/audit-accounts';
import type { AuditMeshDeps } from '../../../shared/change-control/audit-mesh';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import { ForbiddenError, MeshwardenError } from '../../../shared/errors';
import {
  FixedAlarms,
  FixedIssuers,
  MemoryLastKnownGood,
  MemoryMesh,
  RecordingNotifier,
  RecordingPublisher,
} from '../change-control/fakes';
import { meshResources, testPolicy } from '../change-control/scenario';

const CENTRAL = '111111111111';
const MEMBER = '222222222222';
const DENIED = '333333333333';
const roleIn = (account: string) => `arn:aws:iam::${account}:role/meshwarden-member-access`;

/** An account whose meshes cannot be read (its role not assumed, App Mesh down): every read fails. */
class FailingMesh extends MemoryMesh {
  constructor(private readonly failure: Error) {
    super(meshResources());
  }

  override async readMesh(): Promise<MeshSnapshot> {
    throw this.failure;
  }
}

/** Each account's deps, with one bus shared by all, as the function wires them. */
function accountsAudit(
  members: readonly string[],
  failures: ReadonlyMap<string, Error> = new Map(),
): AccountsAudit & {
  bus: RecordingPublisher;
  meshes: Map<string, MemoryMesh>;
} {
  const bus = new RecordingPublisher();
  const meshes = new Map<string, MemoryMesh>();
  const accounts = accountDirectory(CENTRAL, members.map(roleIn));
  return {
    accounts,
    bus,
    meshes,
    depsFor(account): AuditMeshDeps {
      const failure = failures.get(account);
      const mesh = failure === undefined ? new MemoryMesh(meshResources()) : new FailingMesh(failure);
      meshes.set(account, mesh);
      return {
        meshes: mesh,
        policy: testPolicy(),
        issuers: new FixedIssuers(undefined),
        lastKnownGood: new MemoryLastKnownGood(),
        publisher: publisherIn(account, bus),
        alarms: new FixedAlarms([]),
        notifier: new RecordingNotifier(),
        now: () => new Date('2026-12-06T05:00:00Z'),
      };
    },
    meshesIn: () => ['prod'],
  };
}

describe('auditEveryAccount', () => {
  it('audits every account, the central one first, each with its own deps', async () => {
    // Prepare
    const audit = accountsAudit([MEMBER]);

    // Act
    const audited = await auditEveryAccount(audit);

    // Assess
    expect(audited.map((a) => [a.account, a.reports.map((r) => r.meshName)])).toEqual([
      [CENTRAL, ['prod']],
      [MEMBER, ['prod']],
    ]);
    expect(audit.bus.published.map((e) => e.detail.account)).toEqual([CENTRAL, MEMBER]);
    expect(audit.meshes.get(MEMBER)?.calls.map((c) => c.op)).toEqual(['readMesh']);
  });

  it('audits the other accounts when one fails, then fails naming every failed account', async () => {
    // Prepare: one member's role cannot be assumed, and a second member's App Mesh fails.
    const audit = accountsAudit(
      [DENIED, MEMBER],
      new Map([
        [DENIED, new ForbiddenError(`not authorized to perform sts:AssumeRole on ${roleIn(DENIED)}`)],
        [MEMBER, new MeshwardenError('App Mesh is unavailable')],
      ]),
    );

    // Act
    const run = auditEveryAccount(audit);

    // Assess: the central account was audited and published; both failures are named.
    await expect(run).rejects.toThrow(MeshwardenError);
    const message = await run.catch((error: Error) => error.message);
    expect(message).toContain(`account ${DENIED}: not authorized to perform sts:AssumeRole`);
    expect(message).toContain(`account ${MEMBER}: App Mesh is unavailable`);
    expect(message).toContain('2 account(s)');
    expect(message).not.toContain(`account ${CENTRAL}`);
    expect(audit.bus.published.map((e) => e.detail.account)).toEqual([CENTRAL]);
  });

  it('with no member accounts, fails as the central audit itself fails', async () => {
    // Prepare
    const failure = new ForbiddenError('appmesh:DescribeMesh denied');
    const audit = accountsAudit([], new Map([[CENTRAL, failure]]));

    // Act
    const run = auditEveryAccount(audit);

    // Assess: the very error, unwrapped, as before member accounts existed.
    await expect(run).rejects.toBe(failure);
  });
});
