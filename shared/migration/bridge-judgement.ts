/**
 * `migrate shift --route` creates its bridge virtual node with the person's credentials, so
 * change control judges that create as theirs, like any other write. This asks the same
 * questions first, so a shift change control would undo is refused before anything is written:
 * may this caller make CreateVirtualNode on the bridge (the policy's changeControl), and does the
 * mesh with the bridge added break a rule for it (the judge, honouring the mesh's exemptions).
 * Pure: the caller reads the mesh and the caller's identity.
 */
import { decideAction } from '../change-control/decide';
import { formatResourceKey } from '../domain/resource-key';
import type { MeshSnapshot } from '../domain/snapshot';
import type { Principal } from '../events/principal';
import { decideChange } from '../policy/change-control';
import type { CompiledPolicy } from '../policy/compile';
import { describeFinding, judgeResource } from '../policy/judge';
import { buildMeshIndex } from '../policy/mesh-index';
import type { MeshResourceOf } from '../providers/appmesh/model';

/** The CloudTrail eventName of the bridge's create, as change control will judge it. */
const CREATE = 'CreateVirtualNode';

export interface BridgeJudgementInput {
  readonly policy: CompiledPolicy;
  /** Who runs the shift (from STS GetCallerIdentity). */
  readonly caller: Principal;
  /** The bridge node to create. */
  readonly bridge: MeshResourceOf<'virtual-node'>;
  /** The mesh as read now, without the bridge. */
  readonly snapshot: MeshSnapshot;
  readonly now: Date;
}

/** What change control would say about the bridge's create: nothing against it, or every reason. */
export type BridgeJudgement =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'refused'; readonly problems: readonly string[] };

/** A day ~30 days on, for the example exemption: long enough for a shift, short enough to be renewed. */
function exampleExpiry(now: Date): string {
  return new Date(now.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
}

/** Judge the bridge's create as change control will judge it (see the module comment). */
export function judgeBridge(input: BridgeJudgementInput): BridgeJudgement {
  const { policy, caller, bridge, snapshot, now } = input;
  const key = formatResourceKey(bridge);
  const meshName = bridge.meshName;
  const changeControl = decideChange(policy, { principal: caller, action: CREATE, resource: bridge });
  const mesh: MeshSnapshot = {
    ...snapshot,
    virtualNodes: [...snapshot.virtualNodes.filter((n) => n.name !== bridge.name), bridge],
  };
  // The bridge terminates no TLS (it is a DNS name for VPC Lattice), so there is no listener
  // certificate whose issuing CA the judge would need.
  const findings = judgeResource(bridge, buildMeshIndex(mesh), policy, now);
  const decision = decideAction({
    changeControl,
    findings,
    // Any violation refuses: what change control would do about it (revert, hold, report)
    // does not matter when it can be avoided before writing.
    onViolation: 'report',
    revert: { type: 'none', reason: 'not written yet' },
  });
  const problems: string[] = [];
  if (changeControl.decision === 'deny')
    problems.push(
      `change control: ${changeControl.explanation} Run the shift as someone the policy allows to create virtual nodes in mesh ${meshName}, or allow ${CREATE} on virtual-node ${bridge.name} in its changeControl.allow.`,
    );
  for (const f of decision.violations) problems.push(`${f.resourceKey}: ${describeFinding(f)}`);
  const rules = [...new Set(decision.violations.filter((f) => f.resourceKey === key).map((f) => f.ruleId))];
  if (rules.length > 0)
    problems.push(
      `to let the bridge break ${rules.length === 1 ? 'this rule' : 'these rules'} while the shift runs, add to the exemptions of mesh ${meshName} (in the policy meshwarden runs with, and in --policy) an entry with resource: ${key}, rules: [${rules.join(', ')}], expires: a date after the migration (e.g. ${exampleExpiry(now)}) and reason: why; then run the shift again.`,
    );
  return problems.length === 0 ? { kind: 'allowed' } : { kind: 'refused', problems };
}
