/**
 * The `api` section of a mesh's policy: who, by the claims of their OIDC token, may read the
 * mesh through meshwarden's HTTP API and act on it (promote, abort or roll back a deployment,
 * approve or reject a request). Deny by default: a caller no grant matches may do nothing.
 */
import * as z from 'zod';
import { compileGlob } from '../glob';
import { globSchema } from '../glob-schema';

/** What a role lets its holder do. Approvers still need the approvals section's groups. */
export const API_ROLES = {
  viewer: ['read'],
  operator: ['promote', 'abort', 'rollback'],
  approver: ['approve', 'reject'],
} as const;

export type ApiRole = keyof typeof API_ROLES;
export type ApiAction = (typeof API_ROLES)[ApiRole][number];

const ROLE_NAMES = Object.keys(API_ROLES) as [ApiRole, ...ApiRole[]];
const ACTION_NAMES = Object.values(API_ROLES).flat() as [ApiAction, ...ApiAction[]];

/** The role an action needs: the one a refusal names. */
export function roleFor(action: ApiAction): ApiRole {
  return ROLE_NAMES.find((role) => (API_ROLES[role] as readonly string[]).includes(action)) as ApiRole;
}

const claimName = /* @__PURE__ */ z
  .string()
  .regex(/^[A-Za-z0-9_:.-]{1,128}$/, 'expected a claim name such as iss, sub, groups or repository');

const grantSchema = /* @__PURE__ */ z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and "-"')
      .describe('A name for the grant, quoted when it allows or refuses something.'),
    claims: z
      .record(
        claimName,
        globSchema(
          'Glob the claim must match; a list claim (e.g. groups) matches when one of its values does',
        ),
      )
      .refine((claims) => Object.keys(claims).length > 0, 'name at least one claim (e.g. iss and sub)')
      .describe('Every claim named here must be in the token and match; other claims are not looked at.'),
    roles: z
      .array(z.enum(ROLE_NAMES))
      .min(1)
      .describe('viewer: read; operator: promote, abort, rollback; approver: approve, reject.'),
    actions: z
      .array(z.enum(ACTION_NAMES))
      .min(1)
      .optional()
      .describe(
        'Narrow the roles to these actions (e.g. only promote); all actions of the roles when absent.',
      ),
    resources: z
      .array(globSchema('Route key or resource key, e.g. prod/web-router/* or prod/route/web-router/*'))
      .min(1)
      .default(['*'])
      .describe(
        'What the actions may be taken on: route keys (<mesh>/<router>/<route>) for deployments, resource keys for approvals. Reading is mesh-wide.',
      ),
  })
  .superRefine((grant, ctx) => {
    const allowed = new Set<string>(grant.roles.flatMap((r) => [...API_ROLES[r]]));
    for (const [i, action] of (grant.actions ?? []).entries()) {
      if (!allowed.has(action)) {
        ctx.addIssue({
          code: 'custom',
          path: ['actions', i],
          message: `"${action}" needs role ${roleFor(action)}, which this grant does not give`,
        });
      }
    }
  })
  .describe('Callers whose token claims match get these roles on these resources.');

export const apiSectionSchema = /* @__PURE__ */ z
  .strictObject({
    grants: z.array(grantSchema).max(200).describe('Checked in order; any grant that matches may allow.'),
  })
  .describe("Who may use meshwarden's HTTP API on this mesh, by OIDC token claims. Deny by default.");

export type ApiSection = z.output<typeof apiSectionSchema>;
export type ApiGrant = ApiSection['grants'][number];

/** Token claims as API Gateway's JWT authorizer passes them. */
export type Claims = Readonly<Record<string, unknown>>;

/**
 * A claim's values as strings. API Gateway's JWT authorizer passes a list claim as the text
 * `[a b c]`, and local tokens may carry real arrays: both are read as lists.
 */
export function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    const list = /^\[(.*)\]$/s.exec(value);
    return list === null ? [value] : (list[1] ?? '').split(/[\s,]+/).filter((v) => v.length > 0);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

function claimsMatch(grant: ApiGrant, claims: Claims): boolean {
  return Object.entries(grant.claims).every(([name, pattern]) => {
    const glob = compileGlob(pattern);
    return Object.hasOwn(claims, name) && claimValues(claims[name]).some((v) => glob.test(v));
  });
}

export type ApiCheck =
  | { readonly ok: true; readonly grant: string }
  | { readonly ok: false; readonly role: ApiRole; readonly message: string };

/**
 * May the caller take `action` on `resource` (a route or resource key; the mesh name for
 * `read`)? Pure: the first grant whose claims, role, actions and resources all match allows.
 */
export function authorizeApiCall(
  section: ApiSection | undefined,
  claims: Claims,
  action: ApiAction,
  resource: string,
): ApiCheck {
  const role = roleFor(action);
  const refusal = (why: string): ApiCheck => ({
    ok: false,
    role,
    message: `${action} on ${resource} needs role ${role}${why}`,
  });
  if (section === undefined) return refusal(': this mesh has no api policy, so nobody may use the API on it');
  const matching = section.grants.filter((g) => claimsMatch(g, claims));
  if (matching.length === 0) return refusal(': no api grant matches your token');
  for (const grant of matching) {
    if (!grant.roles.includes(role)) continue;
    if (grant.actions !== undefined && !grant.actions.includes(action)) continue;
    if (action !== 'read' && !grant.resources.some((r) => compileGlob(r).test(resource))) continue;
    return { ok: true, grant: grant.name };
  }
  return refusal(`; your grants (${matching.map((g) => g.name).join(', ')}) do not give it there`);
}

/**
 * The roles the caller's matching grants give on a mesh, in the order of {@link API_ROLES}: what
 * a page may offer them. Each action is still checked on its resource by {@link authorizeApiCall}.
 */
export function rolesOf(section: ApiSection | undefined, claims: Claims): ApiRole[] {
  const held = new Set((section?.grants ?? []).filter((g) => claimsMatch(g, claims)).flatMap((g) => g.roles));
  return ROLE_NAMES.filter((role) => held.has(role));
}
