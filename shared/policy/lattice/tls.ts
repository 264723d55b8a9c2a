import { describeLatticeSubject } from './resource';
import { defineLatticeRule, type LatticeRuleContext } from './rule';

/**
 * `lattice.https-only`: when the policy requires TLS (`compliance.tls.minimumMode`), a listener
 * speaks HTTPS (Lattice terminates TLS) or TLS_PASSTHROUGH (the target does); HTTP is plain text.
 */
export const latticeHttpsOnly = defineLatticeRule({
  id: 'lattice.https-only',
  category: 'compliance',
  kinds: ['listener'],
  enabled: (c) => c.tls?.minimumMode !== undefined,
  check(subject, ctx) {
    const minimum = ctx.compliance.tls?.minimumMode;
    if (minimum === undefined || subject.listener.protocol !== 'HTTP') return [];
    return [
      `${describeLatticeSubject(subject)} does not use TLS; the policy requires ${minimum}: replace it with an HTTPS listener (or TLS_PASSTHROUGH to a target that terminates TLS).`,
    ];
  },
});

function allowedList(ctx: LatticeRuleContext): string {
  return ctx.compliance.tls?.allowedCertificateAuthorities?.sources.join(', ') ?? '';
}

/**
 * `lattice.allowed-ca`: a service with an HTTPS listener serves an ACM certificate issued by an
 * allowed CA. Without a custom domain certificate Lattice serves its own, which no policy CA
 * issued.
 */
export const latticeAllowedCa = defineLatticeRule({
  id: 'lattice.allowed-ca',
  category: 'compliance',
  kinds: ['service'],
  enabled: (c) => c.tls?.allowedCertificateAuthorities !== undefined,
  check(subject, ctx) {
    const allowed = ctx.compliance.tls?.allowedCertificateAuthorities;
    const { service } = subject;
    if (allowed === undefined || !service.listeners.some((l) => l.protocol === 'HTTPS')) return [];
    const name = describeLatticeSubject(subject);
    const arn = service.certificateArn;
    if (arn === undefined) {
      return [
        `${name} serves HTTPS with VPC Lattice's own certificate, which the policy does not allow: give it a custom domain and an ACM certificate issued by ${allowedList(ctx)}.`,
      ];
    }
    const issuer = ctx.certificateAuthorityOf(arn);
    if (issuer === undefined) {
      return [
        `${name} serves certificate ${arn}, whose issuing CA is unknown: make sure it is an ACM Private CA certificate issued by ${allowedList(ctx)}.`,
      ];
    }
    if (!allowed.test(issuer)) {
      return [
        `${name} serves certificate ${arn} issued by ${issuer}, which the policy does not allow: re-issue it from ${allowedList(ctx)}.`,
      ];
    }
    return [];
  },
});
