import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { BadRequestError } from '../../../shared/errors';
import type { AuditRecord } from '../../../shared/ports';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/**
 * The audit trail read page by page (what the HTTP API lists) keeps accounts apart as every
 * state key does: a mesh `prod` in a member account and `prod` in the central account have
 * separate partitions, in the table and in the time-ordered index, and a cursor of one
 * account's pages does not read another's.
 */
const MEMBER = '111111111111';

describe('audit pages per account', () => {
  let local: TestLocalAws;
  let central: DynamoAuditLog;
  let member: DynamoAuditLog;

  const record = (eventId: string, eventTime: string): AuditRecord => ({
    meshName: 'prod',
    eventId,
    eventTime,
    decision: { resourceKey: 'prod/route/web-router/web-route', action: 'apply' },
    outcome: 'applied',
    published: true,
  });

  beforeAll(async () => {
    local = await startSeededLocalAws({ functions: [] });
    const documents = createDocumentClient(local.clientConfig('meshwarden'));
    const table = local.aws.functionEnv.MESHWARDEN_TABLE ?? '';
    central = new DynamoAuditLog(documents, table, local.aws.accountId);
    member = new DynamoAuditLog(documents, table, MEMBER);
    for (let i = 0; i < 3; i++) await central.put(record(`central-${i}`, `2026-12-06T00:00:0${i}Z`));
    for (let i = 0; i < 2; i++) await member.put(record(`member-${i}`, `2026-12-06T00:00:0${i}Z`));
  });
  afterAll(() => local.aws.close());

  const ids = (records: readonly AuditRecord[]) => records.map((r) => r.eventId);

  it("lists the store's own account's decisions, of one mesh and of all meshes", async () => {
    // Act
    const oneMesh = await central.page({ meshName: 'prod', meshes: ['prod'], limit: 10 });
    const allMeshes = await central.page({ meshes: ['prod'], limit: 10 });
    // Assess
    expect(ids(oneMesh.records)).toEqual(['central-2', 'central-1', 'central-0']);
    expect(ids(allMeshes.records)).toEqual(['central-2', 'central-1', 'central-0']);
    expect(allMeshes.records.every((r) => r.account === local.aws.accountId)).toBe(true);
  });

  it('lists another account only when the query names it, and says whose records they are', async () => {
    // Act
    const named = await central.page({ account: MEMBER, meshes: ['prod'], limit: 10 });
    const own = await member.page({ meshes: ['prod'], limit: 10 });
    // Assess
    expect(ids(named.records)).toEqual(['member-1', 'member-0']);
    expect(named.records.every((r) => r.account === MEMBER)).toBe(true);
    expect(ids(own.records)).toEqual(['member-1', 'member-0']);
  });

  it("pages through the index with a cursor that another account's query refuses", async () => {
    // Act
    const first = await central.page({ meshes: ['prod'], limit: 2 });
    const second = await central.page({
      meshes: ['prod'],
      limit: 2,
      ...(first.cursor === undefined ? {} : { cursor: first.cursor }),
    });
    // Assess
    expect(ids(first.records)).toEqual(['central-2', 'central-1']);
    expect(first.cursor).toBeDefined();
    expect(ids(second.records)).toEqual(['central-0']);
    await expect(
      central.page({ account: MEMBER, meshes: ['prod'], limit: 2, cursor: first.cursor as string }),
    ).rejects.toThrow(BadRequestError);
  });

  it("refuses a one-mesh cursor of one account in another account's query of that mesh", async () => {
    // Act
    const first = await member.page({ meshName: 'prod', meshes: ['prod'], limit: 1 });
    // Assess
    expect(ids(first.records)).toEqual(['member-1']);
    await expect(
      central.page({ meshName: 'prod', meshes: ['prod'], limit: 1, cursor: first.cursor as string }),
    ).rejects.toThrow(BadRequestError);
  });
});
