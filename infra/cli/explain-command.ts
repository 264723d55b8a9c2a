import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { accountOfEvent } from '../../shared/accounts/accounts';
import { DynamoJudgedVersionStore } from '../../shared/adapters/dynamodb/judged-versions-store';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoWebIdentitySessionStore } from '../../shared/adapters/dynamodb/web-identity-sessions-store';
import { type AssessDeps, assessChange } from '../../shared/change-control/assess';
import { type MeshChange, meshChangeOf } from '../../shared/change-control/change';
import {
  failedCallDecision,
  type GovernanceDecisionDetail,
  judgedDecision,
} from '../../shared/change-control/decision-record';
import { isUnjudgeable, unjudgeableDecision } from '../../shared/change-control/unjudgeable';
import { ValidationError } from '../../shared/errors';
import { loadPolicy, PolicyError } from '../../shared/policy/load';
import { type AppMeshApiCallEvent, parseAppMeshApiCall } from '../../shared/providers/appmesh/cloudtrail';
import {
  LATTICE_EVENTBRIDGE_SOURCE,
  type LatticeApiCallEvent,
  parseLatticeApiCall,
} from '../../shared/providers/vpc-lattice/cloudtrail';
import { type ChangeControlCli, DEFAULT_CLI } from './change-control-clients';
import { explainLatticeCall, latticeExplanationLines } from './explain-lattice';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

interface ExplainOptions {
  readonly policy?: string;
  readonly table?: string;
  readonly format: 'text' | 'json';
}

const NOTHING = { get: async () => undefined };

/**
 * `meshwarden explain EVENT.json [--policy FILE] [--table NAME]`: print what change control
 * would decide for a CloudTrail App Mesh event, without acting. It reads the current state
 * (App Mesh, ACM, and with --table the last known good specs) and writes nothing. Exit code 1
 * when the change would be reverted, held or reported; 2 when the event or policy is invalid.
 * A VPC Lattice event gets the Lattice rules' findings on what it touched (exit code 1 on violations).
 */
export function registerExplainCommand(program: Command, cli: ChangeControlCli = DEFAULT_CLI): void {
  program
    .command('explain')
    .description(
      'Print the change-control decision for a CloudTrail App Mesh event (for a VPC Lattice event: the findings on what it touched), without acting',
    )
    .argument('<event>', 'the event as EventBridge delivers it (JSON file)')
    .option('--policy <file>', POLICY_OPTION_HELP)
    .option(
      '--table <name>',
      'the state table, to read last known good specs and OIDC sessions (default: $MESHWARDEN_TABLE)',
    )
    .option('--format <format>', 'text or json', 'text')
    .action(async (file: string, options: ExplainOptions) => {
      if (await explainedAsLattice(cli, file, options)) return;
      let deps: AssessDeps;
      let event: AppMeshApiCallEvent;
      let change: MeshChange;
      const tableName = options.table ?? process.env.MESHWARDEN_TABLE;
      try {
        event = parseAppMeshApiCall(JSON.parse(readFileSync(file, 'utf8')) as unknown);
        change = meshChangeOf(event);
        // State is kept per account: read the event's account's.
        const account = accountOfEvent(event);
        const policy = loadPolicy(policyFileOf(options.policy));
        const documents = tableName === undefined ? undefined : cli.documents();
        const listed = (name: string) => (process.env[name] ?? '').split(',').filter((s) => s !== '');
        const governed = listed('MESHWARDEN_MESHES');
        deps = {
          meshes: cli.meshes(),
          policy,
          selfRoleArns: listed('MESHWARDEN_SELF_ROLE_ARNS'),
          // Without a configured list, explain the event as if its mesh were governed.
          governedMeshes: governed.length > 0 ? governed : [change.ref.meshName],
          lastKnownGood:
            documents && tableName ? new DynamoLastKnownGoodStore(documents, tableName, account) : NOTHING,
          judgedVersions:
            documents && tableName ? new DynamoJudgedVersionStore(documents, tableName, account) : NOTHING,
          sessions:
            documents && tableName ? new DynamoWebIdentitySessionStore(documents, tableName) : NOTHING,
          issuers: cli.issuers(),
          now: () => new Date(),
        };
      } catch (error) {
        if (error instanceof PolicyError) for (const line of error.lines) cli.err(line);
        else if (error instanceof ValidationError || error instanceof SyntaxError)
          cli.err(`${file}: ${error.message}`);
        else throw error;
        process.exitCode = 2;
        return;
      }
      let assessment: Awaited<ReturnType<typeof assessChange>>;
      try {
        assessment = await assessChange(deps, change);
      } catch (error) {
        // What mesh-change would report as unjudgeable (an unidentifiable caller, say) is shown so.
        if (!isUnjudgeable(error)) throw error;
        printDecision(cli, options, tableName, unjudgeableDecision(event, change, (error as Error).message));
        return;
      }
      if (assessment.status === 'skipped') {
        if (options.format === 'json')
          cli.out(
            JSON.stringify({ skipped: assessment.reason, explanation: assessment.explanation }, null, 2),
          );
        else cli.out(`skipped (${assessment.reason}): ${assessment.explanation}`);
        return;
      }
      printDecision(
        cli,
        options,
        tableName,
        assessment.status === 'failed-call'
          ? failedCallDecision(assessment)
          : judgedDecision(assessment, undefined),
      );
    });
}

/**
 * A VPC Lattice event (`source: aws.vpc-lattice`) is explained by the Lattice rules' findings on
 * what it touched; true when the file held one (explained, or refused with exit code 2).
 */
async function explainedAsLattice(
  cli: ChangeControlCli,
  file: string,
  options: ExplainOptions,
): Promise<boolean> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return false; // The App Mesh path reports what is wrong with the file.
  }
  if ((raw as { source?: unknown } | null)?.source !== LATTICE_EVENTBRIDGE_SOURCE) return false;
  let event: LatticeApiCallEvent;
  let policy: ReturnType<typeof loadPolicy>;
  try {
    event = parseLatticeApiCall(raw);
    policy = loadPolicy(policyFileOf(options.policy));
  } catch (error) {
    if (error instanceof PolicyError) for (const line of error.lines) cli.err(line);
    else if (error instanceof ValidationError) cli.err(`${file}: ${error.message}`);
    else throw error;
    process.exitCode = 2;
    return true;
  }
  if (cli.serviceNetworks === undefined) {
    cli.err(`${file} is a VPC Lattice event, and this CLI has no VPC Lattice client`);
    process.exitCode = 2;
    return true;
  }
  const explanation = await explainLatticeCall(
    { networks: cli.serviceNetworks(), issuers: cli.issuers(), policy, now: () => new Date() },
    event,
  );
  if (options.format === 'json') cli.out(JSON.stringify(explanation, null, 2));
  else for (const line of latticeExplanationLines(explanation)) cli.out(line);
  if (explanation.violations > 0) process.exitCode = 1;
  return true;
}

/** Print a decision as text or JSON; exit code 1 when it would revert, hold or report. */
function printDecision(
  cli: ChangeControlCli,
  options: ExplainOptions,
  tableName: string | undefined,
  detail: GovernanceDecisionDetail,
): void {
  if (options.format === 'json') {
    cli.out(JSON.stringify(detail, null, 2));
  } else {
    cli.out(`${detail.operation} on ${detail.resourceKey} by ${detail.principal.label}`);
    cli.out(`decision: ${detail.action} (change control: ${detail.changeControl})`);
    if (detail.ruleIds.length > 0) cli.out(`rules broken: ${detail.ruleIds.join(', ')}`);
    cli.out(`effect: ${detail.plan}`);
    for (const reason of detail.reasons) cli.out(`  - ${reason}`);
    if (detail.diff !== '') {
      cli.out('last known good -> now:');
      for (const line of detail.diff.split('\n')) cli.out(`  ${line}`);
    }
    if (tableName === undefined) cli.out('(no state table given: last known good specs were not read)');
  }
  if (detail.action === 'revert' || detail.action === 'hold' || detail.action === 'report')
    process.exitCode = 1;
}
