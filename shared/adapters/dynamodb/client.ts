import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../errors';

/**
 * DynamoDB's refusals of what is too large: an item over 400 KB, a key over 2,048 (partition)
 * or 1,024 (sort) bytes, a request over 16 MB. Retrying any of them unchanged cannot help.
 */
const SIZE_REFUSAL =
  /item size has exceeded|size of hashkey has exceeded|size of all range keys has exceeded|request body is too large|request entity too large/i;

/** Say "too large" with the domain's BadRequestError, keeping DynamoDB's own error as the cause. */
export function asSizeRefusal(error: unknown): unknown {
  if (!(error instanceof Error) || !SIZE_REFUSAL.test(error.message)) return error;
  return new BadRequestError(`DynamoDB refused the write as too large: ${error.message}`, { cause: error });
}

/**
 * The document client every DynamoDB adapter shares: plain JavaScript values in and out,
 * `undefined` members dropped (specs carry optional members), adaptive retries, and size
 * refusals turned into BadRequestError (an input too large to keep is a bad request, not a
 * transient failure).
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ retryMode: 'adaptive', ...config }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw asSizeRefusal(error);
      }
    },
    { step: 'initialize', name: 'meshwardenSizeRefusals' },
  );
  return client;
}
