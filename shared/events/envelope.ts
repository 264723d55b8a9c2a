import * as z from '../schema';

/** A 12-digit AWS account id, as EventBridge and CloudTrail write it. */
export const awsAccountId = z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit AWS account id'));

/** An AWS region name such as `us-east-1`. */
export const awsRegion = z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region name'));

/** A non-empty string: identifiers that meshwarden keys on must not be blank. */
export const nonEmpty = z.string().check(z.minLength(1));

/**
 * Build the schema of an EventBridge event with a fixed `source` and `detail-type`.
 *
 * The envelope is loose: EventBridge may add fields (`replay-name` on replayed events), and
 * refusing those would turn a harmless addition into a DLQ entry.
 */
export function eventBridgeEvent<S extends string, D extends string, T extends z.core.$ZodType>(
  source: S,
  detailType: D,
  detail: T,
) {
  return z.looseObject({
    version: z.literal('0'),
    id: nonEmpty,
    'detail-type': z.literal(detailType),
    source: z.literal(source),
    account: awsAccountId,
    time: z.iso.datetime(),
    region: awsRegion,
    resources: z.array(z.string()),
    detail,
  });
}
