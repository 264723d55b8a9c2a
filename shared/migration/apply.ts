/**
 * `migrate apply`: create a migration plan in VPC Lattice. Refuses before any write when the
 * plan has blocking problems or an existing resource under one of its names differs from it;
 * otherwise creates what is missing, in dependency order, each create with a client token
 * derived from the mesh and the request, so a crash mid-way and a re-run completes the rest and
 * a full re-run changes nothing. The migration is audited before its first write (pending) and
 * completed with what was created (applied) or how far it got (failed).
 */
import type { GovernanceDecisionDetail } from '../change-control/decision-record';
import { formatResourceKey } from '../domain/resource-key';
import { asError, MeshwardenError } from '../errors';
import type { AuditLog, AuditRecord } from '../ports';
import {
  type ApplyOptions,
  analyseApply,
  blockingProblems,
  type Change,
  clientTokenOf,
  describeChange,
  type KnownIds,
  refKey,
} from './apply-changes';
import type { LatticeMigrationTarget, LatticeResourceId } from './lattice-target';
import type { MigrationPlan } from './plan-model';

export interface MigrateApplyDeps {
  readonly lattice: LatticeMigrationTarget;
  readonly audit: AuditLog;
  /** Who runs the migration (their caller identity). */
  readonly who: GovernanceDecisionDetail['principal'];
  readonly now: () => Date;
  readonly newEventId: () => string;
  /** Told each change as it is made. */
  readonly progress?: (line: string) => void;
}

/** One change made. */
export interface MadeChange {
  readonly change: string;
  readonly ref: string;
  /** Id and ARN of what a create made. */
  readonly created?: LatticeResourceId;
}

export type ApplyResult =
  | {
      readonly kind: 'refused';
      readonly problems: readonly string[];
      readonly differences: readonly string[];
    }
  | { readonly kind: 'nothing-to-change'; readonly known: KnownIds }
  | {
      readonly kind: 'applied';
      readonly made: readonly MadeChange[];
      readonly known: KnownIds;
      readonly eventId: string;
    };

/** A migration that stopped part-way: what was made is kept; a re-run completes the rest. */
export class MigrationIncompleteError extends MeshwardenError {
  constructor(
    message: string,
    readonly made: readonly MadeChange[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Every name the plan uses, for reading what exists under them. */
function namesOf(plan: MigrationPlan) {
  return {
    serviceNetwork: plan.serviceNetwork.name,
    services: plan.services.map((s) => s.name),
    targetGroups: plan.targetGroups.map((t) => t.name),
  };
}

/** The audit record of a migration: a decision detail as change control writes them, plus the migration. */
function recordOf(
  plan: MigrationPlan,
  deps: MigrateApplyDeps,
  eventId: string,
  eventTime: string,
  planned: readonly Change[],
  made: readonly MadeChange[],
  outcome: AuditRecord['outcome'],
  error?: string,
): AuditRecord {
  const decision: GovernanceDecisionDetail = {
    eventId,
    eventTime,
    meshName: plan.meshName,
    resourceKey: formatResourceKey({ kind: 'mesh', meshName: plan.meshName, name: plan.meshName }),
    operation: 'MigrateToVpcLattice',
    principal: deps.who,
    changeControl: 'allow',
    action: 'none',
    ruleIds: [],
    findings: [],
    plan: `migrate mesh ${plan.meshName} to VPC Lattice service network ${plan.serviceNetwork.name}: ${planned.length} changes`,
    reasons: planned.map(describeChange),
    diff: '',
    resourceVersion: null,
    migration: {
      target: 'vpc-lattice',
      serviceNetwork: plan.serviceNetwork.name,
      made: made.map((m) => ({
        change: m.change,
        ...(m.created === undefined ? {} : { arn: m.created.arn }),
      })),
    },
  };
  return {
    meshName: plan.meshName,
    eventId,
    eventTime,
    decision,
    outcome,
    published: false,
    ...(error === undefined ? {} : { error }),
  };
}

async function make(
  deps: MigrateApplyDeps,
  meshName: string,
  change: Change,
  known: KnownIds,
): Promise<LatticeResourceId | undefined> {
  const key = refKey(change.ref);
  if (change.op === 'create') {
    const body = change.build(known);
    const clientToken = clientTokenOf(meshName, change.ref, { ...body, tags: change.tags });
    const created = await deps.lattice.create({ ...body, tags: change.tags, clientToken } as Parameters<
      LatticeMigrationTarget['create']
    >[0]);
    known.set(key, created);
    return created;
  }
  const target = known.get(key);
  if (target === undefined) throw new MeshwardenError(`${key} has no id to ${change.op} on`);
  if (change.op === 'put-auth-policy') await deps.lattice.putAuthPolicy(target.id, change.policy);
  else await deps.lattice.tag(target.arn, change.tags);
  return undefined;
}

/** Apply a migration plan to VPC Lattice (see the module comment). */
export async function migrateApply(
  deps: MigrateApplyDeps,
  plan: MigrationPlan,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const problems = blockingProblems(plan, options);
  if (problems.length > 0) return { kind: 'refused', problems, differences: [] };
  const existing = await deps.lattice.read(namesOf(plan));
  const { changes, differences, known } = analyseApply(plan, existing, options);
  if (differences.length > 0) return { kind: 'refused', problems: [], differences };
  if (changes.length === 0) return { kind: 'nothing-to-change', known };

  const eventId = deps.newEventId();
  const eventTime = deps.now().toISOString();
  await deps.audit.put(recordOf(plan, deps, eventId, eventTime, changes, [], 'pending'));
  const made: MadeChange[] = [];
  for (const change of changes) {
    try {
      const created = await make(deps, plan.meshName, change, known);
      const line = describeChange(change);
      made.push({ change: line, ref: refKey(change.ref), ...(created === undefined ? {} : { created }) });
      deps.progress?.(created === undefined ? line : `${line} (${created.id})`);
    } catch (error) {
      const message = `${describeChange(change)} failed: ${asError(error).message}`;
      await deps.audit.put(recordOf(plan, deps, eventId, eventTime, changes, made, 'failed', message));
      throw new MigrationIncompleteError(
        `${message}. ${made.length} of ${changes.length} changes were made and are kept; run migrate apply again to complete the rest`,
        made,
        { cause: error },
      );
    }
  }
  await deps.audit.put(recordOf(plan, deps, eventId, eventTime, changes, made, 'applied'));
  return { kind: 'applied', made, known, eventId };
}
