import type { Command } from 'commander';

/** Every subcommand registers here; each lives in its own module under `infra/cli/`. */
export function registerCommands(_program: Command): void {}
