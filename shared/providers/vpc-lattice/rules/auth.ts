import type { CompiledCompliance } from '../../../policy/compile';
import { callAllowed, callersAllowedFor } from '../../../policy/neutral/access';
import { latticeCallersOf } from '../service-graph';
import { describeLatticeSubject } from './resource';
import { defineLatticeRule } from './rule';

/**
 * The access graph is enforced by auth policies, and VPC Lattice applies an auth policy only
 * under auth type AWS_IAM: both rules run when the entry has `compliance.accessGraph`.
 */
const hasAccessGraph = (c: CompiledCompliance) => c.accessGraph !== undefined;

/** `lattice.iam-auth`: the service network and each of its services have auth type AWS_IAM. */
export const latticeIamAuth = defineLatticeRule({
  id: 'lattice.iam-auth',
  category: 'compliance',
  kinds: ['service-network', 'service'],
  enabled: hasAccessGraph,
  check(subject, ctx) {
    if (ctx.compliance.accessGraph === undefined) return [];
    const authType = subject.kind === 'service' ? subject.service.authType : subject.network.authType;
    if (authType === 'AWS_IAM') return [];
    return [
      `${describeLatticeSubject(subject)} has auth type ${authType ?? 'NONE'}, so VPC Lattice lets any caller through: set its auth type to AWS_IAM with an auth policy that allows only the callers compliance.accessGraph names.`,
    ];
  },
});

const GRAPH_HINT = 'remove it from the auth policy, or add the edge to compliance.accessGraph';

/**
 * `lattice.access-graph`: an auth policy allows only the callers the access graph names. The
 * graph's keys are caller principal ARNs (globs), its values the services each may call. A
 * service's policy may allow a principal only for that service; the network's policy (which
 * covers every service) only principals the graph names as callers at all. `"Principal": "*"`
 * without a condition lets anyone in. Whether a named caller may make the call is the neutral
 * check shared with `access.graph`; anyone, and an unreadable policy, are Lattice's words.
 */
export const latticeAccessGraph = defineLatticeRule({
  id: 'lattice.access-graph',
  category: 'compliance',
  kinds: ['service-network', 'service'],
  enabled: hasAccessGraph,
  check(subject, ctx) {
    const graph = ctx.compliance.accessGraph;
    if (graph === undefined) return [];
    const name = describeLatticeSubject(subject);
    const { edges, unreadable } = latticeCallersOf(ctx.network.name, subject);
    if (unreadable !== undefined) {
      return [
        `${name} has an auth policy that ${unreadable.reason}, so who it lets in cannot be checked: fix it.`,
      ];
    }
    const failures: string[] = [];
    for (const edge of edges) {
      if (edge.caller === undefined) {
        failures.push(
          `${name} has an auth policy that allows "Principal": "*" without a condition, so any caller gets in: allow only the callers compliance.accessGraph names.`,
        );
        continue;
      }
      if (callAllowed(graph, edge)) continue;
      if (edge.service === undefined) {
        failures.push(
          `${name} has an auth policy that allows ${edge.caller}, which the access graph names as no caller: ${GRAPH_HINT}.`,
        );
        continue;
      }
      const callers = callersAllowedFor(graph, edge.service);
      const allowedText =
        callers.length === 0
          ? 'the access graph lets no caller in'
          : `callers allowed: ${callers.join(', ')}`;
      failures.push(
        `${name} has an auth policy that allows ${edge.caller}, which the access graph does not allow to call ${edge.service} (${allowedText}): ${GRAPH_HINT}.`,
      );
    }
    return failures;
  },
});
