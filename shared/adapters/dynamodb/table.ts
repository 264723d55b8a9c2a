/**
 * The one DynamoDB table meshwarden keeps its state in: last known good specs, deployments,
 * approvals, rotations, audit records and idempotency keys, told apart by key prefixes.
 * The CDK stack and the local runtime both create it from this definition.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes the item after it. Powertools Idempotency uses the same name. */
  ttlAttribute: 'expiration',
  /**
   * Audit records of every mesh in time order (a sparse index: only audit records carry its
   * keys), so the decisions of all meshes read as Query pages, never a Scan. Its partition is
   * per account (`<account>#AUDIT`, see change-control-keys.ts), as every state key is.
   */
  auditIndex: { name: 'audit-by-time', partitionKey: 'auditPk', sortKey: 'auditSk', partition: 'AUDIT' },
} as const;
