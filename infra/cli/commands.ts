import type { Command } from 'commander';
import { registerApprovalsCommand } from './approvals-command';
import { registerAuditCommand } from './audit-command';
import { registerCertsCommand } from './certs-command';
import { DEFAULT_CLI } from './change-control-clients';
import { registerDeploymentsCommand } from './deployments-command';
import { registerExplainCommand } from './explain-command';
import { registerLoginCommand } from './login-command';
import { migrateApplyClients, planFromMesh, registerMigrateApplyCommands } from './migrate-apply-command';
import { migrateGroup, registerMigrateCommand } from './migrate-command';
import { registerPolicyCommand } from './policy-command';
import { registerStackTraceCommand } from './stack-trace-command';

/** Every subcommand registers here; each lives in its own module under `infra/cli/`. */
export function registerCommands(program: Command): void {
  registerPolicyCommand(program);
  registerApprovalsCommand(program);
  registerAuditCommand(program);
  registerExplainCommand(program);
  registerDeploymentsCommand(program);
  registerCertsCommand(program);
  registerStackTraceCommand(program);
  registerLoginCommand(program);
  registerMigrateCommand(program);
  registerMigrateApplyCommands(migrateGroup(program), migrateApplyClients(planFromMesh(DEFAULT_CLI.meshes)));
}
