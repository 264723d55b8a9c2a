import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type middy from '@middy/core';
import { TABLE } from './adapters/dynamodb/table';

export interface IdempotencyOptions {
  /** The function's name: idempotency records are kept per function. */
  readonly functionName: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** JMESPath to the key in the event; EventBridge's event id by default. */
  readonly eventKeyJmesPath?: string;
  /** How long a finished event is remembered (EventBridge retries for up to 24 hours). */
  readonly expiresAfterSeconds?: number;
}

/**
 * At least once in, exactly once out: Powertools Idempotency on meshwarden's table, keyed by
 * the event id, so a redelivered event returns the first run's result instead of acting
 * twice. Records share the table under `IDEMPOTENCY#<function>` and expire by its TTL.
 */
export function eventIdempotency(options: IdempotencyOptions): middy.MiddlewareObj {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
    keyAttr: TABLE.partitionKey,
    sortKeyAttr: TABLE.sortKey,
    staticPkValue: `IDEMPOTENCY#${options.functionName}`,
    expiryAttr: TABLE.ttlAttribute,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.eventKeyJmesPath ?? 'id',
    expiresAfterSeconds: options.expiresAfterSeconds ?? 24 * 60 * 60,
    throwOnNoIdempotencyKey: true,
  });
  return makeHandlerIdempotent({ persistenceStore, config });
}
