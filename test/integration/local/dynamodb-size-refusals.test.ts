import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { TABLE } from '../../../shared/adapters/dynamodb/table';
import { BadRequestError } from '../../../shared/errors';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/**
 * DynamoDB refuses an item over 400 KB, a key over its size limit and a request over 16 MB;
 * retrying any of them unchanged cannot help. The adapters' client says so with a
 * BadRequestError (the fuzzing found mesh-change failing with the raw SDK error instead).
 */
describe('the DynamoDB document client', () => {
  let local: TestLocalAws;
  let audit: DynamoAuditLog;

  beforeAll(async () => {
    local = await startSeededLocalAws({ functions: [] });
    audit = new DynamoAuditLog(
      createDocumentClient(local.clientConfig('meshwarden')),
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
      local.aws.accountId,
    );
  });
  afterAll(() => local.aws.close());

  const record = (decision: Record<string, unknown>, eventId = 'e-1') => ({
    meshName: 'prod',
    eventId,
    eventTime: '2026-12-06T00:00:00Z',
    decision,
    outcome: 'pending' as const,
    published: false,
  });

  it('refuses an item over 400 KB with a BadRequestError that keeps the cause', async () => {
    // Prepare: a 1 MB attribute, written as it is (the stores split large values themselves)
    const client = createDocumentClient(local.clientConfig('meshwarden'));
    const item = { [TABLE.partitionKey]: 'SIZE#test', [TABLE.sortKey]: 'big', spec: 'x'.repeat(1024 * 1024) };

    // Act
    const error = await client
      .send(new PutCommand({ TableName: local.aws.functionEnv.MESHWARDEN_TABLE ?? '', Item: item }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toMatch(/too large/);
    expect(((error as Error).cause as Error).name).toBe('ValidationException');
  });

  it('refuses a key over 1,024 bytes with a BadRequestError', async () => {
    // Prepare / Act
    const error = await audit.put(record({}, 'x'.repeat(2000))).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(BadRequestError);
  });

  it('passes other failures and successes through unchanged', async () => {
    // Prepare / Act
    await audit.put(record({ ok: true }, 'e-ok'));

    // Assess
    expect((await audit.get('prod', '2026-12-06T00:00:00Z', 'e-ok'))?.decision).toEqual({ ok: true });
  });
});
