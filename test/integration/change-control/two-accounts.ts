/** Two accounts in local AWS: the demo's central account and a member account meshwarden governs. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse as parseYaml, stringify } from 'yaml';
import { functionRoleName } from '../../../infra/constructs/names';
import { FUNCTIONS } from '../../../infra/function-catalog';
import {
  DEFAULT_IDENTITIES,
  type IdentitiesFile,
  IdentityRegistry,
  type RoleSpec,
} from '../../../infra/local/edge/identities';
import { resolveIntrinsics, type TemplateResource } from '../../../infra/local/iam/intrinsics';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import { MemberAccountStack } from '../../../infra/stacks/member-account-stack';

export const CENTRAL = DEFAULT_IDENTITIES.accountId;
export const MEMBER = '222222222222';
export const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/meshwarden-member-access`;

export const MEMBER_ADMIN = { accessKeyId: 'member-admin', secretAccessKey: 'member-admin-secret' };
export const MEMBER_CAROL = { accessKeyId: 'member-carol', secretAccessKey: 'member-carol-secret' };
export const MEMBER_DAVE = { accessKeyId: 'member-dave', secretAccessKey: 'member-dave-secret' };

/**
 * The identity-based policies the member stack gives meshwarden's role in the member account,
 * synthesized as `cdk synth` would and resolved for that account: the role's sessions may do
 * only what the member stack grants.
 */
export function memberStackRolePolicies(
  region: string,
  meshes: readonly string[],
): NonNullable<RoleSpec['policies']> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new MemberAccountStack(app, 'Member', {
    env: { account: MEMBER, region },
    centralAccount: CENTRAL,
    centralRegion: region,
    meshes,
    trustedRoleNames: trustedFunctionRoleNames(),
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, TemplateResource>;
  const roleId = stack.getLogicalId(stack.role.node.defaultChild as CfnElement);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .map((r) =>
      resolveIntrinsics(r.Properties?.PolicyDocument, resources, { region, account: MEMBER }),
    ) as NonNullable<RoleSpec['policies']>;
}

/** As the member stack trusts them: the roles of the functions that read or write meshes. */
function trustedFunctionRoleNames(): string[] {
  return FUNCTIONS.filter((f) => f.capabilities.some((c) => c === 'mesh:read' || c === 'mesh:write')).map(
    (f) => functionRoleName(f.name),
  );
}

/**
 * Two accounts: the demo's central account, and a member account with its own people and role
 * (allowed everything, or only `memberRolePolicies`).
 */
export function twoAccounts(memberRolePolicies?: RoleSpec['policies']): IdentityRegistry {
  return new IdentityRegistry(twoAccountsFile(memberRolePolicies));
}

/** The identities file of {@link twoAccounts}, to add to. */
export function twoAccountsFile(memberRolePolicies?: RoleSpec['policies']): IdentitiesFile {
  return {
    ...DEFAULT_IDENTITIES,
    identities: [
      ...DEFAULT_IDENTITIES.identities,
      {
        type: 'AssumedRole',
        ...MEMBER_ADMIN,
        roleName: 'PlatformAdmin',
        sessionName: 'member-admin',
        accountId: MEMBER,
      },
      { type: 'IAMUser', ...MEMBER_CAROL, userName: 'carol', accountId: MEMBER },
      { type: 'IAMUser', ...MEMBER_DAVE, userName: 'dave', accountId: MEMBER },
    ],
    roles: [
      {
        accountId: MEMBER,
        roleName: 'meshwarden-member-access',
        trustedPrincipals: trustedFunctionRoleNames().map((name) => `arn:aws:iam::${CENTRAL}:role/${name}`),
        ...(memberRolePolicies === undefined ? {} : { policies: memberRolePolicies }),
      },
    ],
  };
}

/**
 * The demo policy, plus an entry for `prod` in the member account: its platform admins only,
 * with `memberEntry` added to that entry (compliance rules, say).
 */
export function twoAccountPolicy(memberEntry: Record<string, unknown> = {}): string {
  const demo = parseYaml(readFileSync(DEMO_POLICY_FILE, 'utf8')) as {
    meshes: { approvals?: unknown }[];
  };
  const member = {
    mesh: 'prod',
    account: MEMBER,
    changeControl: {
      default: 'deny',
      onViolation: 'revert',
      allow: [
        {
          id: 'member-platform-admins',
          principals: [{ roleArn: `arn:aws:iam::${MEMBER}:role/PlatformAdmin`, account: MEMBER }],
          actions: ['*'],
          resources: [{ kind: '*' }],
        },
      ],
      // dave's changes wait for approval (the demo's approvers, in the demo's channel).
      violationOverrides: [
        { id: 'dave-needs-approval', principals: [{ iamUser: 'dave' }], onViolation: 'hold' },
      ],
    },
    approvals: demo.meshes[0]?.approvals,
    ...memberEntry,
  };
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-two-accounts-')), 'policy.yaml');
  writeFileSync(file, stringify({ ...demo, meshes: [...demo.meshes, member] }));
  return file;
}
