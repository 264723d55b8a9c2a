import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError } from '../../shared/errors';
import { formatPlanTable } from '../../shared/migration/format-plan';
import { gatewayApiYaml } from '../../shared/migration/gateway-api';
import { planMigration } from '../../shared/migration/plan-migration';
import { hasLostFeatures, type MigrationPlan } from '../../shared/migration/plan-model';
import { InvalidServiceNetworkNameError, type TranslateOptions } from '../../shared/migration/translate';
import { loadPolicy, PolicyError } from '../../shared/policy/load';
import { type ChangeControlCli, DEFAULT_CLI } from './change-control-clients';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

const FORMATS = ['table', 'json', 'gateway-api'] as const;
type Format = (typeof FORMATS)[number];

interface PlanOptions {
  readonly mesh: string;
  readonly to: string;
  readonly serviceNetwork?: string;
  readonly format: string;
  readonly policy?: string;
  readonly principal: string[];
  readonly vpc?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** `--principal NODE=ROLE_ARN`, repeatable: the IAM role each caller's tasks or pods run as. */
function parsePrincipals(values: readonly string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const node = value.slice(0, at);
    const arn = value.slice(at + 1);
    if (at <= 0 || !ROLE_ARN.test(arn))
      return `--principal must be NODE=arn:aws:iam::<account>:role/<name>, got "${value}"`;
    out[node] = arn;
  }
  return out;
}

/**
 * The `migrate` command group; `plan` registers here, and the commands that act on a plan join
 * the same group, whichever registers first.
 */
export function migrateGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'migrate') ??
    program.command('migrate').description('Move a mesh from AWS App Mesh to VPC Lattice')
  );
}

/**
 * `meshwarden migrate plan --mesh NAME --to vpc-lattice [--service-network NAME]
 * [--format table|json|gateway-api]`: what the mesh becomes in VPC Lattice, which App Mesh
 * features carry over (exact, different, lost) and a routing simulation of both sides. Read-only.
 * Exit code 1 when a feature in use is lost (or the simulation finds a difference on what is
 * carried over), so a pipeline can gate on it; 2 when the mesh or the policy cannot be read.
 */
export function registerMigrateCommand(program: Command, cli: ChangeControlCli = DEFAULT_CLI): void {
  migrateGroup(program)
    .command('plan')
    .description('Plan the move of a mesh to VPC Lattice (read-only); exit 1 when a feature in use is lost')
    .requiredOption('--mesh <name>', 'the App Mesh mesh to move')
    .requiredOption('--to <provider>', 'the target provider: vpc-lattice')
    .option('--service-network <name>', 'the Lattice service network (default: the mesh name)')
    .option(
      '--format <format>',
      'table, json or gateway-api (YAML for the AWS Gateway API Controller)',
      'table',
    )
    .option(
      '--policy <file>',
      `${POLICY_OPTION_HELP}; its access graph adds to the callers each service allows (optional)`,
    )
    .option(
      '--principal <node=roleArn>',
      'IAM role of a caller (virtual node or gateway), for the auth policies; repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--vpc <id>', 'VPC of the targets: set on the target groups and associated with the network')
    .action(async (options: PlanOptions) => {
      if (options.to !== 'vpc-lattice') {
        cli.err(`--to must be vpc-lattice, got "${options.to}"`);
        process.exitCode = 2;
        return;
      }
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        cli.err(`--format must be table, json or gateway-api, got "${options.format}"`);
        process.exitCode = 2;
        return;
      }
      const principals = parsePrincipals(options.principal);
      if (typeof principals === 'string') {
        cli.err(principals);
        process.exitCode = 2;
        return;
      }
      let accessGraph: TranslateOptions['accessGraph'];
      const policyFile = policyFileOf(options.policy);
      if (options.policy !== undefined || existsSync(policyFile)) {
        try {
          accessGraph = loadPolicy(policyFile).forMesh(options.mesh)?.compliance.accessGraph;
        } catch (error) {
          if (!(error instanceof PolicyError)) throw error;
          for (const line of error.lines) cli.err(line);
          process.exitCode = 2;
          return;
        }
      }
      let plan: MigrationPlan;
      try {
        const snapshot = await cli.meshes().readMesh(options.mesh);
        plan = planMigration(snapshot, {
          ...(options.serviceNetwork !== undefined ? { serviceNetworkName: options.serviceNetwork } : {}),
          ...(accessGraph !== undefined ? { accessGraph } : {}),
          principals,
          ...(options.vpc !== undefined ? { vpcIdentifier: options.vpc } : {}),
        });
      } catch (error) {
        if (error instanceof NotFoundError) {
          cli.err(`mesh ${options.mesh} does not exist at the configured endpoint`);
        } else if (error instanceof InvalidServiceNetworkNameError) {
          cli.err(error.message);
        } else throw error;
        process.exitCode = 2;
        return;
      }
      const format = options.format as Format;
      if (format === 'json') cli.out(JSON.stringify(plan, null, 2));
      else if (format === 'gateway-api') cli.out(gatewayApiYaml(plan).trimEnd());
      else for (const line of formatPlanTable(plan)) cli.out(line);
      if (accessGraph === undefined && format === 'table')
        cli.err('no policy access graph for this mesh: callers come from virtual node backends only');
      const differences = plan.routingParity?.differences.length ?? 0;
      if (hasLostFeatures(plan) || differences > 0) process.exitCode = 1;
    });
}
