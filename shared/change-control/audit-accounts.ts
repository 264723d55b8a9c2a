/**
 * The periodic audit across accounts: each account's governed meshes (and VPC Lattice service
 * networks) are audited with that account's deps (the central account's with the function's
 * own credentials, a member account's through the role meshwarden assumes there). One account's failure (its role
 * cannot be assumed, its meshes cannot be read) does not keep the others from being audited;
 * the run then fails, naming every account that failed, so it is retried and alarmed on.
 */
import type { AccountDirectory } from '../accounts/accounts';
import { MeshwardenError } from '../errors';
import {
  auditServiceNetworks,
  type ServiceNetworkAuditDeps,
  type ServiceNetworkAuditReport,
} from '../providers/vpc-lattice/change-control/audit';
import { type AuditMeshDeps, auditMeshes, type MeshAuditReport } from './audit-mesh';

export interface AccountsAudit {
  readonly accounts: AccountDirectory;
  /** The audit's deps in one account (its meshes, stores and publisher name the account). */
  depsFor(account: string): AuditMeshDeps;
  /** The meshes governed in one account. */
  meshesIn(account: string): readonly string[];
  /** The VPC Lattice service networks governed in one account, and the deps to audit them. */
  readonly lattice?: {
    depsFor(account: string): ServiceNetworkAuditDeps;
    networksIn(account: string): readonly string[];
  };
}

/** The report of one audited mesh or service network. */
export type AuditReport = MeshAuditReport | ServiceNetworkAuditReport;

/** The audit reports of one account. */
export interface AccountAuditReports {
  readonly account: string;
  readonly reports: readonly AuditReport[];
}

/** One account's meshes, then its service networks (only built when it governs any). */
async function auditAccount(audit: AccountsAudit, account: string): Promise<AuditReport[]> {
  const meshes = await auditMeshes(audit.depsFor(account), audit.meshesIn(account));
  const networks = audit.lattice?.networksIn(account) ?? [];
  if (audit.lattice === undefined || networks.length === 0) return meshes;
  return [...meshes, ...(await auditServiceNetworks(audit.lattice.depsFor(account), networks))];
}

/** Audit every account's governed meshes, the central account first. */
export async function auditEveryAccount(audit: AccountsAudit): Promise<AccountAuditReports[]> {
  const central = audit.accounts.central;
  if (audit.accounts.members.size === 0) {
    // One account: its failure is the run's, as it was before there were member accounts.
    return [{ account: central, reports: await auditAccount(audit, central) }];
  }
  const done: AccountAuditReports[] = [];
  const failures: string[] = [];
  for (const account of [central, ...audit.accounts.members.keys()]) {
    try {
      done.push({ account, reports: await auditAccount(audit, account) });
    } catch (error) {
      failures.push(`account ${account}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new MeshwardenError(`the audit failed in ${failures.length} account(s): ${failures.join('; ')}`);
  }
  return done;
}
