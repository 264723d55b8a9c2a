/**
 * The handshakes a mesh makes, as a pure model: every caller -> callee pair (a virtual node or
 * gateway with a client policy, calling the virtual nodes its backend's virtual service routes
 * to), and whether Envoy would complete the TLS handshake between them: the callee's listener
 * terminates TLS when the caller originates it, serves a certificate Envoy can load, that chains
 * to the caller's trust and carries a name the caller accepts; and, for mutual TLS, the same
 * checks the other way round. Comparing two worlds (now, and after a proposed certificate or
 * trust change) tells which working pairs a change would break. No I/O.
 */

import { formatResourceKey } from '../domain/resource-key';
import type { MeshSnapshot } from '../domain/snapshot';
import type { CertificatesSection } from '../policy/sections/certificates';
import type {
  ClientPolicy,
  Listener,
  ListenerTlsValidationContext,
  MeshResourceOf,
  TlsValidationContext,
  VirtualGatewayListener,
} from '../providers/appmesh/model';
import { normaliseDn } from './ca-directory';
import { leafOf, serviceNameOf, trustsOf } from './references';

/** What a handshake needs to know about a certificate a peer presents. */
export interface PeerCertificate {
  readonly sans: readonly string[];
  /** The issuer's distinguished name, as the certificate states it. */
  readonly issuer: string;
  /** The ACM Private CA that issued it, when known. */
  readonly issuingCaArn?: string;
  /** Distinguished names of the CAs above the issuer (an intermediate's chain up to its root). */
  readonly chainAbove?: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  /**
   * False when Envoy cannot load it, so the listener serves nothing: an imported ACM
   * certificate, for one (Envoy fetches ACM certificates with acm:ExportCertificate, which ACM
   * refuses for anything but a private certificate).
   */
  readonly servable: boolean;
  /** Why it cannot be served, when it cannot. */
  readonly unservable?: string;
}

/** One CA certificate a validation trust holds. */
export interface TrustAnchor {
  readonly caArn?: string;
  /** Subject distinguished name of the CA certificate. */
  readonly subject?: string;
}

/** The certificates and trusts of a mesh, by reference id (`acm:`, `secret:`, `file:`, `sds:`, `ca:`). */
export interface HandshakeFacts {
  readonly certificates: ReadonlyMap<string, PeerCertificate>;
  /** CA certificates per trust reference. An ACM trust's `ca:<arn>` needs no entry: its ARN says it. */
  readonly trusts: ReadonlyMap<string, readonly TrustAnchor[]>;
}

/** Everything a handshake verdict depends on. */
export interface HandshakeWorld {
  readonly snapshot: MeshSnapshot;
  readonly facts: HandshakeFacts;
  readonly section: CertificatesSection | undefined;
  readonly now: Date;
  /** Certificate ids whose certificate is a proposed new one (for the wording). */
  readonly renewed?: ReadonlySet<string>;
}

type Node = MeshResourceOf<'virtual-node'>;
type Caller = Node | MeshResourceOf<'virtual-gateway'>;

/** One connection the mesh makes: a caller calling a virtual node's listener through a virtual service. */
export interface HandshakePair {
  /** `caller|callee|port`: the same pair through two services is one handshake. */
  readonly key: string;
  readonly caller: { readonly name: string; readonly kind: Caller['kind']; readonly resourceKey: string };
  readonly callee: { readonly name: string; readonly resourceKey: string; readonly serviceName?: string };
  readonly service: string;
  readonly port: number;
  /** The callee's share of the service's traffic, in percent (100 for a node that provides it directly). */
  readonly share: number;
  readonly clientPolicy: ClientPolicy | undefined;
  readonly listener: Listener | VirtualGatewayListener;
}

export type HandshakeStatus = 'ok' | 'broken' | 'unknown';

/** A pair and whether its handshake completes, with a sentence per reason when it does not. */
export interface PairVerdict {
  readonly pair: HandshakePair;
  readonly status: HandshakeStatus;
  readonly reasons: readonly string[];
}

/** What a change does to the mesh's handshakes. */
export interface HandshakeComparison {
  /** Pairs that work now and would not after the change: the change must not be made. */
  readonly breaks: readonly PairVerdict[];
  /** Pairs that do not work now either (reported, never a reason to refuse). */
  readonly brokenBefore: readonly PairVerdict[];
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The virtual nodes a virtual service sends traffic to, with their share and target port. */
function targetsOf(
  snapshot: MeshSnapshot,
): (service: string) => readonly { node: string; share: number; port?: number }[] {
  const providers = new Map(snapshot.virtualServices.map((s) => [s.name, s.spec.provider]));
  const routesByRouter = new Map<string, MeshResourceOf<'route'>[]>();
  for (const route of snapshot.routes) push(routesByRouter, route.parentName ?? '', route);
  const memo = new Map<string, { node: string; share: number; port?: number }[]>();
  return (service) => {
    const known = memo.get(service);
    if (known !== undefined) return known;
    const provider = providers.get(service);
    const found: { node: string; share: number; port?: number }[] = [];
    if (provider !== undefined && 'virtualNode' in provider) {
      found.push({ node: provider.virtualNode.virtualNodeName, share: 100 });
    } else if (provider !== undefined) {
      for (const route of routesByRouter.get(provider.virtualRouter.virtualRouterName) ?? []) {
        const spec = route.spec;
        const action = (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute ?? spec.tcpRoute)?.action;
        const targets = action?.weightedTargets ?? [];
        const total = targets.reduce((sum, t) => sum + t.weight, 0);
        for (const t of targets)
          found.push({
            node: t.virtualNode,
            share: total > 0 ? Math.round((t.weight / total) * 100) : 0,
            ...(t.port === undefined ? {} : { port: t.port }),
          });
      }
    }
    memo.set(service, found);
    return found;
  };
}

function keyOf(resource: Caller): string {
  return formatResourceKey({ kind: resource.kind, meshName: resource.meshName, name: resource.name });
}

/** Every caller -> callee listener pair of the mesh, once each (the largest share wins). */
export function handshakePairs(snapshot: MeshSnapshot): HandshakePair[] {
  // Once per node, not per pair; and of the ref alone (formatting describes the whole ref it is given).
  const nodes = new Map(
    snapshot.virtualNodes.map((n) => [
      n.name,
      { node: n, key: keyOf(n), serviceName: serviceNameOf(n.spec.serviceDiscovery) },
    ]),
  );
  const targets = targetsOf(snapshot);
  const pairs = new Map<string, HandshakePair>();
  const add = (
    caller: Caller,
    callerKey: string,
    service: string,
    policy: ClientPolicy | undefined,
    routePort?: number,
  ) => {
    for (const target of targets(service)) {
      const found = nodes.get(target.node);
      if (found === undefined) continue;
      const { node: callee, serviceName } = found;
      const port = target.port ?? routePort;
      for (const listener of callee.spec.listeners ?? []) {
        if (port !== undefined && listener.portMapping.port !== port) continue;
        const key = `${callerKey}|${callee.name}|${listener.portMapping.port}`;
        const known = pairs.get(key);
        if (known !== undefined && known.share >= target.share) continue;
        pairs.set(key, {
          key,
          caller: { name: caller.name, kind: caller.kind, resourceKey: callerKey },
          callee: {
            name: callee.name,
            resourceKey: found.key,
            ...(serviceName ? { serviceName } : {}),
          },
          service,
          port: listener.portMapping.port,
          share: target.share,
          clientPolicy: policy,
          listener,
        });
      }
    }
  };
  for (const node of snapshot.virtualNodes) {
    const defaults = node.spec.backendDefaults?.clientPolicy;
    const key = nodes.get(node.name)?.key ?? keyOf(node);
    for (const backend of node.spec.backends ?? []) {
      const vs = backend.virtualService;
      // A backend's own client policy replaces the defaults, it does not merge with them.
      add(node, key, vs.virtualServiceName, vs.clientPolicy ?? defaults);
    }
  }
  const gateways = new Map(snapshot.virtualGateways.map((g) => [g.name, g]));
  for (const route of snapshot.gatewayRoutes) {
    const gateway = gateways.get(route.parentName ?? '');
    const http = route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute;
    if (gateway === undefined || http === undefined) continue;
    add(
      gateway,
      keyOf(gateway),
      http.action.target.virtualService.virtualServiceName,
      gateway.spec.backendDefaults?.clientPolicy,
      http.action.target.port,
    );
  }
  return [...pairs.values()];
}

/** Whether a certificate DNS name (possibly `*.zone`) covers `name`, as Envoy matches them. */
export function nameCovers(certificateName: string, name: string): boolean {
  const c = certificateName.toLowerCase();
  const n = name.toLowerCase();
  if (c === n) return true;
  if (!c.startsWith('*.')) return false;
  const dot = n.indexOf('.');
  return dot > 0 && n.slice(dot + 1) === c.slice(2);
}

function listNames(names: readonly string[]): string {
  return names.length === 0 ? 'no DNS name' : names.join(', ');
}

/** Whether the certificate chains to one of the anchors; undefined when that cannot be told. */
function chainsTo(certificate: PeerCertificate, anchors: readonly TrustAnchor[]): boolean {
  // An issuing CA known by ARN is compared by ARN: two CAs may carry the same name.
  if (certificate.issuingCaArn !== undefined && anchors.some((a) => a.caArn === certificate.issuingCaArn))
    return true;
  const above = new Set((certificate.chainAbove ?? []).map(normaliseDn));
  const issuer = normaliseDn(certificate.issuer);
  return anchors.some((a) => {
    if (a.subject === undefined) return false;
    const subject = normaliseDn(a.subject);
    if (above.has(subject)) return true;
    // By name only when the anchor's ARN cannot settle it (a file or SDS bundle, or an unknown issuer ARN).
    return subject === issuer && (a.caArn === undefined || certificate.issuingCaArn === undefined);
  });
}

function describeIssuer(certificate: PeerCertificate): string {
  return certificate.issuingCaArn ?? certificate.issuer;
}

function describeAnchors(anchors: readonly TrustAnchor[]): string {
  return anchors.map((a) => a.caArn ?? a.subject ?? '?').join(', ');
}

interface Side {
  /** Who presents the certificate, and who validates it. */
  readonly presenter: string;
  readonly validator: string;
  readonly certificateId: string;
}

type Finding = { readonly definite: boolean; readonly reason: string };

interface Anchors {
  readonly anchors: readonly TrustAnchor[];
  /** A trust whose CA certificates could not be read. */
  readonly unknownTrust?: string;
}

/**
 * Anchors per validation context, per trust facts: a caller's trust is read once however many
 * pairs it validates. (The facts of one inventory resolve one section's references.)
 */
const ANCHORS = new WeakMap<HandshakeFacts['trusts'], WeakMap<object, Anchors>>();

function anchorsOf(
  world: HandshakeWorld,
  validation: TlsValidationContext | ListenerTlsValidationContext,
): Anchors {
  let byValidation = ANCHORS.get(world.facts.trusts);
  if (byValidation === undefined) {
    byValidation = new WeakMap();
    ANCHORS.set(world.facts.trusts, byValidation);
  }
  const known = byValidation.get(validation);
  if (known !== undefined) return known;
  const anchors: TrustAnchor[] = [];
  let unknownTrust: string | undefined;
  for (const trust of trustsOf(validation, world.section, {
    resourceKey: '',
    kind: 'virtual-node',
    role: 'trust',
  })) {
    const held = world.facts.trusts.get(trust.id);
    if (held !== undefined) anchors.push(...held);
    else if (trust.caArn !== undefined) anchors.push({ caArn: trust.caArn });
    else unknownTrust = trust.id;
  }
  const found = unknownTrust === undefined ? { anchors } : { anchors, unknownTrust };
  byValidation.set(validation, found);
  return found;
}

/** The checks one side of a handshake makes on the certificate the other presents. */
function validate(
  world: HandshakeWorld,
  side: Side,
  validation: TlsValidationContext | ListenerTlsValidationContext,
  defaultName: string | undefined,
  out: Finding[],
): void {
  const label = world.renewed?.has(side.certificateId) ? 'new certificate' : 'certificate';
  const certificate = world.facts.certificates.get(side.certificateId);
  const what = `${side.presenter}'s ${label} ${side.certificateId}`;
  if (certificate === undefined) {
    out.push({ definite: false, reason: `${what} cannot be read` });
    return;
  }
  if (!certificate.servable) {
    out.push({
      definite: true,
      reason: `${what} cannot be loaded by Envoy (${certificate.unservable ?? 'not servable'}), so ${side.presenter} serves none`,
    });
    return;
  }
  const now = world.now.getTime();
  if (Date.parse(certificate.notAfter) <= now)
    out.push({ definite: true, reason: `${what} expired at ${certificate.notAfter}` });
  else if (Date.parse(certificate.notBefore) > now)
    out.push({ definite: true, reason: `${what} is not valid before ${certificate.notBefore}` });
  const { anchors, unknownTrust } = anchorsOf(world, validation);
  if (!chainsTo(certificate, anchors)) {
    if (unknownTrust !== undefined)
      out.push({ definite: false, reason: `${side.validator}'s trust ${unknownTrust} cannot be read` });
    else
      out.push({
        definite: true,
        reason: `${what} is issued by ${describeIssuer(certificate)}; ${side.validator} trusts only ${describeAnchors(anchors)}`,
      });
  }
  const exact = validation.subjectAlternativeNames?.match.exact ?? [];
  if (exact.length > 0) {
    if (!certificate.sans.some((c) => exact.some((n) => nameCovers(c, n))))
      out.push({
        definite: true,
        reason: `${what} names ${listNames(certificate.sans)}; ${side.validator} accepts only ${exact.join(', ')}`,
      });
  } else if (defaultName !== undefined && !certificate.sans.some((c) => nameCovers(c, defaultName))) {
    // With no names to match, the caller's Envoy matches the callee's service discovery name.
    out.push({
      definite: true,
      reason: `${what} names ${listNames(certificate.sans)}; ${side.validator} validates no names, so it expects ${side.presenter}'s service discovery name ${defaultName}`,
    });
  }
}

/** Whether the caller speaks TLS to this port (its client policy is enforced and covers the port). */
export function originatesTls(pair: HandshakePair): boolean {
  const tls = pair.clientPolicy?.tls;
  const ports = tls?.ports ?? [];
  return tls !== undefined && tls.enforce !== false && (ports.length === 0 || ports.includes(pair.port));
}

/** Whether one pair's handshake completes in a world. */
export function judgePair(world: HandshakeWorld, pair: HandshakePair): PairVerdict {
  const caller = pair.caller.name;
  const callee = pair.callee.name;
  const tls = pair.clientPolicy?.tls;
  const originates = originatesTls(pair);
  const listenerTls = pair.listener.tls;
  const mode = listenerTls?.mode ?? 'DISABLED';
  const findings: Finding[] = [];
  if (!originates || tls === undefined) {
    if (mode === 'STRICT')
      findings.push({
        definite: true,
        reason: `${caller} calls ${callee} on port ${pair.port} in plaintext; that listener accepts only TLS (STRICT)`,
      });
  } else if (listenerTls === undefined || mode === 'DISABLED') {
    findings.push({
      definite: true,
      reason: `${caller} originates TLS to ${callee} on port ${pair.port}; that listener does not terminate TLS`,
    });
  } else {
    const serverId = leafOf(listenerTls.certificate, world.section, {
      resourceKey: pair.callee.resourceKey,
      kind: 'virtual-node',
      role: 'listener',
    }).id;
    validate(
      world,
      { presenter: callee, validator: caller, certificateId: serverId },
      tls.validation,
      pair.callee.serviceName,
      findings,
    );
    if (listenerTls.validation !== undefined) {
      if (tls.certificate === undefined) {
        findings.push({
          definite: true,
          reason: `${callee}'s listener on port ${pair.port} requires a client certificate; ${caller} presents none`,
        });
      } else {
        const clientId = leafOf(tls.certificate, world.section, {
          resourceKey: pair.caller.resourceKey,
          kind: pair.caller.kind,
          role: 'client',
        }).id;
        validate(
          world,
          { presenter: caller, validator: callee, certificateId: clientId },
          listenerTls.validation,
          undefined,
          findings,
        );
      }
    }
  }
  const definite = findings.filter((f) => f.definite);
  const status: HandshakeStatus = definite.length > 0 ? 'broken' : findings.length > 0 ? 'unknown' : 'ok';
  return { pair, status, reasons: (definite.length > 0 ? definite : findings).map((f) => f.reason) };
}

/** The certificate ids a pair's handshake presents (the callee's, and the caller's for mutual TLS). */
export function certificatesOf(world: Pick<HandshakeWorld, 'section'>, pair: HandshakePair): string[] {
  const tls = pair.listener.tls;
  if (tls === undefined) return [];
  const ids = [
    leafOf(tls.certificate, world.section, {
      resourceKey: pair.callee.resourceKey,
      kind: 'virtual-node',
      role: 'listener',
    }).id,
  ];
  const client = pair.clientPolicy?.tls?.certificate;
  if (tls.validation !== undefined && client !== undefined)
    ids.push(
      leafOf(client, world.section, {
        resourceKey: pair.caller.resourceKey,
        kind: pair.caller.kind,
        role: 'client',
      }).id,
    );
  return ids;
}

interface PairIndex {
  readonly pairs: readonly HandshakePair[];
  readonly byCertificate: ReadonlyMap<string, readonly HandshakePair[]>;
}

/** Pairs per snapshot and section, built once: a sweep asks for each of its leaves. */
const PAIR_INDEX = new WeakMap<MeshSnapshot, Map<CertificatesSection | undefined, PairIndex>>();

/** The pairs of a world, and which of them present each certificate. */
export function pairIndexOf(world: Pick<HandshakeWorld, 'snapshot' | 'section'>): PairIndex {
  let bySection = PAIR_INDEX.get(world.snapshot);
  if (bySection === undefined) {
    bySection = new Map();
    PAIR_INDEX.set(world.snapshot, bySection);
  }
  const known = bySection.get(world.section);
  if (known !== undefined) return known;
  const pairs = handshakePairs(world.snapshot);
  const byCertificate = new Map<string, HandshakePair[]>();
  for (const pair of pairs) for (const id of certificatesOf(world, pair)) push(byCertificate, id, pair);
  const index = { pairs, byCertificate };
  bySection.set(world.section, index);
  return index;
}

/** Every pair of the world with its verdict; `only` limits the pairs judged. */
export function judgeHandshakes(
  world: HandshakeWorld,
  only?: (pair: HandshakePair) => boolean,
): PairVerdict[] {
  return pairIndexOf(world)
    .pairs.filter((p) => only === undefined || only(p))
    .map((p) => judgePair(world, p));
}

/**
 * What changing `before` into `after` does to the handshakes: the pairs it breaks (working in
 * `before`, broken in `after`) and those broken already. Pairs only `after` has are judged as
 * new: they break nothing that works today.
 */
export function compareHandshakes(
  before: HandshakeWorld,
  after: HandshakeWorld,
  only?: (pair: HandshakePair) => boolean,
): HandshakeComparison {
  const now = new Map(judgeHandshakes(before, only).map((v) => [v.pair.key, v]));
  const breaks: PairVerdict[] = [];
  for (const verdict of judgeHandshakes(after, only)) {
    if (now.get(verdict.pair.key)?.status === 'ok' && verdict.status === 'broken') breaks.push(verdict);
  }
  return { breaks, brokenBefore: [...now.values()].filter((v) => v.status === 'broken') };
}

/** The world with one certificate replaced by a proposed one. */
export function withRenewedCertificate(
  world: HandshakeWorld,
  certificateId: string,
  certificate: PeerCertificate,
): HandshakeWorld {
  const certificates = new Map(world.facts.certificates);
  certificates.set(certificateId, certificate);
  return {
    ...world,
    facts: { ...world.facts, certificates },
    renewed: new Set([...(world.renewed ?? []), certificateId]),
  };
}

/**
 * Would renewing this certificate break a working pair? Only the pairs that present it are
 * judged, so a rotation costs its neighbourhood, not the mesh.
 */
export function compareRenewal(
  world: HandshakeWorld,
  certificateId: string,
  certificate: PeerCertificate,
): HandshakeComparison {
  const after = withRenewedCertificate(world, certificateId, certificate);
  const presenting = pairIndexOf(world).byCertificate.get(certificateId) ?? [];
  const breaks: PairVerdict[] = [];
  const brokenBefore: PairVerdict[] = [];
  for (const pair of presenting) {
    const now = judgePair(world, pair);
    if (now.status === 'broken') brokenBefore.push(now);
    if (now.status !== 'ok') continue;
    const then = judgePair(after, pair);
    if (then.status === 'broken') breaks.push(then);
  }
  return { breaks, brokenBefore };
}

/** `frontend -> web-v1 (port 8080, 100% of web.prod.local): reason; reason`. */
export function describeVerdict(verdict: PairVerdict): string {
  const { pair } = verdict;
  return `${pair.caller.name} → ${pair.callee.name} (port ${pair.port}, ${pair.share}% of ${pair.service}): ${verdict.reasons.join('; ')}`;
}

/** The refusal of a change that breaks pairs: which pairs and why. */
export function refusalOf(what: string, comparison: HandshakeComparison): string | undefined {
  if (comparison.breaks.length === 0) return undefined;
  return `${what} would break ${comparison.breaks.length} handshake(s) that work today: ${comparison.breaks.map(describeVerdict).join(' | ')}`;
}

/**
 * The name lists the callers of a certificate check it against (their exact SANs, or else the
 * callee's service discovery name), from the callers whose check its current names pass: what
 * a renewed certificate must still satisfy.
 */
export function namesCallersValidate(world: HandshakeWorld, certificateId: string): (readonly string[])[] {
  const current = world.facts.certificates.get(certificateId);
  if (current === undefined) return [];
  const lists: (readonly string[])[] = [];
  for (const pair of pairIndexOf(world).byCertificate.get(certificateId) ?? []) {
    if (certificatesOf(world, pair)[0] !== certificateId || !originatesTls(pair)) continue;
    const exact = pair.clientPolicy?.tls?.validation.subjectAlternativeNames?.match.exact ?? [];
    const names = exact.length > 0 ? exact : pair.callee.serviceName ? [pair.callee.serviceName] : [];
    if (names.length > 0 && current.sans.some((c) => names.some((n) => nameCovers(c, n)))) lists.push(names);
  }
  return lists;
}

/** Sentences of the broken pairs, by caller resource key: what the `tls.handshake` rule reports. */
export function brokenByCaller(verdicts: readonly PairVerdict[]): Map<string, string[]> {
  const byCaller = new Map<string, string[]>();
  for (const verdict of verdicts)
    if (verdict.status === 'broken')
      push(byCaller, verdict.pair.caller.resourceKey, describeVerdict(verdict));
  return byCaller;
}

/** The handshakes as lines for `meshwarden certs`: a count, then each broken or unknown pair. */
export function handshakeLines(meshName: string, verdicts: readonly PairVerdict[]): string[] {
  const broken = verdicts.filter((v) => v.status === 'broken');
  const unknown = verdicts.filter((v) => v.status === 'unknown');
  return [
    `mesh ${meshName}: ${verdicts.length} TLS handshake(s), ${broken.length} broken, ${unknown.length} cannot be judged`,
    ...broken.map((v) => `!! BROKEN  ${describeVerdict(v)}`),
    ...unknown.map((v) => `?? UNKNOWN ${describeVerdict(v)}`),
  ];
}

/** A verdict as JSON for tools. */
export function verdictJson(verdict: PairVerdict) {
  const { pair } = verdict;
  return {
    caller: pair.caller.resourceKey,
    callee: pair.callee.resourceKey,
    port: pair.port,
    service: pair.service,
    share: pair.share,
    status: verdict.status,
    reasons: verdict.reasons,
  };
}
