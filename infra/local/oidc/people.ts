import * as z from 'zod';

/**
 * The people (and workflows) the local OIDC issuer signs tokens for, from the identities file's
 * `people` list: a name to pick, and the claims their token carries (`sub` defaults to the name).
 */
const claimValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

/** Claims the issuer sets itself; a person's claims may not override them. */
const RESERVED = ['iss', 'aud', 'exp', 'nbf', 'iat', 'jti'];

export const personSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'expected a lowercase name such as alice'),
  claims: z
    .record(z.string().min(1).max(128), claimValue)
    .default({})
    .refine((claims) => !RESERVED.some((r) => Object.hasOwn(claims, r)), {
      message: `the issuer sets ${RESERVED.join(', ')} itself`,
    }),
});

export type Person = z.output<typeof personSchema>;

/** The demo's people: they match the demo policy's api grants and approvers. */
export const DEFAULT_PEOPLE: readonly Person[] = [
  { name: 'priya', claims: { email: 'priya@acme.example', groups: ['platform-leads'] } },
  { name: 'alice', claims: { email: 'alice@acme.example', groups: ['developers'] } },
  { name: 'omar', claims: { email: 'omar@acme.example', groups: ['on-call'] } },
  { name: 'bob', claims: { email: 'bob@acme.example', groups: ['ops'] } },
  { name: 'victor', claims: { email: 'victor@acme.example', groups: ['viewers'] } },
  {
    // What GitHub Actions puts in the token of the acme/web deploy workflow.
    name: 'web-deploy',
    claims: {
      sub: 'repo:acme/web:environment:prod',
      repository: 'acme/web',
      repository_owner: 'acme',
      workflow_ref: 'acme/web/.github/workflows/deploy.yml@refs/heads/main',
      ref: 'refs/heads/main',
      environment: 'prod',
    },
  },
];
