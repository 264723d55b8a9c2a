import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { functionRoleName } from '../../../infra/constructs/names';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { DEMO, seedDemo } from '../../../infra/local/demo/seed';
import { IdentityRegistry } from '../../../infra/local/edge/identities';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoMeshSnapshotStore } from '../../../shared/adapters/dynamodb/mesh-snapshot-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';
import { CENTRAL, MEMBER, MEMBER_ADMIN, twoAccountPolicy, twoAccountsFile } from './two-accounts';

/** A second member account whose role does not trust mesh-audit: AssumeRole is denied there. */
const LOCKED = '444444444444';

function withLockedAccount(policyFile: string): string {
  const policy = parseYaml(readFileSync(policyFile, 'utf8')) as { meshes: { account?: string }[] };
  const member = policy.meshes.find((m) => m.account === MEMBER);
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-locked-')), 'policy.yaml');
  writeFileSync(file, stringify({ ...policy, meshes: [...policy.meshes, { ...member, account: LOCKED }] }));
  return file;
}

describe('the daily audit when one member account cannot be entered', () => {
  let local: TestLocalAws;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    const file = twoAccountsFile();
    local = await startSeededLocalAws({
      identities: new IdentityRegistry({
        ...file,
        roles: [
          ...(file.roles ?? []),
          {
            accountId: LOCKED,
            roleName: 'meshwarden-member-access',
            trustedPrincipals: [`arn:aws:iam::${CENTRAL}:role/${functionRoleName('mesh-change')}`],
          },
        ],
      }),
      policyFile: withLockedAccount(twoAccountPolicy()),
      functions: FUNCTIONS.filter((f) => f.name === 'mesh-audit'),
    });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    await seedDemo({ endpoint: local.aws.endpoint, region: local.aws.region, credentials: MEMBER_ADMIN });
    await local.aws.drain();
  }, 120_000);
  afterAll(() => local.aws.close());

  it('audits the other accounts, then fails naming the account it could not enter', async () => {
    // Prepare
    seen.length = 0;

    // Act
    const run = local.aws.functions.invoke('mesh-audit', loadEvent('scheduler/daily-audit'));

    // Assess: the run fails naming the locked account and why ...
    const error = await run.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(`the audit failed in 1 account(s): account ${LOCKED}:`);
    expect(error?.message).toContain('AssumeRole');
    expect(error?.message).not.toContain(`account ${MEMBER}:`);
    // ... after the central and the reachable member account were audited and published.
    await local.aws.drain();
    // App Mesh's: the demo policy also governs the Lattice demo's prod-net (not seeded here).
    const audited = seen
      .filter(
        (e) =>
          e['detail-type'] === 'MeshAudited' && (e.detail as { provider?: string }).provider === undefined,
      )
      .map((e) => e.detail);
    expect(audited).toEqual([
      expect.objectContaining({ account: CENTRAL, meshName: DEMO.mesh, status: 'found' }),
      expect.objectContaining({ account: MEMBER, meshName: DEMO.mesh, status: 'found' }),
    ]);
    const documents = createDocumentClient(local.clientConfig('admin'));
    const table = local.aws.functionEnv.MESHWARDEN_TABLE as string;
    expect(await new DynamoMeshSnapshotStore(documents, table, MEMBER).load(DEMO.mesh)).toBeDefined();
    expect(await new DynamoMeshSnapshotStore(documents, table, LOCKED).load(DEMO.mesh)).toBeUndefined();
  }, 120_000);
});
