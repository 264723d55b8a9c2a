/**
 * Turns a validated policy document into matchers compiled once (globs to RegExp or plain
 * equality), so judging an event does no parsing and no regex construction.
 */

import { RESOURCE_KINDS, type ResourceKind } from '../domain/resource-key';
import type { Principal } from '../events/principal';
import { LATTICE_RESOURCE_KINDS } from '../providers/vpc-lattice/resource-key';
import { compileGlob, compileGlobSet, type Glob, type GlobSet } from './glob';
import type { RuleId } from './rule-ids';
import type {
  MeshPolicyDocument,
  PolicyDocument,
  PrincipalMatcherDocument,
  ResourceSelectorDocument,
  ViolationAction,
} from './schema';

/** A compiled principal matcher: true when the caller matches. */
export type PrincipalPredicate = (principal: Principal) => boolean;

/** A compiled resource selector. */
export interface ResourcePredicate {
  /** `kind`: an App Mesh or a VPC Lattice resource kind. */
  test(kind: string, name: string, parentName: string | undefined): boolean;
}

/** A compiled allow rule. */
export interface CompiledAllowRule {
  readonly id: string;
  readonly description: string | undefined;
  readonly principal: PrincipalPredicate;
  readonly actions: GlobSet;
  readonly resources: readonly ResourcePredicate[];
}

/** A compiled violation override. */
export interface CompiledViolationOverride {
  readonly id: string;
  readonly principal: PrincipalPredicate;
  readonly onViolation: ViolationAction;
}

/** Listener kinds a TLS or health-check rule covers. */
export type ListenerKind = 'virtual-node' | 'virtual-gateway';

/** Compliance settings of one mesh, ready for the rules. Absent members are rules turned off. */
export interface CompiledCompliance {
  readonly tls?: {
    readonly minimumMode: 'STRICT' | 'PERMISSIVE' | undefined;
    readonly allowedCertificateAuthorities: GlobSet | undefined;
    readonly kinds: ReadonlySet<ListenerKind>;
  };
  readonly backendClientTls?: { readonly requireSubjectAlternativeNames: boolean };
  readonly accessGraph?: readonly { readonly node: Glob; readonly services: GlobSet }[];
  readonly routes?: {
    readonly requireRetryPolicy: boolean;
    readonly requireTimeout: boolean;
    readonly maxWeightedTargets: number | undefined;
    readonly requireNonZeroWeights: boolean;
  };
  readonly healthChecks?: { readonly kinds: ReadonlySet<ListenerKind> };
  readonly requiredTags?: {
    readonly tags: readonly { readonly key: string; readonly value: Glob | undefined }[];
    readonly kinds: ReadonlySet<ResourceKind>;
  };
}

/** A compiled exemption. */
export interface CompiledExemption {
  /** Position in the mesh entry's `exemptions`, to point a reader at it. */
  readonly index: number;
  readonly resource: Glob;
  readonly rules: ReadonlySet<RuleId>;
  readonly expires: string;
  /** First instant (epoch ms) at which the exemption no longer applies. */
  readonly expiresAtMs: number;
  readonly reason: string;
}

/** The compiled policy of one mesh entry. */
export interface CompiledMeshPolicy {
  /** Position in the policy's `meshes`. */
  readonly index: number;
  readonly mesh: Glob;
  readonly document: MeshPolicyDocument;
  readonly changeControl: {
    readonly default: 'allow' | 'deny';
    readonly onViolation: ViolationAction;
    readonly allow: readonly CompiledAllowRule[];
    readonly violationOverrides: readonly CompiledViolationOverride[];
  };
  readonly compliance: CompiledCompliance;
  readonly exemptions: readonly CompiledExemption[];
}

/** Where a path of the policy document was written, to point a reader at it. */
export interface PolicySource {
  readonly file: string;
  /**
   * 1-based line and column of the value at `path` (of its key with `target: 'key'`); for a
   * path into something not written, the deepest part that was.
   */
  position(path: readonly PropertyKey[], target?: 'value' | 'key'): { line: number; col: number };
}

/** A loaded policy: the document as validated, and its compiled form. */
export interface CompiledPolicy {
  readonly document: PolicyDocument;
  readonly meshes: readonly CompiledMeshPolicy[];
  /** Source positions, when the policy was loaded from text (absent for a policy built in code). */
  readonly source?: PolicySource;
  /** The entry governing a mesh (the first whose glob matches), or undefined for an ungoverned mesh. */
  forMesh(meshName: string): CompiledMeshPolicy | undefined;
}

/** `arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com` -> `token.actions.githubusercontent.com`. */
export function oidcIssuerOf(provider: string): string {
  const marker = ':oidc-provider/';
  const at = provider.indexOf(marker);
  return at < 0 ? provider : provider.slice(at + marker.length);
}

/**
 * Every value a principal carries for an OIDC claim: CloudTrail's web identity attributes (keyed
 * `<issuer>:<claim>` or `<claim>`) and the session tags. All come from the same token, so when
 * they disagree something is off and the condition fails (see {@link compileClaim}).
 */
export function claimValues(principal: Principal, claim: string): string[] {
  const values: string[] = [];
  const oidc = principal.oidc;
  if (oidc !== undefined) {
    const qualified = oidc.claims[`${oidcIssuerOf(oidc.providerArn ?? oidc.provider)}:${claim}`];
    if (qualified !== undefined) values.push(qualified);
    const bare = oidc.claims[claim];
    if (bare !== undefined) values.push(bare);
  }
  const tag = principal.sessionTags[claim];
  if (tag !== undefined) values.push(tag);
  return values;
}

function compileClaim(claim: string, pattern: string | readonly string[]): PrincipalPredicate {
  const allowed = compileGlobSet(typeof pattern === 'string' ? [pattern] : pattern);
  return (principal) => {
    const values = claimValues(principal, claim);
    return values.length > 0 && values.every((v) => allowed.test(v));
  };
}

function optional(
  pattern: string | undefined,
  read: (p: Principal) => string | undefined,
): PrincipalPredicate[] {
  if (pattern === undefined) return [];
  const glob = compileGlob(pattern);
  return [
    (p) => {
      const value = read(p);
      return value !== undefined && glob.test(value);
    },
  ];
}

/** Compile one principal matcher: every field given must match. */
export function compilePrincipal(m: PrincipalMatcherDocument): PrincipalPredicate {
  const checks: PrincipalPredicate[] = [
    // A role session is its role's; a `Role` identity is the role itself.
    ...optional(m.roleArn, (p) => (p.type === 'AssumedRole' || p.type === 'Role' ? p.roleArn : undefined)),
    ...optional(m.sessionName, (p) => (p.type === 'AssumedRole' ? p.sessionName : undefined)),
    ...optional(m.iamUser, (p) => (p.type === 'IAMUser' ? p.userName : undefined)),
    ...optional(m.account, (p) => p.accountId),
  ];
  if (m.oidc !== undefined) {
    checks.push(
      ...optional(m.oidc.provider, (p) =>
        p.type === 'AssumedRole' ? (p.oidc?.providerArn ?? p.oidc?.provider) : undefined,
      ),
    );
    for (const [claim, pattern] of Object.entries(m.oidc.claims ?? {}))
      checks.push(compileClaim(claim, pattern));
  }
  return (principal) => checks.every((check) => check(principal));
}

/**
 * Compile a list of principal matchers: any may match. Fail closed: a caller meshwarden cannot
 * identify matches none, however little a matcher asks (an `account` alone, say).
 */
function compilePrincipals(list: readonly PrincipalMatcherDocument[]): PrincipalPredicate {
  const predicates = list.map(compilePrincipal);
  return (principal) => principal.unidentified === undefined && predicates.some((p) => p(principal));
}

/** Compile one resource selector. */
export function compileResourceSelector(s: ResourceSelectorDocument): ResourcePredicate {
  const kindGlob = compileGlob(s.kind);
  const kinds = new Set<string>(
    [...RESOURCE_KINDS, ...LATTICE_RESOURCE_KINDS].filter((k) => kindGlob.test(k)),
  );
  const name = compileGlob(s.name ?? '*');
  const parent = s.parent === undefined ? undefined : compileGlob(s.parent);
  return {
    test: (kind, resourceName, parentName) =>
      kinds.has(kind) &&
      name.test(resourceName) &&
      (parent === undefined || (parentName !== undefined && parent.test(parentName))),
  };
}

/**
 * When an exemption stops applying. A bare date means "through that day": the exemption ends
 * at the next midnight UTC.
 */
export function expiryInstant(expires: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) return Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
  return Date.parse(expires);
}

const ALL_LISTENER_KINDS: readonly ListenerKind[] = ['virtual-node', 'virtual-gateway'];

function compileCompliance(doc: MeshPolicyDocument['compliance']): CompiledCompliance {
  const { tls, backendClientTls, accessGraph, routes, healthChecks, requiredTags } = doc;
  return {
    ...(tls && (tls.minimumMode !== undefined || tls.allowedCertificateAuthorities !== undefined)
      ? {
          tls: {
            minimumMode: tls.minimumMode,
            allowedCertificateAuthorities:
              tls.allowedCertificateAuthorities === undefined
                ? undefined
                : compileGlobSet(tls.allowedCertificateAuthorities),
            kinds: new Set(tls.kinds ?? ALL_LISTENER_KINDS),
          },
        }
      : {}),
    ...(backendClientTls
      ? {
          backendClientTls: {
            requireSubjectAlternativeNames: backendClientTls.requireSubjectAlternativeNames,
          },
        }
      : {}),
    ...(accessGraph
      ? {
          accessGraph: Object.entries(accessGraph).map(([node, services]) => ({
            node: compileGlob(node),
            services: compileGlobSet(services),
          })),
        }
      : {}),
    ...(routes
      ? {
          routes: {
            requireRetryPolicy: routes.requireRetryPolicy ?? false,
            requireTimeout: routes.requireTimeout ?? false,
            maxWeightedTargets: routes.maxWeightedTargets,
            requireNonZeroWeights: routes.requireNonZeroWeights ?? false,
          },
        }
      : {}),
    ...(healthChecks ? { healthChecks: { kinds: new Set(healthChecks.kinds ?? ALL_LISTENER_KINDS) } } : {}),
    ...(requiredTags
      ? {
          requiredTags: {
            tags: requiredTags.tags.map((t) => ({
              key: t.key,
              value: t.value === undefined ? undefined : compileGlob(t.value),
            })),
            kinds: new Set(requiredTags.kinds ?? RESOURCE_KINDS),
          },
        }
      : {}),
  };
}

function compileMesh(doc: MeshPolicyDocument, index: number): CompiledMeshPolicy {
  const cc = doc.changeControl;
  return {
    index,
    mesh: compileGlob(doc.mesh),
    document: doc,
    changeControl: {
      default: cc.default,
      onViolation: cc.onViolation,
      allow: cc.allow.map((rule) => ({
        id: rule.id,
        description: rule.description,
        principal: compilePrincipals(rule.principals),
        actions: compileGlobSet(rule.actions),
        resources: rule.resources.map(compileResourceSelector),
      })),
      violationOverrides: cc.violationOverrides.map((o) => ({
        id: o.id,
        principal: compilePrincipals(o.principals),
        onViolation: o.onViolation,
      })),
    },
    compliance: compileCompliance(doc.compliance),
    exemptions: doc.exemptions.map((e, i) => ({
      index: i,
      resource: compileGlob(e.resource),
      rules: new Set(e.rules),
      expires: e.expires,
      expiresAtMs: expiryInstant(e.expires),
      reason: e.reason,
    })),
  };
}

const MESH_CACHE_LIMIT = 1024;

/** Compile a validated policy document. */
export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const meshes = document.meshes.map(compileMesh);
  const cache = new Map<string, CompiledMeshPolicy | undefined>();
  return {
    document,
    meshes,
    forMesh(meshName) {
      if (cache.has(meshName)) return cache.get(meshName);
      const found = meshes.find((m) => m.mesh.test(meshName));
      // Names come from events, so bound the cache: a flood of made-up names must not grow it.
      if (cache.size >= MESH_CACHE_LIMIT) cache.clear();
      cache.set(meshName, found);
      return found;
    },
  };
}
