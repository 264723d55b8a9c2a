import * as z from 'zod';
import { ConfigError } from './errors';
import { formatPath } from './validation';

/**
 * Configuration is read once, at module load, from the environment the CDK stack (or the
 * local runtime) sets. A missing or malformed value fails start-up with a message that names
 * the variable; there are no made-up fallbacks.
 */

const meshList = z
  .string()
  .min(1)
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string().min(1)).min(1, 'must name at least one mesh'));

/** Variables every meshwarden function reads. */
export const baseConfigSchema = z.object({
  AWS_REGION: z.string().min(1),
  /** The meshwarden event bus where every decision is published. */
  MESHWARDEN_EVENT_BUS: z.string().min(1),
  /** The DynamoDB table that holds state, audit and idempotency records. */
  MESHWARDEN_TABLE: z.string().min(1),
  /** Comma-separated names of the meshes meshwarden governs. */
  MESHWARDEN_MESHES: meshList,
});

export type BaseConfig = z.output<typeof baseConfigSchema>;

/**
 * Parse `env` with `schema`, throwing a ConfigError that names every missing or invalid
 * variable at once.
 */
export function readConfig<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = formatPath(issue.path);
    return env[name] === undefined ? `${name} is not set` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(`meshwarden configuration is invalid: ${problems.join('; ')}`, {
    cause: result.error,
  });
}
