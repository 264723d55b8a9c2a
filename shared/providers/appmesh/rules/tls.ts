import { servedCertificateFailure } from '../../../policy/neutral/certificates';
import type { ClientPolicy, ListenerTlsMode } from '../model';
import { appMeshServedBy } from '../service-graph';
import { listenersOf } from './listeners';
import { defineRule, describeListener, describeResource, type RuleContext } from './rule';

const MODE_RANK: Readonly<Record<ListenerTlsMode, number>> = { DISABLED: 0, PERMISSIVE: 1, STRICT: 2 };

/** `tls.strict`: every listener terminates TLS in the policy's minimum mode or a stricter one. */
export const tlsStrict = defineRule({
  id: 'tls.strict',
  category: 'compliance',
  kinds: ['virtual-node', 'virtual-gateway'],
  enabled: (c) => c.tls?.minimumMode !== undefined,
  check(resource, ctx) {
    const tls = ctx.compliance.tls;
    if (tls?.minimumMode === undefined || !tls.kinds.has(resource.kind)) return [];
    const minimum = tls.minimumMode;
    const failures: string[] = [];
    for (const listener of listenersOf(resource)) {
      const mode = listener.tls?.mode;
      if (mode !== undefined && MODE_RANK[mode] >= MODE_RANK[minimum]) continue;
      const where = `${describeResource(resource)} ${describeListener(listener.portMapping)}`;
      if (mode === undefined) {
        failures.push(
          `${where} does not use TLS; the policy requires ${minimum}: add tls with mode ${minimum} and a certificate.`,
        );
      } else {
        failures.push(
          `${where} has TLS mode ${mode}; the policy requires ${minimum}: set its tls mode to ${minimum}.`,
        );
      }
    }
    return failures;
  },
});

function allowedList(ctx: RuleContext): string {
  return ctx.compliance.tls?.allowedCertificateAuthorities?.sources.join(', ') ?? '';
}

function trustFailures(owner: string, clientPolicy: ClientPolicy | undefined, ctx: RuleContext): string[] {
  const allowed = ctx.compliance.tls?.allowedCertificateAuthorities;
  const trust = clientPolicy?.tls?.validation.trust;
  if (allowed === undefined || trust === undefined) return [];
  if (!('acm' in trust)) {
    const source = 'file' in trust ? 'a certificate chain file' : 'an SDS secret';
    return [
      `${owner} trusts ${source}, not an allowed CA: trust ACM Private CAs from ${allowedList(ctx)} instead.`,
    ];
  }
  return trust.acm.certificateAuthorityArns
    .filter((ca) => !allowed.test(ca))
    .map(
      (ca) => `${owner} trusts CA ${ca}, which the policy does not allow: trust only ${allowedList(ctx)}.`,
    );
}

/**
 * `tls.allowed-ca`: listener certificates are ACM certificates issued by an allowed CA (the
 * neutral check, shared with `lattice.allowed-ca`), and client policies trust only allowed CAs
 * (App Mesh's alone: VPC Lattice validates no peers).
 */
export const tlsAllowedCa = defineRule({
  id: 'tls.allowed-ca',
  category: 'compliance',
  kinds: ['virtual-node', 'virtual-gateway'],
  enabled: (c) => c.tls?.allowedCertificateAuthorities !== undefined,
  check(resource, ctx) {
    const tls = ctx.compliance.tls;
    const allowed = tls?.allowedCertificateAuthorities;
    if (tls === undefined || allowed === undefined || !tls.kinds.has(resource.kind)) return [];
    const failures: string[] = [];
    const name = describeResource(resource);
    const issuers = { allowed, issuerOf: ctx.certificateAuthorityOf };
    for (const listener of appMeshServedBy(resource)) {
      if (listener.tls === undefined) continue;
      const failure = servedCertificateFailure(listener.label, listener.tls.certificate, issuers);
      if (failure !== undefined) failures.push(failure);
    }
    failures.push(
      ...trustFailures(`${name} backend defaults`, resource.spec.backendDefaults?.clientPolicy, ctx),
    );
    if (resource.kind === 'virtual-node') {
      for (const backend of resource.spec.backends ?? []) {
        const vs = backend.virtualService;
        failures.push(...trustFailures(`${name} backend ${vs.virtualServiceName}`, vs.clientPolicy, ctx));
      }
    }
    return failures;
  },
});
