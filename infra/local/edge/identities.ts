import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { parseOrThrow } from '../../../shared/validation';
import { parsePolicyDocument, policyDocumentSchema } from '../iam/policy-document';
import { DEFAULT_PEOPLE, personSchema } from '../oidc/people';
import type { CallerIdentity, CloudTrailUserIdentity } from '../types';

/**
 * Local identities: which access key belongs to whom. AWS resolves this from IAM; locally a
 * file maps each access key id to an IAM role session, an OIDC web-identity session or an IAM
 * user, and the edge endpoint derives the CloudTrail `userIdentity` from it.
 */
const common = {
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit account id')
    .optional(),
  /**
   * Identity-based IAM policies, as IAM takes them. Absent: the identity may do everything
   * (local AWS's default); present: the edge authorizes every request as IAM would.
   */
  policies: z.array(policyDocumentSchema).optional(),
};

const identitySchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...common,
    type: z.literal('AssumedRole'),
    roleName: z.string().min(1),
    sessionName: z.string().min(2),
  }),
  z.strictObject({
    ...common,
    type: z.literal('WebIdentity'),
    roleName: z.string().min(1),
    sessionName: z.string().min(2),
    /** The IAM OIDC provider ARN the token was exchanged with. */
    provider: z.string().startsWith('arn:aws:iam::'),
    /** The token's claims; they travel as session tags. */
    claims: z.record(z.string(), z.string()).default({}),
  }),
  z.strictObject({ ...common, type: z.literal('IAMUser'), userName: z.string().min(1) }),
]);

/** An IAM role that STS AssumeRole hands sessions of, and whom its trust policy lets assume it. */
const roleSchema = z.strictObject({
  /** The role's account; the file's account when left out. */
  accountId: common.accountId,
  roleName: z.string().min(1),
  /** IAM role or user ARNs its trust policy names (`aws:PrincipalArn`). */
  trustedPrincipals: z.array(z.string().regex(/^arn:aws:iam::\d{12}:(role|user)\/.+$/)).min(1),
  /** The longest session AssumeRole may grant (IAM's default is an hour). */
  maxSessionDurationSeconds: z.number().int().min(3600).max(43_200).optional(),
  /** The role's identity-based policies, which its sessions act under; absent: allow-all. */
  policies: z.array(policyDocumentSchema).optional(),
});

export const identitiesFileSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  identities: z.array(identitySchema).min(1),
  /** Who the local OIDC issuer signs tokens for (the HTTP API's callers); the demo's people by default. */
  people: z
    .array(personSchema)
    .default(() => [...DEFAULT_PEOPLE])
    .refine(
      (people) => new Set(people.map((p) => p.name)).size === people.length,
      'people: a name is listed twice',
    ),
  roles: z.array(roleSchema).optional(),
});

export type IdentitySpec = z.infer<typeof identitySchema>;
export type RoleSpec = z.infer<typeof roleSchema>;
export type IdentitiesFile = z.infer<typeof identitiesFileSchema>;

export const LOCAL_ACCOUNT_ID = '000000000000';

/** The demo identities `npm start` uses unless `--identities FILE` names others. */
export const DEFAULT_IDENTITIES: IdentitiesFile = {
  accountId: LOCAL_ACCOUNT_ID,
  identities: [
    {
      type: 'AssumedRole',
      accessKeyId: 'test',
      secretAccessKey: 'test',
      roleName: 'PlatformAdmin',
      sessionName: 'admin',
    },
    {
      type: 'WebIdentity',
      accessKeyId: 'dev-oidc',
      secretAccessKey: 'dev-oidc-secret',
      roleName: 'MeshDeveloper',
      sessionName: 'alice',
      provider: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`,
      claims: {
        sub: 'repo:acme/web:ref:refs/heads/main',
        repository: 'acme/web',
        aud: 'sts.amazonaws.com',
        team: 'web',
      },
    },
    { type: 'IAMUser', accessKeyId: 'ops-bob', secretAccessKey: 'ops-bob-secret', userName: 'bob' },
    {
      type: 'AssumedRole',
      accessKeyId: 'meshwarden',
      secretAccessKey: 'meshwarden-secret',
      roleName: 'meshwarden-functions',
      sessionName: 'meshwarden',
    },
  ],
  people: [...DEFAULT_PEOPLE],
};

/** A stable IAM-style unique id (AROA.../AIDA...) derived from a name, so it survives restarts. */
function uniqueId(prefix: string, name: string): string {
  let hash = 2166136261;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `${prefix}${hash.toString(36).toUpperCase().padStart(7, '0')}LOCALEXAMPLE`.slice(0, 21);
}

function resolve(spec: IdentitySpec, defaultAccount: string): CallerIdentity {
  const accountId = spec.accountId ?? defaultAccount;
  const policies = spec.policies === undefined ? {} : { policies: spec.policies.map(parsePolicyDocument) };
  if (spec.type === 'IAMUser') {
    const principalId = uniqueId('AIDA', spec.userName);
    const arn = `arn:aws:iam::${accountId}:user/${spec.userName}`;
    return {
      accessKeyId: spec.accessKeyId,
      secretAccessKey: spec.secretAccessKey,
      accountId,
      arn,
      userId: principalId,
      label: `${spec.userName} (IAM user)`,
      ...policies,
      userIdentity: {
        type: 'IAMUser',
        principalId,
        arn,
        accountId,
        accessKeyId: spec.accessKeyId,
        userName: spec.userName,
      },
    };
  }
  const roleId = uniqueId('AROA', spec.roleName);
  const roleArn = `arn:aws:iam::${accountId}:role/${spec.roleName}`;
  const arn = `arn:aws:sts::${accountId}:assumed-role/${spec.roleName}/${spec.sessionName}`;
  const sessionContext: Record<string, unknown> = {
    sessionIssuer: { type: 'Role', principalId: roleId, arn: roleArn, accountId, userName: spec.roleName },
    attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'false' },
  };
  if (spec.type === 'WebIdentity') {
    // IAM exposes OIDC claims to policies as `<provider host>:<claim>` keys; the same keys
    // carry them here so the policy engine can match claim conditions.
    const host = spec.provider.split(':oidc-provider/')[1] ?? spec.provider;
    sessionContext.webIdFederationData = {
      federatedProvider: spec.provider,
      attributes: Object.fromEntries(Object.entries(spec.claims).map(([k, v]) => [`${host}:${k}`, v])),
    };
  }
  const userIdentity: CloudTrailUserIdentity = {
    type: 'AssumedRole',
    principalId: `${roleId}:${spec.sessionName}`,
    arn,
    accountId,
    accessKeyId: spec.accessKeyId,
    sessionContext,
  };
  return {
    accessKeyId: spec.accessKeyId,
    secretAccessKey: spec.secretAccessKey,
    accountId,
    arn,
    userId: `${roleId}:${spec.sessionName}`,
    label: `${spec.sessionName} (${spec.type === 'WebIdentity' ? 'OIDC' : 'role'} ${spec.roleName})`,
    userIdentity,
    principalArn: roleArn,
    ...(spec.type === 'WebIdentity' ? { principalTags: spec.claims } : {}),
    ...policies,
  };
}

/**
 * The identity behind temporary credentials STS issued for a session of `role`: an assumed
 * role session in the role's account, signing with the session's access key.
 */
export function roleSessionIdentity(
  role: { readonly accountId: string; readonly roleName: string },
  sessionName: string,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
): CallerIdentity {
  return resolve(
    { type: 'AssumedRole', ...credentials, roleName: role.roleName, sessionName },
    role.accountId,
  );
}

/** Looks identities up by access key id. */
export class IdentityRegistry {
  private readonly byKey = new Map<string, CallerIdentity>();

  constructor(readonly file: IdentitiesFile) {
    for (const spec of file.identities) this.add(spec);
  }

  /** Register one more identity (the local runtime adds one per function role). */
  add(spec: IdentitySpec): CallerIdentity {
    if (this.byKey.has(spec.accessKeyId)) {
      throw new Error(`Identities: access key id "${spec.accessKeyId}" is listed twice`);
    }
    return this.replace(spec);
  }

  /** Register an identity or replace the one with its access key (a redeployed role's new policies). */
  replace(spec: IdentitySpec): CallerIdentity {
    const identity = resolve(spec, this.file.accountId);
    this.byKey.set(spec.accessKeyId, identity);
    return identity;
  }

  get(accessKeyId: string): CallerIdentity | undefined {
    return this.byKey.get(accessKeyId);
  }

  all(): CallerIdentity[] {
    return [...this.byKey.values()];
  }

  /** Read and validate an identities file (YAML or JSON). */
  static fromFile(path: string): IdentityRegistry {
    const text = readFileSync(path, 'utf8');
    return new IdentityRegistry(
      parseOrThrow(identitiesFileSchema, parseYaml(text), `identities file ${path}`),
    );
  }
}
