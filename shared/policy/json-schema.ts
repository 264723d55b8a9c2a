import * as z from 'zod';
import { policySchema } from './schema';

/** Where the committed JSON Schema lives, relative to the repository root. */
export const POLICY_JSON_SCHEMA_PATH = 'shared/policy/meshwarden.policy.schema.json';

/**
 * The policy's JSON Schema for editors (YAML language server, VS Code), derived from the zod
 * schema so the two never disagree. Checks zod expresses as code (glob syntax, duplicate ids,
 * action globs matching no action) are not in it; `meshwarden policy validate` runs them.
 */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(policySchema, { io: 'input', target: 'draft-2020-12' });
}
