import { ConfigError } from './errors';
import * as z from './schema';
import { formatPath } from './validation';

/**
 * Configuration is read once, at module load, from the environment the CDK stack (or the
 * local runtime) sets. A missing or malformed value fails start-up with a message that names
 * the variable; there are no made-up fallbacks.
 */

/** A comma-separated list of at least one item, each checked by `item`. */
function commaList(item: z.core.$ZodType<string, string>, what: string) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((value) =>
        value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      ),
    ),
    z.array(item).check(z.minLength(1, `must name at least one ${what}`)),
  );
}

const nonEmpty = z.string().check(z.minLength(1));
const roleArn = z.string().check(z.regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'));

/** Variables every meshwarden function reads, field by field (zod/mini, see shared/schema.ts). */
export const baseConfigFields = {
  AWS_REGION: nonEmpty,
  /** The meshwarden event bus where every decision is published. */
  MESHWARDEN_EVENT_BUS: nonEmpty,
  /** The DynamoDB table that holds state, audit and idempotency records. */
  MESHWARDEN_TABLE: nonEmpty,
  /** Comma-separated names of the meshes meshwarden governs. */
  MESHWARDEN_MESHES: commaList(nonEmpty, 'mesh'),
  /** The policy file shipped with the functions (validated at synth, loaded once at start-up). */
  MESHWARDEN_POLICY_FILE: nonEmpty,
  /**
   * Comma-separated IAM role ARNs whose App Mesh writes are meshwarden's own: the loop guard
   * skips their CloudTrail events, so a revert never triggers another.
   */
  MESHWARDEN_SELF_ROLE_ARNS: commaList(roleArn, 'role ARN'),
  /** Secrets Manager secret holding the Slack signing secret(s) and bot token. */
  MESHWARDEN_SLACK_SECRET: nonEmpty,
  /**
   * meshwarden's own (central) account: its meshes are read and written with the functions' own
   * credentials, and every state key names the account it is about.
   */
  MESHWARDEN_ACCOUNT_ID: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id')),
  /**
   * Comma-separated ARNs of the role meshwarden assumes in each member account (one per
   * account). An event from an account neither central nor listed here is refused.
   */
  MESHWARDEN_MEMBER_ROLE_ARNS: z.optional(commaList(roleArn, 'role ARN')),
  /** Comma-separated `<account>/<mesh>`: the meshes meshwarden governs in member accounts. */
  MESHWARDEN_MEMBER_MESHES: z.optional(
    commaList(
      z.string().check(z.regex(/^\d{12}\/[\w-]+$/, 'must be <12-digit account>/<mesh name>')),
      'member mesh',
    ),
  ),
};

/** {@link baseConfigFields} as one object: pick from it with `z.pick` (shared/schema.ts). */
export const baseConfig = z.object(baseConfigFields);

export type BaseConfig = z.output<typeof baseConfig>;

/** The KMS key that seals private keys while their rotation is pending (cert-rotation only). */
export const pendingKeyConfigSchema = z.object({
  MESHWARDEN_PENDING_KEY_ARN: z
    .string()
    .check(z.regex(/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/, 'must be a KMS key ARN')),
});

/**
 * Parse `env` with `schema`, throwing a ConfigError that names every missing or invalid
 * variable at once.
 */
export function readConfig<S extends z.core.$ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): z.output<S> {
  const result = z.safeParse(schema, env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '');
    return env[variable] === undefined
      ? `${variable} is not set`
      : `${formatPath(issue.path)}: ${issue.message}`;
  });
  throw new ConfigError(`meshwarden configuration is invalid: ${problems.join('; ')}`, {
    cause: result.error,
  });
}
