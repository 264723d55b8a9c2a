import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DecisionCommitter, DecisionWrites } from '../../ports';
import type { DynamoAuditLog } from './audit-log';
import type { DynamoJudgedVersionStore } from './judged-versions-store';
import type { DynamoLastKnownGoodStore } from './last-known-good-store';

/** One action of a TransactWriteItems request, in the document client's terms. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A decision's audit record, last known good and judged version as one TransactWriteItems:
 * each store shapes its own action (the same item and rules as its single write), and the
 * transaction is refused as a whole where any of them would not write as is.
 */
export class DynamoDecisionCommitter implements DecisionCommitter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly stores: {
      readonly audit: DynamoAuditLog;
      readonly lastKnownGood: DynamoLastKnownGoodStore;
      readonly judgedVersions: DynamoJudgedVersionStore;
    },
  ) {}

  async commit(writes: DecisionWrites): Promise<boolean> {
    const { audit, lastKnownGood, judgedVersions } = this.stores;
    const items: (TransactItem | undefined)[] = [audit.transactPut(writes.audit)];
    if (writes.lastKnownGood !== undefined) {
      items.push(
        'put' in writes.lastKnownGood
          ? lastKnownGood.transactPut(writes.lastKnownGood.put)
          : lastKnownGood.transactDelete(writes.lastKnownGood.delete),
      );
    }
    if (writes.judged !== undefined) {
      const { resourceKey, version, eventId } = writes.judged;
      items.push(judgedVersions.transactRecord(resourceKey, version, eventId));
    }
    // A value that needs chunks is written by its store, which orders chunks before their head.
    if (items.some((item) => item === undefined)) return false;
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items as TransactItem[] }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && onlyConditionsFailed(error)) return false;
      throw error;
    }
  }
}

/** A cancellation by conditions alone (not by a conflict or throttling, which a retry may cure). */
function onlyConditionsFailed(error: TransactionCanceledException): boolean {
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return (
    codes.includes('ConditionalCheckFailed') &&
    codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed')
  );
}
