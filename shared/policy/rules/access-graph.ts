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
    const backends = node.spec.backends ?? [];
    if (backends.length === 0) return [];
    const entries = graph.filter((e) => e.node.test(node.name));
    const allowed = entries.flatMap((e) => e.services.sources);
    const allowedText =
      allowed.length === 0 ? 'the access graph allows it no backends' : `allowed: ${allowed.join(', ')}`;
    return backends
      .map((b) => b.virtualService.virtualServiceName)
      .filter((service) => !entries.some((e) => e.services.test(service)))
      .map(
        (service) =>
          `${describeResource(node)} has backend ${service}, which the access graph does not allow (${allowedText}): remove the backend, or add the edge to compliance.accessGraph.`,
      );
  },
});
