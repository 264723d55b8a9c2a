import { defineRule, describeResource } from './rule';

/**
 * `backend.client-tls`: a virtual node calls each backend over enforced TLS, validating the
 * server's certificate against a trust and, unless the policy waives it, its subject
 * alternative names. A backend's own client policy replaces the node's backend defaults.
 */
export const backendClientTls = defineRule({
  id: 'backend.client-tls',
  category: 'compliance',
  kinds: ['virtual-node'],
  enabled: (c) => c.backendClientTls !== undefined,
  check(node, ctx) {
    const rule = ctx.compliance.backendClientTls;
    if (rule === undefined) return [];
    const defaults = node.spec.backendDefaults?.clientPolicy;
    const failures: string[] = [];
    for (const backend of node.spec.backends ?? []) {
      const vs = backend.virtualService;
      const tls = (vs.clientPolicy ?? defaults)?.tls;
      const sans = tls?.validation.subjectAlternativeNames?.match.exact ?? [];
      const sansMissing = rule.requireSubjectAlternativeNames && sans.length === 0;
      if (tls !== undefined && tls.enforce !== false && !sansMissing) continue;
      const where = `${describeResource(node)} calls backend ${vs.virtualServiceName}`;
      if (tls === undefined) {
        failures.push(
          `${where} without TLS: add a client policy with tls (validation trust and subject alternative names) to the backend or to backendDefaults.`,
        );
        continue;
      }
      if (tls.enforce === false) {
        failures.push(`${where} with TLS not enforced: set the client policy's tls.enforce to true.`);
      }
      if (sansMissing) {
        failures.push(
          `${where} without checking subject alternative names: set tls.validation.subjectAlternativeNames.match.exact to the names the backend's certificate carries.`,
        );
      }
    }
    return failures;
  },
});
