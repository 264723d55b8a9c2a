import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { WebIdentitySession } from '../../events/sts-web-identity';
import type { WebIdentitySessionStore } from '../../ports';
import { WEB_IDENTITY_KEYS } from './change-control-keys';
import { TABLE } from './table';

/**
 * OIDC web identity sessions as `WEBID#<assumed-role ARN>` items with a TTL at the session's
 * expiry. DynamoDB deletes expired items only eventually (dynalite never), so expiry is also
 * checked on read: an expired session's tags must not grant anything.
 */
export class DynamoWebIdentitySessionStore implements WebIdentitySessionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(session: WebIdentitySession, expiresAt: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...WEB_IDENTITY_KEYS.webIdentity(session.assumedRoleArn),
          session: JSON.stringify(session),
          expiresAt: expiresAt.toISOString(),
          [TABLE.ttlAttribute]: Math.ceil(expiresAt.getTime() / 1000),
        },
      }),
    );
  }

  async get(assumedRoleArn: string, at: Date): Promise<WebIdentitySession | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: WEB_IDENTITY_KEYS.webIdentity(assumedRoleArn) }),
    );
    const item = out.Item;
    if (item === undefined || typeof item.session !== 'string' || typeof item.expiresAt !== 'string')
      return undefined;
    if (Date.parse(item.expiresAt) <= at.getTime()) return undefined;
    return JSON.parse(item.session) as WebIdentitySession;
  }
}
