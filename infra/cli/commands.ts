import type { Command } from 'commander';
import { registerPolicyCommand } from './policy-command';

/** Every subcommand registers here; each lives in its own module under `infra/cli/`. */
export function registerCommands(program: Command): void {
  registerPolicyCommand(program);
}
