import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch/alarm-source';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb/deployment-store';
import type { GovernanceDecisionDetail } from '../../shared/change-control/decision-record';
import { formatWeights } from '../../shared/deployments/weights';
import { BadRequestError, ConfigError, MeshwardenError } from '../../shared/errors';
import { principalOfCallerArn } from '../../shared/events/principal';
import { migrateApply } from '../../shared/migration/apply';
import { analyseApply, type KnownIds } from '../../shared/migration/apply-changes';
import { DEFAULT_BRIDGE_STEPS, parseRouteName, parseSteps } from '../../shared/migration/bridge-shift';
import type { LatticeMigrationTarget } from '../../shared/migration/lattice-target';
import { planMigration } from '../../shared/migration/plan-migration';
import type { MigrationPlan } from '../../shared/migration/plan-model';
import { translatePolicy } from '../../shared/migration/policy-entry';
import { adviseShift, parsePercent } from '../../shared/migration/shift';
import { shiftRoute } from '../../shared/migration/shift-route';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { loadPolicy } from '../../shared/policy/load';
import type { AlarmSource, AuditLog, DeploymentStore, MeshProvider } from '../../shared/ports';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createLatticeClient } from '../../shared/providers/vpc-lattice';
import { LatticeMigrationAdapter } from '../../shared/providers/vpc-lattice/migration-target';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

/** What `migrate apply` and `migrate shift` are given to make the plan with: the same as `migrate plan`. */
export interface PlanRequest {
  readonly mesh: string;
  readonly serviceNetwork?: string;
  readonly vpc?: string;
  /** IAM role of each caller (virtual node or gateway), for the auth policies. */
  readonly principals: Readonly<Record<string, string>>;
  readonly policy: CompiledPolicy;
}

/** The plan as `migrate plan` makes it: the mesh read whole, the policy's access graph, the callers' roles. */
export function planFromMesh(meshes: () => MeshProvider): MigrateApplyCli['plan'] {
  return async (request) => {
    const snapshot = await meshes().readMesh(request.mesh);
    const accessGraph = request.policy.forMesh(request.mesh)?.compliance.accessGraph;
    return planMigration(snapshot, {
      ...(request.serviceNetwork === undefined ? {} : { serviceNetworkName: request.serviceNetwork }),
      ...(accessGraph === undefined ? {} : { accessGraph }),
      principals: request.principals,
      ...(request.vpc === undefined ? {} : { vpcIdentifier: request.vpc }),
    });
  };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** `--principal NODE=ROLE_ARN`, repeatable, as `migrate plan` takes it. */
function principalsOf(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const arn = value.slice(at + 1);
    if (at <= 0 || !ROLE_ARN.test(arn))
      throw new BadRequestError(
        `--principal must be NODE=arn:aws:iam::<account>:role/<name>, got "${value}"`,
      );
    out[value.slice(0, at)] = arn;
  }
  return out;
}

/** Where the commands read, write and print; replaced in tests. */
export interface MigrateApplyCli {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The plan `migrate plan` makes. */
  readonly plan: (request: PlanRequest) => Promise<MigrationPlan>;
  readonly lattice: () => LatticeMigrationTarget;
  readonly alarms: () => AlarmSource;
  readonly audit: (table: string, account: string) => AuditLog;
  readonly whoami: () => Promise<GovernanceDecisionDetail['principal']>;
  /** App Mesh with the caller's credentials: their writes, judged by change control as theirs. */
  readonly meshes: () => MeshProvider;
  /** The deployment guard's records in the state table. */
  readonly deployments: (table: string, account: string) => DeploymentStore;
}

/** Who a caller ARN is, as the audit trail shows principals. */
export function principalOfArn(arn: string): GovernanceDecisionDetail['principal'] {
  const resource = arn.split(':').slice(5).join(':');
  const [kind, ...rest] = resource.split('/');
  if (kind === 'assumed-role') return { arn, label: rest.join('/'), type: 'AssumedRole' };
  if (kind === 'user') return { arn, label: rest.at(-1) ?? arn, type: 'IAMUser' };
  return { arn, label: resource || arn, type: 'Unknown' };
}

/** The real clients, for whatever endpoint the SDK is configured for; `config` for tests. */
export function migrateApplyClients(
  plan: MigrateApplyCli['plan'],
  config: {
    readonly endpoint?: string;
    readonly region?: string;
    readonly maxAttempts?: number;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  } = {},
): MigrateApplyCli {
  return {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    plan,
    lattice: () => new LatticeMigrationAdapter(createLatticeClient(config)),
    alarms: () => new CloudWatchAlarmSource(new CloudWatchClient(config)),
    audit: (table, account) => new DynamoAuditLog(createDocumentClient(config), table, account),
    whoami: async () =>
      principalOfArn((await new STSClient(config).send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown'),
    meshes: () => createAppMeshProvider(createAppMeshClient(config)),
    deployments: (table, account) =>
      new DynamoDbDeploymentStore(createDocumentClient(config), table, account),
  };
}

interface CommonOptions {
  readonly mesh: string;
  readonly to: 'vpc-lattice';
  readonly serviceNetwork?: string;
  readonly vpc?: string;
  readonly policy?: string;
  readonly principal: string[];
}

interface ApplyOptions extends CommonOptions {
  readonly policyOut?: string;
  readonly table?: string;
  readonly account?: string;
}

function common(command: Command): Command {
  return command
    .requiredOption('--mesh <name>', 'the App Mesh mesh to migrate')
    .addOption(new Option('--to <provider>', 'where to').choices(['vpc-lattice']).makeOptionMandatory())
    .option(
      '--service-network <name>',
      "the VPC Lattice service network (default: the plan's, from the mesh name)",
    )
    .option('--vpc <id>', 'the VPC of the targets, when the mesh does not say')
    .option('--policy <file>', POLICY_OPTION_HELP)
    .option(
      '--principal <node=roleArn>',
      'IAM role of a caller (virtual node or gateway), for the auth policies; repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    );
}

function auditTarget(options: Pick<ApplyOptions, 'table' | 'account'>): { table: string; account: string } {
  const table = options.table ?? process.env.MESHWARDEN_TABLE;
  const account = options.account ?? process.env.MESHWARDEN_ACCOUNT_ID;
  if (table === undefined)
    throw new ConfigError('name the state table the audit record goes to: --table or MESHWARDEN_TABLE');
  if (account === undefined || !/^\d{12}$/.test(account))
    throw new ConfigError(
      "name meshwarden's account (12 digits): --account or MESHWARDEN_ACCOUNT_ID; the audit trail is kept per account",
    );
  return { table, account };
}

/** Alarm names bound by tag to each App Mesh route the plan replaces. */
async function taggedAlarms(alarms: AlarmSource, plan: MigrationPlan): Promise<Map<string, string[]>> {
  const keys = new Set(
    plan.services.flatMap((s) =>
      s.listeners.flatMap((l) =>
        [...l.source, ...l.rules.flatMap((r) => r.source)]
          .filter((r) => r.kind === 'route' && r.parentName !== undefined)
          .map((r) => `${r.meshName}/${r.parentName}/${r.name}`),
      ),
    ),
  );
  const out = new Map<string, string[]>();
  for (const key of keys)
    out.set(
      key,
      (await alarms.taggedFor(key)).map((a) => a.name),
    );
  return out;
}

async function writePolicy(
  cli: MigrateApplyCli,
  file: string,
  out: string | undefined,
  plan: MigrationPlan,
  known: KnownIds,
): Promise<void> {
  const translated = translatePolicy({
    policyText: readFileSync(file, 'utf8'),
    fileName: file,
    plan,
    known,
    taggedAlarms: await taggedAlarms(cli.alarms(), plan),
  });
  for (const line of translated.notCarried) cli.out(`not carried to the VPC Lattice entry: ${line}`);
  if (out === undefined) {
    cli.out(
      `Policy entry for service network ${plan.serviceNetwork.name} (add it before the other entries of ${file}):`,
    );
    for (const line of stringify([translated.entry]).trimEnd().split('\n')) cli.out(line);
    return;
  }
  writeFileSync(out, translated.text);
  cli.out(
    `wrote ${out}: ${file} with the VPC Lattice entry for ${plan.serviceNetwork.name} before the App Mesh entry`,
  );
}

/** `meshwarden migrate apply` and `meshwarden migrate shift`, under the `migrate` command. */
export function registerMigrateApplyCommands(migrate: Command, cli: MigrateApplyCli): void {
  const run = (action: () => Promise<void>) => async () => {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof MeshwardenError)) throw error;
      cli.err(`${error.name}: ${error.message}`);
      process.exitCode = 1;
    }
  };
  const planOf = async (options: CommonOptions) => {
    const file = policyFileOf(options.policy);
    const policy = loadPolicy(file);
    const plan = await cli.plan({
      mesh: options.mesh,
      policy,
      principals: principalsOf(options.principal),
      ...(options.serviceNetwork === undefined ? {} : { serviceNetwork: options.serviceNetwork }),
      ...(options.vpc === undefined ? {} : { vpc: options.vpc }),
    });
    return { file, policy, plan };
  };

  const apply = common(
    migrate
      .command('apply')
      .description(
        'Create the migration plan in VPC Lattice: idempotent and resumable; refuses before any write on blocking problems or a differing resource',
      ),
  )
    .option(
      '--policy-out <file>',
      'write the policy with the new VPC Lattice entry here (default: print the entry)',
    )
    .option('--table <name>', 'the state table the audit record goes to (default: $MESHWARDEN_TABLE)')
    .option('--account <id>', "meshwarden's own account (default: $MESHWARDEN_ACCOUNT_ID)");
  apply.action((options: ApplyOptions) =>
    run(async () => {
      const target = auditTarget(options);
      const { file, plan } = await planOf(options);
      // The policy entry is checked before any write (a service network named like a governed
      // mesh is refused); it is written after, when the target group ids are known.
      translatePolicy({
        policyText: readFileSync(file, 'utf8'),
        fileName: file,
        plan,
        known: new Map(),
        taggedAlarms: new Map(),
      });
      const lattice = cli.lattice();
      const result = await migrateApply(
        {
          lattice,
          audit: cli.audit(target.table, target.account),
          who: await cli.whoami(),
          now: () => new Date(),
          newEventId: () => `migrate-${randomUUID()}`,
          progress: (line) => cli.out(`  ${line}`),
        },
        plan,
        options.vpc === undefined ? {} : { vpcIdentifier: options.vpc },
      );
      if (result.kind === 'refused') {
        cli.err(`refused: nothing was written to VPC Lattice.`);
        for (const p of result.problems) cli.err(`  blocking: ${p}`);
        if (result.differences.length > 0)
          cli.err(
            `  existing resources differ from the plan (change or delete them, or choose another --service-network):`,
          );
        for (const d of result.differences) cli.err(`  differs: ${d}`);
        process.exitCode = 1;
        return;
      }
      // Lost features do not block (the plan said so, and its exit code); they are repeated here.
      for (const lost of plan.parity.filter((p) => p.status === 'lost'))
        cli.out(`note: ${lost.feature} does not carry over: ${lost.detail}`);
      if (result.kind === 'nothing-to-change')
        cli.out(
          `nothing to change: VPC Lattice service network ${plan.serviceNetwork.name} matches the plan of mesh ${plan.meshName}`,
        );
      else
        cli.out(
          `migrated mesh ${plan.meshName} to VPC Lattice service network ${plan.serviceNetwork.name}: ${result.made.length} changes, audited as ${result.eventId}`,
        );
      await writePolicy(cli, file, options.policyOut, plan, result.known);
    })(),
  );

  const shift = common(
    migrate
      .command('shift')
      .description(
        "Move traffic from App Mesh to VPC Lattice in steps. With --route: through a bridge virtual node, stepped by the deployment guard watching both sides' alarms; with --percent: what to set where the split sits outside the mesh (DNS, a gateway)",
      ),
  )
    .option(
      '--percent <n>',
      'print the steps to take for this share on VPC Lattice, 0..100 (the split is outside the mesh)',
    )
    .option(
      '--route <router/route>',
      'shift this App Mesh route through a bridge virtual node to its VPC Lattice rule',
    )
    .option(
      '--steps <list>',
      `with --route: the share on VPC Lattice after each step (default ${DEFAULT_BRIDGE_STEPS.join(',')})`,
    )
    .option('--bake-minutes <n>', 'with --route: minutes each step bakes before the next', '10')
    .option('--table <name>', 'with --route: the state table (default: $MESHWARDEN_TABLE)')
    .option('--account <id>', "with --route: meshwarden's own account (default: $MESHWARDEN_ACCOUNT_ID)");
  shift.action((options: ShiftOptions) =>
    run(async () => {
      if ((options.percent === undefined) === (options.route === undefined))
        throw new BadRequestError(
          'give --route ROUTER/ROUTE (meshwarden shifts it through a bridge node) or --percent N (the steps to take where the split is outside the mesh)',
        );
      if (options.route === undefined && (options.steps !== undefined || options.table !== undefined))
        throw new BadRequestError('--steps and --table go with --route');
      const percent = options.percent === undefined ? undefined : parsePercent(options.percent);
      const route = options.route === undefined ? undefined : parseRouteName(options.route);
      const steps = parseSteps(options.steps ?? DEFAULT_BRIDGE_STEPS.join(','));
      const bake = Number(options.bakeMinutes);
      if (!/^\d{1,4}$/.test(options.bakeMinutes) || bake < 1)
        throw new BadRequestError(
          `--bake-minutes ${options.bakeMinutes}: a whole number of minutes, at least 1`,
        );
      const target = route === undefined ? undefined : auditTarget(options);
      const { policy, plan } = await planOf(options);
      const existing = await cli.lattice().read({
        serviceNetwork: plan.serviceNetwork.name,
        services: plan.services.map((s) => s.name),
        targetGroups: plan.targetGroups.map((t) => t.name),
      });
      const analysis = analyseApply(
        plan,
        existing,
        options.vpc === undefined ? {} : { vpcIdentifier: options.vpc },
      );
      // Weights that differ from the plan are a deployment's or a rollback's doing, not a reason to wait.
      if (analysis.changes.length > 0) {
        cli.err(
          `refused: VPC Lattice service network ${plan.serviceNetwork.name} lacks ${analysis.changes.length} of the plan's changes for mesh ${plan.meshName}; run migrate apply first`,
        );
        process.exitCode = 1;
        return;
      }
      if (route === undefined || target === undefined) {
        const advice = await adviseShift(
          { policy, alarms: cli.alarms() },
          plan,
          analysis.known,
          percent ?? 0,
        );
        const print = advice.kind === 'refused' ? cli.err : cli.out;
        for (const line of advice.lines) print(line);
        if (advice.kind === 'refused') process.exitCode = 1;
        return;
      }
      const who = await cli.whoami();
      const result = await shiftRoute(
        {
          meshes: cli.meshes(),
          deployments: cli.deployments(target.table, target.account),
          alarms: cli.alarms(),
          policy,
          audit: cli.audit(target.table, target.account),
          who,
          caller: principalOfCallerArn(who.arn),
          now: () => new Date(),
          newEventId: () => `migrate-shift-${randomUUID()}`,
        },
        { plan, known: analysis.known, existing, ...route, steps, bakeMinutes: bake },
      );
      if (result.kind === 'refused') {
        cli.err(`refused: nothing was written.`);
        for (const p of result.problems) cli.err(`  ${p}`);
        process.exitCode = 1;
        return;
      }
      const s = result.shift;
      cli.out(
        `${result.createdBridge ? 'created' : 'kept'} bridge virtual node ${s.bridgeName}: DNS ${s.domainName} (VPC Lattice service ${s.latticeService})`,
      );
      cli.out(
        `${s.appMeshKey} -> ${formatWeights(s.firstWeights)} (step 1 of ${s.steps.join(', ')}; audited as ${result.eventId})`,
      );
      cli.out(
        `The deployment guard opens the deployment on this write, steps it every ${bake} minutes and rolls it back to ${formatWeights(s.stableWeights)} when an alarm of either side fires:`,
      );
      for (const a of result.alarms) cli.out(`  ${a.name} ${a.state}: bound to ${a.boundTo.join(', ')}`);
      if (result.alarms.length === 0)
        cli.out(
          `  none bound yet: bind alarms to ${s.appMeshKey} or ${s.latticeKey} (policy deployments.routes or the meshwarden:route tag)`,
        );
      cli.out(
        `Follow it: meshwarden deployments status ${s.appMeshKey} (promote, abort and rollback work there too)`,
      );
    })(),
  );
}

interface ShiftOptions extends CommonOptions {
  readonly percent?: string;
  readonly route?: string;
  readonly steps?: string;
  readonly bakeMinutes: string;
  readonly table?: string;
  readonly account?: string;
}
