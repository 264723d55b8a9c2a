import { callAllowed, servicesAllowedFor } from '../../../policy/neutral/access';
import { appMeshCallsOf } from '../service-graph';
import { defineRule, describeResource } from './rule';

/**
 * `access.graph`: a virtual node has as backends only the virtual services the policy's access
 * graph lists for it. A node the graph does not name may have no backends at all.
 */
export const accessGraph = defineRule({
  id: 'access.graph',
  category: 'compliance',
  kinds: ['virtual-node'],
  enabled: (c) => c.accessGraph !== undefined,
  check(node, ctx) {
    const graph = ctx.compliance.accessGraph;
    if (graph === undefined) return [];
    const calls = appMeshCallsOf(node);
    if (calls.length === 0) return [];
    const allowed = servicesAllowedFor(graph, node.name);
    const allowedText =
      allowed.length === 0 ? 'the access graph allows it no backends' : `allowed: ${allowed.join(', ')}`;
    return calls
      .filter((call) => !callAllowed(graph, call))
      .map(
        (call) =>
          `${describeResource(node)} has backend ${call.service}, which the access graph does not allow (${allowedText}): remove the backend, or add the edge to compliance.accessGraph.`,
      );
  },
});
