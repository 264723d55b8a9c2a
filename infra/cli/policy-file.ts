import { DEFAULT_POLICY_FILE } from '../../shared/policy/load';

/** How every command's `--policy` option describes its default. */
export const POLICY_OPTION_HELP = `the policy file (default: $MESHWARDEN_POLICY_FILE or ./${DEFAULT_POLICY_FILE})`;

/** The policy file a command uses: `--policy`, else MESHWARDEN_POLICY_FILE, else `./meshwarden.policy.yaml`. */
export function policyFileOf(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? env.MESHWARDEN_POLICY_FILE ?? DEFAULT_POLICY_FILE;
}
