import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { functionRoleName } from '../constructs/names';
import { FUNCTIONS, type FunctionDefinition } from '../function-catalog';
import { MemberAccountStack } from './member-account-stack';
import { configFromContext, type MeshwardenConfig } from './meshwarden-config';
import { MeshwardenStack } from './meshwarden-stack';

/** The stacks of one meshwarden deployment. */
export interface MeshwardenApp {
  readonly config: MeshwardenConfig;
  readonly central: MeshwardenStack;
  readonly members: MemberAccountStack[];
}

export interface BuildOptions {
  /** Validated configuration; read from the app's CDK context when absent. */
  readonly config?: MeshwardenConfig;
  /** The functions to deploy; the catalog when absent (tests pass others). */
  readonly functions?: readonly FunctionDefinition[];
}

/** The central stack's name; member stacks are `MeshwardenMember-<account>`. */
export const CENTRAL_STACK_NAME = 'Meshwarden';

/**
 * Add meshwarden's stacks to `app`, configured from its context (or from `config`), with
 * cdk-nag's AwsSolutions checks registered through CDK's Validations (cdk-nag 3): synth
 * fails on any finding that is not acknowledged with a reason.
 */
export function buildMeshwardenApp(app: App, options: BuildOptions = {}): MeshwardenApp {
  const config = options.config ?? configFromContext(app.node.getAllContext());
  const functions = options.functions ?? FUNCTIONS;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Without account and region the stack is environment-agnostic, so synth needs no AWS
  // credentials; `cdk deploy` with credentials fills in CDK_DEFAULT_ACCOUNT/REGION.
  const account = config.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = config.region ?? process.env.CDK_DEFAULT_REGION;
  const env = account === undefined && region === undefined ? undefined : { account, region };
  const central = new MeshwardenStack(app, CENTRAL_STACK_NAME, {
    description: 'meshwarden: event-driven governance for AWS App Mesh',
    config,
    functions,
    ...(env === undefined ? {} : { env }),
  });
  const trustedRoleNames = functions
    .filter((d) => d.capabilities.some((c) => c === 'mesh:read' || c === 'mesh:write'))
    .map((d) => functionRoleName(d.name));
  const patterns = functions
    .flatMap((d) => d.triggers)
    .flatMap((t) => (t.kind === 'pattern' && t.bus === 'default' ? [t.pattern] : []));
  const members = config.memberAccounts.map(
    (member) =>
      new MemberAccountStack(app, `MeshwardenMember-${member.account}`, {
        description: `meshwarden member account ${member.account}: forwards mesh events, lets meshwarden in`,
        env: { account: member.account, region: member.region ?? region },
        centralAccount: central.account,
        centralRegion: central.region,
        meshes: member.meshes,
        trustedRoleNames,
        patterns,
      }),
  );
  return { config, central, members };
}
