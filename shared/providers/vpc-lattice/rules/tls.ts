import { servedCertificateFailure } from '../../../policy/neutral/certificates';
import { latticeListenersOf } from '../service-graph';
import { describeLatticeSubject } from './resource';
import { defineLatticeRule } from './rule';

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

/**
 * `lattice.allowed-ca`: a service with an HTTPS listener serves an ACM certificate issued by an
 * allowed CA (the neutral check, shared with `tls.allowed-ca`). Without a custom domain
 * certificate Lattice serves its own, which no policy CA issued.
 */
export const latticeAllowedCa = defineLatticeRule({
  id: 'lattice.allowed-ca',
  category: 'compliance',
  kinds: ['service'],
  enabled: (c) => c.tls?.allowedCertificateAuthorities !== undefined,
  check(subject, ctx) {
    const allowed = ctx.compliance.tls?.allowedCertificateAuthorities;
    if (allowed === undefined) return [];
    // Every HTTPS listener serves the service's one certificate: it is judged once, for the service.
    const tls = latticeListenersOf(ctx.network.name, subject.service).find((l) => l.tls !== undefined)?.tls;
    if (tls === undefined) return [];
    const failure = servedCertificateFailure(describeLatticeSubject(subject), tls.certificate, {
      allowed,
      issuerOf: ctx.certificateAuthorityOf,
    });
    return failure === undefined ? [] : [failure];
  },
});
