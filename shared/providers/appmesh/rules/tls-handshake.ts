import { defineRule, describeResource } from './rule';

/**
 * `tls.handshake`: every TLS handshake this virtual node or gateway makes with the nodes its
 * backends route to completes: the listener terminates TLS as the caller speaks it, serves a
 * certificate Envoy can load, that chains to the caller's trust and carries a name the caller
 * accepts. The verdicts need the certificates' facts (names, issuer, type), which the caller
 * of the judge reads and passes in; without them the rule has nothing to say.
 */
export const tlsHandshake = defineRule({
  id: 'tls.handshake',
  category: 'consistency',
  kinds: ['virtual-node', 'virtual-gateway'],
  check(resource, ctx) {
    const broken = ctx.brokenHandshakesOf?.(resource) ?? [];
    return broken.map(
      (sentence) =>
        `${describeResource(resource)} cannot complete a TLS handshake: ${sentence}. Fix the certificate, the trust or the names before traffic shifts to it.`,
    );
  },
});
