import { listenersOf } from './listeners';
import { defineRule, describeListener, describeResource } from './rule';

/** `health-check.required`: every listener has an active health check. */
export const healthCheckRequired = defineRule({
  id: 'health-check.required',
  category: 'compliance',
  kinds: ['virtual-node', 'virtual-gateway'],
  enabled: (c) => c.healthChecks !== undefined,
  check(resource, ctx) {
    const rule = ctx.compliance.healthChecks;
    if (rule === undefined || !rule.kinds.has(resource.kind)) return [];
    return listenersOf(resource)
      .filter((listener) => listener.healthCheck === undefined)
      .map(
        (listener) =>
          `${describeResource(resource)} ${describeListener(listener.portMapping)} has no health check: add a healthCheck (protocol, path, interval, timeout and thresholds).`,
      );
  },
});
