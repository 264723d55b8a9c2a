/**
 * The policy file's schema: the one source of truth for `meshwarden.policy.yaml`, its types
 * and the JSON Schema exported for editors (shared/policy/meshwarden.policy.schema.json).
 * Everything the loader can check without a mesh is checked here (glob syntax, action globs
 * that match no App Mesh action, unknown rule ids, duplicate ids), so a loaded policy is
 * known to be meaningful. Objects are strict: an unknown key is refused with its path,
 * because a misspelt key silently ignored is a rule silently not enforced.
 */
import * as z from 'zod';
import { RESOURCE_KINDS } from '../domain/resource-key';
import { LATTICE_RESOURCE_KINDS } from '../providers/vpc-lattice/resource-key';
import { APPMESH_WRITE_ACTIONS, LATTICE_WRITE_ACTIONS } from './actions';
import { compileGlob, globSyntaxError } from './glob';
import { globSchema } from './glob-schema';
import { LATTICE_RULE_IDS, RULE_IDS } from './rule-ids';
import { apiSectionSchema } from './sections/api';
import { approvalsSectionSchema } from './sections/approvals';
import { certificatesSectionSchema } from './sections/certificates';
import { deploymentsPolicySchema } from './sections/deployments';

const glob = (what: string) => globSchema(what);

/** A glob that must be able to match at least one of `known`, to catch typos at load time. */
function globOver(known: readonly string[], what: string) {
  return glob(what).superRefine((value, ctx) => {
    if (globSyntaxError(value) !== undefined) return;
    const g = compileGlob(value);
    if (!known.some((k) => g.test(k))) {
      ctx.addIssue({ code: 'custom', message: `"${value}" matches none of: ${known.join(', ')}` });
    }
  });
}

const identifier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'expected lowercase letters, digits and "-", starting with a letter or digit',
  )
  .describe('An identifier quoted in decisions and audit records.');

const reason = z.string().trim().min(1).max(1000);

/** What happens to a change that the change-control rules do not allow. */
export const violationActionSchema = z
  .enum(['revert', 'hold', 'report'])
  .describe(
    'revert: restore the last known good spec. hold: revert, then ask for approval to re-apply the change. report: leave the change, report it.',
  );

const claimValue = z
  .union([glob('Claim value'), z.array(glob('Claim value')).min(1)])
  .describe('The claim value must match this glob (or one of these globs).');

const oidcMatcher = z
  .strictObject({
    provider: glob(
      'The IAM OIDC provider ARN, e.g. arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    ),
    claims: z
      .record(z.string().min(1).max(256), claimValue)
      .optional()
      .describe(
        'Claim conditions, all of which must hold. A claim is looked up in the web identity attributes CloudTrail records (as `<issuer host>:<claim>` or `<claim>`) and in the session (principal) tags; every value found must match, and a claim found nowhere fails.',
      ),
  })
  .describe('An OIDC identity federated into IAM with AssumeRoleWithWebIdentity.');

/** One way of naming a caller; every field given must match. */
export const principalMatcherSchema = z
  .strictObject({
    roleArn: glob(
      'IAM role ARN of a role session (the session issuer), e.g. arn:aws:iam::*:role/PlatformAdmin',
    ).optional(),
    sessionName: glob(
      'Role session name. Needs roleArn or oidc: callers choose their own session names',
    ).optional(),
    iamUser: glob('IAM user name').optional(),
    account: z
      .string()
      .regex(/^[0-9*?{},]{1,64}$/, 'expected a 12-digit account id or a glob of one')
      .superRefine((value, ctx) => {
        const error = globSyntaxError(value);
        if (error !== undefined) ctx.addIssue({ code: 'custom', message: `invalid glob: ${error}` });
      })
      .optional()
      .describe('AWS account id of the caller.'),
    oidc: oidcMatcher.optional(),
  })
  .superRefine((m, ctx) => {
    if (Object.values(m).every((v) => v === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a principal needs at least one of roleArn, sessionName, iamUser, account, oidc',
      });
    }
    if (m.sessionName !== undefined && m.roleArn === undefined && m.oidc === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['sessionName'],
        message: 'sessionName alone would trust a name any caller can choose; add roleArn or oidc',
      });
    }
    if (
      m.iamUser !== undefined &&
      (m.roleArn !== undefined || m.sessionName !== undefined || m.oidc !== undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['iamUser'],
        message:
          'an IAM user is never a role session: iamUser cannot be combined with roleArn, sessionName or oidc',
      });
    }
  })
  .describe('Matches a caller when every field given matches. Several principals in a list: any of them.');

/** Which mesh resources a rule covers. */
export const resourceSelectorSchema = z
  .strictObject({
    kind: globOver(
      [...RESOURCE_KINDS, ...LATTICE_RESOURCE_KINDS],
      `Resource kind. App Mesh: ${RESOURCE_KINDS.join(', ')}. VPC Lattice: ${LATTICE_RESOURCE_KINDS.join(', ')}`,
    ),
    name: glob('Resource name').optional(),
    parent: glob(
      "App Mesh routes and gateway routes: the virtual router or virtual gateway name. VPC Lattice: a listener's service, a rule's \"<service>/<listener>\", a policy's owner kind (service or service-network)",
    ).optional(),
  })
  .describe('Resources of a kind, optionally narrowed by name and parent (default: all names).');

const principals = z.array(principalMatcherSchema).min(1).max(100);

const allowRuleSchema = z
  .strictObject({
    id: identifier,
    description: z.string().max(1000).optional(),
    principals,
    actions: z
      .array(
        globOver(
          [...APPMESH_WRITE_ACTIONS, ...LATTICE_WRITE_ACTIONS],
          'App Mesh or VPC Lattice action as CloudTrail names it, e.g. UpdateRoute, PutAuthPolicy or Update*',
        ),
      )
      .min(1)
      .max(100),
    resources: z.array(resourceSelectorSchema).min(1).max(100),
  })
  .describe('Allows the principals to make the actions on the resources.');

const violationOverrideSchema = z
  .strictObject({
    id: identifier,
    description: z.string().max(1000).optional(),
    principals,
    onViolation: violationActionSchema,
  })
  .describe('What a violation by these principals gets, instead of changeControl.onViolation.');

const changeControlSchema = z
  .strictObject({
    default: z
      .enum(['deny', 'allow'])
      .describe('Decision for a change that no allow rule matches. deny is what change control is for.'),
    onViolation: violationActionSchema,
    allow: z.array(allowRuleSchema).max(1000).default([]),
    violationOverrides: z.array(violationOverrideSchema).max(1000).default([]),
  })
  .superRefine((cc, ctx) => {
    const seen = new Map<string, string>();
    const check = (id: string, path: (string | number)[]) => {
      const first = seen.get(id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path, message: `duplicate id "${id}" (first used at ${first})` });
      } else {
        seen.set(id, path.join('.'));
      }
    };
    for (const [i, r] of cc.allow.entries()) check(r.id, ['allow', i, 'id']);
    for (const [i, r] of cc.violationOverrides.entries()) check(r.id, ['violationOverrides', i, 'id']);
  })
  .describe('Who may change what. The first allow rule that matches decides; otherwise the default applies.');

const listenerKinds = z
  .array(z.enum(['virtual-node', 'virtual-gateway']))
  .min(1)
  .optional()
  .describe('Which listeners the rule covers (default: virtual nodes and virtual gateways).');

const tlsSchema = z
  .strictObject({
    minimumMode: z
      .enum(['STRICT', 'PERMISSIVE'])
      .optional()
      .describe(
        'tls.strict: every listener terminates TLS in this mode or stricter (STRICT > PERMISSIVE). In a vpc-lattice entry (lattice.https-only): no HTTP listeners.',
      ),
    allowedCertificateAuthorities: z
      .array(glob('ACM Private CA ARN'))
      .min(1)
      .optional()
      .describe(
        'tls.allowed-ca: listener certificates must be ACM certificates issued by these CAs, and client policies may trust only these CAs. In a vpc-lattice entry (lattice.allowed-ca): the certificates of services with HTTPS listeners.',
      ),
    kinds: listenerKinds,
  })
  .describe('Listener TLS rules.');

const routesSchema = z
  .strictObject({
    requireRetryPolicy: z
      .boolean()
      .optional()
      .describe('route.retry-policy: HTTP, HTTP/2 and gRPC routes have one.'),
    requireTimeout: z
      .boolean()
      .optional()
      .describe('route.timeout: a per-request timeout (idle for TCP routes) is set.'),
    maxWeightedTargets: z.number().int().min(1).max(10).optional().describe('route.max-targets.'),
    requireNonZeroWeights: z
      .boolean()
      .optional()
      .describe('route.weights-nonzero: not every weight is zero.'),
  })
  .describe('Route rules.');

const requiredTagSchema = z.strictObject({
  key: z.string().min(1).max(128),
  value: glob('Tag value').optional(),
});

const complianceSchema = z
  .strictObject({
    tls: tlsSchema.optional(),
    backendClientTls: z
      .strictObject({
        required: z.literal(true),
        requireSubjectAlternativeNames: z.boolean().default(true),
      })
      .optional()
      .describe(
        'backend.client-tls: every virtual node backend is called over TLS, validating the server against a trust and (by default) its subject alternative names.',
      ),
    accessGraph: z
      .record(glob('Virtual node name'), z.array(glob('Virtual service name')).max(1000))
      .optional()
      .describe(
        'access.graph: which virtual services each virtual node may have as backends, nothing else. A node matching no entry may have no backends; a node matching several gets the union. In a vpc-lattice entry (lattice.access-graph, lattice.iam-auth): keys are caller principal ARNs, values the VPC Lattice services each may call; auth policies may allow no one else, and auth type AWS_IAM is required.',
      ),
    routes: routesSchema.optional(),
    healthChecks: z
      .strictObject({ required: z.literal(true), kinds: listenerKinds })
      .optional()
      .describe('health-check.required: every listener has an active health check.'),
    requiredTags: z
      .strictObject({
        tags: z.array(requiredTagSchema).min(1).max(50),
        kinds: z
          .array(z.enum(RESOURCE_KINDS))
          .min(1)
          .optional()
          .describe('Which kinds must carry the tags (default: all).'),
      })
      .optional()
      .describe('tags.required: resources carry these tags (and values, when given).'),
  })
  .describe('Compliance rules: each one runs only when configured here.');

const isoDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'expected an ISO-8601 date (2027-03-31) or date-time with zone (2027-03-31T12:00:00Z)',
  )
  .refine(isRealDate, 'not a real calendar date');

/** `Date.parse` rolls 2027-02-30 over to March; a policy date must name a real day. */
function isRealDate(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return (
    day.getUTCFullYear() === y &&
    day.getUTCMonth() === m - 1 &&
    day.getUTCDate() === d &&
    !Number.isNaN(Date.parse(value))
  );
}

/** Lets resources break a rule for a while, for a stated reason. */
export const exemptionSchema = z
  .strictObject({
    resource: glob('Resource key, e.g. prod/route/web-router/web-route or prod/virtual-node/legacy-*'),
    rules: z.array(z.enum(RULE_IDS)).min(1).describe('The rule ids the resource is exempt from.'),
    expires: isoDateTime.describe(
      'End of the exemption. A date alone means through the end of that day, UTC. An expired exemption no longer applies and is reported.',
    ),
    reason: reason.describe('Why, and who agreed: quoted in every decision the exemption changes.'),
  })
  .describe('An exemption from named rules for matching resources, until it expires.');

/**
 * An allow rule's action and kind globs must each match something of the entry's provider: a
 * `PutAuthPolicy` in an App Mesh entry, or `kind: route` in a VPC Lattice one, would never match
 * and silently allow nothing.
 */
function checkChangeControlProvider(
  entry: { provider: string; changeControl: z.output<typeof changeControlSchema> },
  ctx: z.RefinementCtx,
): void {
  const lattice = entry.provider === 'vpc-lattice';
  const actions = lattice ? LATTICE_WRITE_ACTIONS : APPMESH_WRITE_ACTIONS;
  const kinds: readonly string[] = lattice ? LATTICE_RESOURCE_KINDS : RESOURCE_KINDS;
  const provider = lattice ? 'VPC Lattice' : 'App Mesh';
  const matchesOne = (value: string, known: readonly string[]) =>
    globSyntaxError(value) !== undefined || known.some((k) => compileGlob(value).test(k));
  for (const [i, rule] of entry.changeControl.allow.entries()) {
    for (const [j, action] of rule.actions.entries()) {
      if (!matchesOne(action, actions)) {
        ctx.addIssue({
          code: 'custom',
          path: ['changeControl', 'allow', i, 'actions', j],
          message: `"${action}" matches no ${provider} action (this entry's provider): ${actions.join(', ')}`,
        });
      }
    }
    for (const [j, resource] of rule.resources.entries()) {
      if (!matchesOne(resource.kind, kinds)) {
        ctx.addIssue({
          code: 'custom',
          path: ['changeControl', 'allow', i, 'resources', j, 'kind'],
          message: `"${resource.kind}" matches no ${provider} resource kind (this entry's provider): ${kinds.join(', ')}`,
        });
      }
    }
  }
}

/** The providers an entry can govern; App Mesh when the entry does not say. */
export const MESH_PROVIDERS = ['appmesh', 'vpc-lattice'] as const;

/** Compliance settings that judge App Mesh resources only: VPC Lattice has nothing they read. */
const APPMESH_ONLY_COMPLIANCE: readonly { readonly path: readonly string[]; readonly what: string }[] = [
  { path: ['backendClientTls'], what: 'virtual node backends' },
  { path: ['healthChecks'], what: 'listener health checks' },
  { path: ['requiredTags'], what: 'App Mesh resource tags' },
  { path: ['routes', 'requireRetryPolicy'], what: 'route retry policies' },
  { path: ['routes', 'requireTimeout'], what: 'route timeouts' },
  { path: ['tls', 'kinds'], what: 'virtual node and gateway listeners' },
];

const LATTICE_RULES: ReadonlySet<string> = new Set(LATTICE_RULE_IDS);

/**
 * An entry names only rules and settings of its own provider: an App Mesh rule exempted in a
 * VPC Lattice entry (or the reverse) would exempt nothing, and an App Mesh-only setting in a
 * Lattice entry would check nothing, both without a word.
 */
function checkFitsProvider(
  entry: { provider: string; compliance: object; exemptions: readonly { rules: readonly string[] }[] },
  ctx: z.RefinementCtx,
): void {
  const lattice = entry.provider === 'vpc-lattice';
  for (const [i, exemption] of entry.exemptions.entries()) {
    for (const [j, rule] of exemption.rules.entries()) {
      if (LATTICE_RULES.has(rule) === lattice) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['exemptions', i, 'rules', j],
        message: lattice
          ? `${rule} judges App Mesh resources, and this entry governs a VPC Lattice service network: name a lattice.* rule`
          : `${rule} judges VPC Lattice service networks, and this entry governs App Mesh meshes`,
      });
    }
  }
  if (!lattice) return;
  for (const { path, what } of APPMESH_ONLY_COMPLIANCE) {
    let value: unknown = entry.compliance;
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    if (value === undefined) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['compliance', ...path],
      message: `compliance.${path.join('.')} checks ${what}, which VPC Lattice does not have: remove it from this vpc-lattice entry`,
    });
  }
}

/** The policy of the meshes whose names match `mesh`. */
export const meshPolicySchema = z
  .strictObject({
    mesh: glob(
      'Mesh name; the first entry whose glob matches a mesh governs it. For a VPC Lattice entry, the glob must match its serviceNetwork',
    ),
    provider: z
      .enum(MESH_PROVIDERS)
      .default('appmesh')
      .describe(
        'What the entry governs: App Mesh meshes (default), or one VPC Lattice service network (vpc-lattice, with serviceNetwork). On VPC Lattice the deployment guard applies; its routes are "<service-network>/<service>/<listener>/<rule>".',
      ),
    serviceNetwork: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
        'expected a VPC Lattice service network name: 3..63 lowercase letters, digits and "-"',
      )
      .optional()
      .describe('provider vpc-lattice: the name of the service network the entry governs.'),
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit account id')
      .optional()
      .describe(
        "The account the meshes are in; meshwarden's own (central) account when left out. A mesh is known by account and name: `prod` in a member account is governed only by entries naming that account.",
      ),
    changeControl: changeControlSchema,
    compliance: complianceSchema.default({}),
    exemptions: z.array(exemptionSchema).max(1000).default([]),
    deployments: deploymentsPolicySchema.optional(),
    approvals: approvalsSectionSchema.optional(),
    certificates: certificatesSectionSchema.optional(),
    api: apiSectionSchema.optional(),
  })
  .superRefine(checkFitsProvider)
  .superRefine((entry, ctx) => {
    checkChangeControlProvider(entry, ctx);
    if (entry.provider === 'vpc-lattice') {
      if (entry.account !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['account'],
          message:
            "VPC Lattice entries govern service networks in meshwarden's own account only, so far: the member account role has no VPC Lattice grants",
        });
      }
      if (entry.serviceNetwork === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['serviceNetwork'],
          message: 'provider vpc-lattice needs serviceNetwork: the name of the service network it governs',
        });
      } else if (
        globSyntaxError(entry.mesh) === undefined &&
        !compileGlob(entry.mesh).test(entry.serviceNetwork)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['mesh'],
          message: `"${entry.mesh}" does not match serviceNetwork "${entry.serviceNetwork}": route keys, alarm tags and chat channels find a VPC Lattice entry by its service network's name`,
        });
      }
    } else if (entry.serviceNetwork !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['serviceNetwork'],
        message: 'serviceNetwork applies to provider vpc-lattice only; this entry governs App Mesh meshes',
      });
    }
  })
  .describe('Policy for the meshes whose names match.');

/** The whole policy file. */
export const policySchema = z
  .strictObject({
    version: z.literal(1).describe('Format version of this file.'),
    meshes: z.array(meshPolicySchema).min(1).max(100),
  })
  .superRefine((policy, ctx) => {
    // A service network is governed by the first entry (of its account) whose mesh glob matches
    // its name, as a mesh is: a VPC Lattice entry behind a broader glob would never apply.
    for (const [i, entry] of policy.meshes.entries()) {
      const network = entry.serviceNetwork;
      if (entry.provider !== 'vpc-lattice' || network === undefined) continue;
      const first = policy.meshes.findIndex(
        (other) =>
          other.account === entry.account &&
          globSyntaxError(other.mesh) === undefined &&
          compileGlob(other.mesh).test(network),
      );
      if (first !== -1 && first < i) {
        ctx.addIssue({
          code: 'custom',
          path: ['meshes', i, 'serviceNetwork'],
          message: `meshes[${first}].mesh "${policy.meshes[first]?.mesh}" matches service network "${network}" first, so this entry would never govern it; put this entry before it or narrow that glob`,
        });
      }
    }
  })
  .meta({
    title: 'meshwarden policy',
    description:
      'Policy-as-code for meshwarden: change control, compliance and exemptions per App Mesh mesh.',
  });

/** A validated policy document, defaults applied. */
export type PolicyDocument = z.output<typeof policySchema>;
/** A policy document as written (before defaults). */
export type PolicyInput = z.input<typeof policySchema>;
export type MeshPolicyDocument = z.output<typeof meshPolicySchema>;
export type PrincipalMatcherDocument = z.output<typeof principalMatcherSchema>;
export type ResourceSelectorDocument = z.output<typeof resourceSelectorSchema>;
export type ExemptionDocument = z.output<typeof exemptionSchema>;
export type ComplianceDocument = z.output<typeof complianceSchema>;
export type ChangeControlDocument = z.output<typeof changeControlSchema>;
export type ViolationAction = z.output<typeof violationActionSchema>;
