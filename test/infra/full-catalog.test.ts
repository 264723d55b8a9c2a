import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toCdkEventPattern } from '../../infra/constructs/event-pattern';
import { functionRoleName, MEMBER_ACCOUNT_ROLE_NAME } from '../../infra/constructs/names';
import { FUNCTIONS, type FunctionDefinition } from '../../infra/function-catalog';
import { rolesFromTemplate } from '../../infra/local/function-roles';
import { evaluate } from '../../infra/local/iam/evaluate';
import { parsePolicyDocument } from '../../infra/local/iam/policy-document';
import { buildMeshwardenApp, type MeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig } from '../../infra/stacks/meshwarden-config';
import { isInvokedAsynchronously } from '../../infra/stacks/meshwarden-stack';
import {
  alarmStateChangesPattern,
  approvalDecidedPattern,
  webIdentitySessionsPattern,
} from '../../shared/events/patterns';
import { appMeshMutationsPattern } from '../../shared/providers/appmesh/patterns';
import { asArray, type CfnResource, statementsOf, statementsOfRole, testApp } from './support';

/**
 * The whole catalog with every option on: member accounts, trail, Slack, alarms, CAs.
 * Bundling is skipped, so this is about wiring, IAM and cdk-nag.
 */
const CATALOG: readonly FunctionDefinition[] = FUNCTIONS;
const CA =
  'arn:aws:acm-pca:eu-west-1:111111111111:certificate-authority/12345678-1234-1234-1234-123456789012';
const CONFIG = parseConfig({
  account: '111111111111',
  region: 'eu-west-1',
  meshes: ['prod'],
  policyFile: 'infra/local/demo/meshwarden.policy.yaml',
  slackChannelIds: ['C0123456789'],
  alarmBindings: [{ alarmName: 'web-5xx', mesh: 'prod', virtualRouter: 'web-router', route: 'web-route' }],
  certificateAuthorityArns: [CA],
  createTrail: true,
  memberAccounts: [{ account: '222222222222', meshes: ['prod'] }],
  oidcIssuer: 'https://idp.example.com',
  oidcAudience: ['meshwarden'],
});

let built: MeshwardenApp;
let central: Template;
let member: Template;
let resources: Record<string, CfnResource>;

beforeAll(() => {
  const app = testApp({}, { bundle: false });
  built = buildMeshwardenApp(app, { config: CONFIG, functions: CATALOG });
  app.synth();
  central = Template.fromStack(built.central);
  resources = central.toJSON().Resources as Record<string, CfnResource>;
  const memberStack = built.members[0];
  if (memberStack === undefined) throw new Error('no member stack');
  member = Template.fromStack(memberStack);
});

function roleStatements(name: string): Record<string, unknown>[] {
  const ids = Object.keys(
    central.findResources('AWS::IAM::Role', { Properties: { RoleName: functionRoleName(name) } }),
  );
  expect(ids).toHaveLength(1);
  return statementsOfRole(resources, ids[0] ?? '');
}

function actionsOf(statements: Record<string, unknown>[]): string[] {
  return statements.flatMap((s) => asArray(s.Action).map(String));
}

describe('the grown catalog with every option', () => {
  it('creates one rule per pattern trigger from the shared pattern, each target with DLQ, retries and max age', () => {
    // A default-bus trigger gets one rule on the default bus and, with member accounts, one on
    // meshwarden's bus for the events they forward; a meshwarden-bus trigger or a schedule one.
    const triggers = CATALOG.flatMap((f) => f.triggers);
    for (const trigger of triggers) {
      if (trigger.kind !== 'pattern') continue;
      const users = triggers.filter((t) => t.kind === 'pattern' && t.pattern === trigger.pattern).length;
      // Exact equality: findResources matches patterns as subsets, and the filtered
      // ApprovalDecided patterns contain the unfiltered one.
      const wire = JSON.stringify(trigger.pattern.pattern);
      const rules = (Object.values(central.findResources('AWS::Events::Rule')) as CfnResource[]).filter(
        (r) => JSON.stringify(r.Properties?.EventPattern) === wire,
      );
      expect(rules, trigger.pattern.name).toHaveLength(users * (trigger.bus === 'default' ? 2 : 1));
      expect(Object.keys(toCdkEventPattern(trigger.pattern.pattern))).toContain('source');
    }
    central.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
      EventPattern: approvalDecidedPattern.pattern,
    });
    const rules = Object.values(central.findResources('AWS::Events::Rule')) as CfnResource[];
    const targets = rules.flatMap((r) => r.Properties?.Targets as Record<string, unknown>[]);
    const expected = triggers.reduce(
      (n, t) => n + (t.kind === 'pattern' ? (t.bus === 'default' ? 2 : 1) : t.kind === 'schedule' ? 1 : 0),
      0,
    );
    expect(targets.length).toBe(expected);
    for (const target of targets) {
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 });
    }
  });

  it('opts the web-identity rules in to read-only management events, and no other rule', () => {
    // AssumeRoleWithWebIdentity is read-only in CloudTrail: an ENABLED rule would never see it.
    const opted = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
    const wire = JSON.stringify(webIdentitySessionsPattern.pattern);
    for (const template of [central, member]) {
      const rules = Object.values(template.findResources('AWS::Events::Rule')) as CfnResource[];
      const webIdentity = rules.filter((r) => JSON.stringify(r.Properties?.EventPattern) === wire);
      // Central: the default bus and the mirror for forwarded events; member: the forwarder.
      expect(webIdentity).toHaveLength(template === central ? 2 : 1);
      for (const rule of webIdentity) expect(rule.Properties?.State).toBe(opted);
      const others = rules.filter((r) => !webIdentity.includes(r));
      expect(others.length).toBeGreaterThan(0);
      for (const rule of others) expect(rule.Properties?.State).not.toBe(opted);
    }
  });

  it('gives every asynchronously invoked function an on-failure destination, and the HTTP one none', () => {
    const configs = Object.values(central.findResources('AWS::Lambda::EventInvokeConfig')) as CfnResource[];
    expect(configs).toHaveLength(CATALOG.filter(isInvokedAsynchronously).length);
    expect(CATALOG.filter(isInvokedAsynchronously).map((d) => d.name)).not.toContain('slack-callback');
    for (const config of configs) {
      expect(config.Properties?.DestinationConfig).toEqual({
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/Failures/), 'Arn'] } },
      });
    }
  });

  it('routes the Slack callback through the throttled HTTP API', () => {
    central.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /slack/interactions' });
  });

  it('grants App Mesh writes only to writers, on the governed mesh, and tells every function who writes', () => {
    // IAM's own evaluation of the template's policies: writers may revert any resource of the
    // governed mesh, never create or delete a mesh, and nothing outside the mesh.
    const roles = rolesFromTemplate(central.toJSON() as { Resources: Record<string, CfnResource> }, {
      region: 'eu-west-1',
      account: '111111111111',
      functions: CATALOG,
      tableName: 'state',
    });
    const policiesOf = (name: string) =>
      (roles.find((r) => r.functionName === name)?.policies ?? []).map(parsePolicyDocument);
    const meshArn = 'arn:aws:appmesh:eu-west-1:111111111111:mesh/prod';
    const writes = ['VirtualNode', 'VirtualService', 'VirtualRouter', 'VirtualGateway'].flatMap((kind) =>
      ['Create', 'Update', 'Delete'].map((verb) => ({
        action: `appmesh:${verb}${kind}`,
        resource: `${meshArn}/${kind[0]?.toLowerCase()}${kind.slice(1)}/x`,
      })),
    );
    writes.push(
      { action: 'appmesh:UpdateRoute', resource: `${meshArn}/virtualRouter/r/route/x` },
      { action: 'appmesh:UpdateGatewayRoute', resource: `${meshArn}/virtualGateway/g/gatewayRoute/x` },
      { action: 'appmesh:UpdateMesh', resource: meshArn },
    );
    for (const writer of CATALOG.filter((d) => d.capabilities.includes('mesh:write'))) {
      for (const check of writes)
        expect([writer.name, check, evaluate(policiesOf(writer.name), check)]).toEqual([
          writer.name,
          check,
          'allow',
        ]);
      for (const check of [
        { action: 'appmesh:CreateMesh', resource: 'arn:aws:appmesh:eu-west-1:111111111111:mesh/new' },
        { action: 'appmesh:DeleteMesh', resource: meshArn },
        {
          action: 'appmesh:UpdateRoute',
          resource: 'arn:aws:appmesh:eu-west-1:111111111111:mesh/other/virtualRouter/r/route/x',
        },
      ]) {
        expect(evaluate(policiesOf(writer.name), check)).toBe('implicit-deny');
      }
    }
    expect(actionsOf(roleStatements('slack-callback')).some((a) => a.startsWith('appmesh:'))).toBe(false);
    for (const action of ['appmesh:CreateMesh', 'appmesh:DeleteMesh']) {
      expect(actionsOf(roleStatements('mesh-change'))).not.toContain(action);
    }
    const mesh = JSON.stringify(
      roleStatements('approval-executor').find((s) => asArray(s.Action).includes('appmesh:UpdateRoute')),
    );
    expect(mesh).toContain(':111111111111:mesh/prod');
    const env = JSON.stringify(
      central.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: 'meshwarden-mesh-audit' },
      }),
    );
    // Every function that writes the mesh is meshwarden's own to the loop guard; no other is.
    for (const definition of CATALOG) {
      const role = `:role/${functionRoleName(definition.name)}"`;
      if (definition.capabilities.includes('mesh:write')) expect(env).toContain(role.slice(0, -1));
      else expect(env).not.toContain(role);
    }
    expect(env).toContain(`:222222222222:role/${MEMBER_ACCOUNT_ROLE_NAME}`);
  });

  it('scopes every other capability to its own resources, with no Action "*" anywhere', () => {
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    for (const statement of policies.flatMap(statementsOf)) {
      expect(asArray(statement.Action)).not.toContain('*');
      if (asArray(statement.Resource).includes('*')) {
        // X-Ray, acm:RequestCertificate and VPC Lattice List actions support no resource-level permissions.
        expect(
          asArray(statement.Action).every(
            (a) =>
              String(a).startsWith('xray:') ||
              a === 'acm:RequestCertificate' ||
              // the guard's association lookup and the audit's reads of a network whole (not
              // ListTagsForResource, which names its resource)
              /^vpc-lattice:List(?!TagsForResource)/.test(String(a)),
          ),
        ).toBe(true);
      }
    }
    const pca = roleStatements('cert-rotation').find((s) =>
      asArray(s.Action).includes('acm-pca:IssueCertificate'),
    );
    expect(pca?.Resource).toBe(CA);
    const renew = roleStatements('cert-rotation').find((s) =>
      asArray(s.Action).includes('acm:RenewCertificate'),
    );
    expect(JSON.stringify(renew?.Resource)).toContain(':certificate/*');
    const alarms = roleStatements('deployment-guard').find((s) =>
      asArray(s.Action).includes('cloudwatch:DescribeAlarms'),
    );
    expect(JSON.stringify(alarms?.Resource)).toContain(':alarm:web-5xx');
    // The guard's Lattice rule reads and writes are scoped to this account's Lattice services.
    const latticeRules = roleStatements('deployment-guard').find((s) =>
      asArray(s.Action).includes('vpc-lattice:UpdateRule'),
    );
    expect(asArray(latticeRules?.Action).sort()).toEqual([
      'vpc-lattice:GetListener',
      'vpc-lattice:GetRule',
      'vpc-lattice:GetService',
      'vpc-lattice:ListTagsForResource',
      'vpc-lattice:UpdateListener',
      'vpc-lattice:UpdateRule',
    ]);
    expect(JSON.stringify(latticeRules?.Resource)).toContain(':vpc-lattice:');
    expect(JSON.stringify(latticeRules?.Resource)).toContain(':service/*');
    // Change control restores rules and listener default actions on services, auth policies on
    // services and service networks; it deletes no service, network or target group.
    const changeControl = roleStatements('mesh-change').filter((s) =>
      asArray(s.Action).some((a) => /^vpc-lattice:(Update|Delete|Put)/.test(String(a))),
    );
    expect(changeControl.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'vpc-lattice:DeleteAuthPolicy',
      'vpc-lattice:DeleteRule',
      'vpc-lattice:PutAuthPolicy',
      'vpc-lattice:UpdateListener',
      'vpc-lattice:UpdateRule',
    ]);
    for (const statement of changeControl) {
      expect(JSON.stringify(statement.Resource)).not.toContain(':targetgroup/');
      expect(asArray(statement.Resource)).not.toContain('*');
    }
    // The approval executor re-applies an approved held Lattice change: it reads and writes back
    // one rule, listener default action or auth policy, and deletes no rule.
    const reapply = roleStatements('approval-executor').filter((s) =>
      asArray(s.Action).some((a) => String(a).startsWith('vpc-lattice:')),
    );
    expect(reapply.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'vpc-lattice:DeleteAuthPolicy',
      'vpc-lattice:GetAuthPolicy',
      'vpc-lattice:GetListener',
      'vpc-lattice:GetRule',
      'vpc-lattice:PutAuthPolicy',
      'vpc-lattice:UpdateListener',
      'vpc-lattice:UpdateRule',
    ]);
    for (const statement of reapply) {
      expect(JSON.stringify(statement.Resource)).not.toContain(':targetgroup/');
      expect(asArray(statement.Resource)).not.toContain('*');
    }
    const slack = roleStatements('slack-callback').find((s) =>
      asArray(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(slack?.Resource).toEqual({ Ref: expect.stringMatching(/^SlackSecret/) });
    const passRole = roleStatements('deployment-guard').find((s) =>
      asArray(s.Action).includes('iam:PassRole'),
    );
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
    // Items only: no function may change the table itself.
    const itemActions = new Set([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ]);
    for (const definition of CATALOG) {
      const table = actionsOf(roleStatements(definition.name)).filter((a) => a.startsWith('dynamodb:'));
      expect(
        table.filter((a) => !itemActions.has(a)),
        definition.name,
      ).toEqual([]);
    }
  });

  it('lets member accounts put events on the bus, and creates the optional trail', () => {
    central.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: Match.stringLikeRegexp('member-222222222222$'),
      Statement: Match.objectLike({ Action: 'events:PutEvents' }),
    });
    central.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      EnableLogFileValidation: true,
      EventSelectors: [Match.objectLike({ ReadWriteType: 'All' })],
    });
  });

  it('forwards mesh and alarm events from a member account, and trusts only mesh-reading roles', () => {
    for (const pattern of [appMeshMutationsPattern, alarmStateChangesPattern]) {
      member.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: pattern.pattern,
        Targets: [
          Match.objectLike({
            Arn: {
              'Fn::Join': ['', Match.arrayWith([':events:eu-west-1:111111111111:event-bus/meshwarden'])],
            },
            DeadLetterConfig: Match.anyValue(),
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          }),
        ],
      });
    }
    const role = JSON.stringify(
      member.findResources('AWS::IAM::Role', { Properties: { RoleName: MEMBER_ACCOUNT_ROLE_NAME } }),
    );
    expect(role).toContain(':iam::111111111111:role/meshwarden-fn-mesh-change');
    expect(role).toContain(':iam::111111111111:role/meshwarden-fn-mesh-audit');
    expect(role).not.toContain('meshwarden-fn-slack-callback');
  });

  it('lets only the rotation role use the pending-keys key, the account only administer it, and tells rotation its ARN', () => {
    // Prepare
    const keys = Object.entries(central.findResources('AWS::KMS::Key'));
    expect(keys).toHaveLength(1);
    const [keyId, key] = keys[0] as [string, CfnResource];
    const policy = key.Properties?.KeyPolicy as { Statement?: Record<string, unknown>[] } | undefined;
    const statements = policy?.Statement ?? [];
    const roleIds = Object.keys(central.findResources('AWS::IAM::Role'));
    const rotationRole = roleIds.find((id) =>
      String(JSON.stringify(resources[id]?.Properties?.RoleName)).includes(functionRoleName('cert-rotation')),
    );
    const grantsUse = (s: Record<string, unknown>) =>
      asArray(s.Action).some((a) =>
        ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:*'].includes(String(a)),
      );

    // Act
    const users = statements.filter((s) => s.Effect === 'Allow' && grantsUse(s));
    const admins = statements.filter((s) => s.Effect === 'Allow' && !grantsUse(s));

    // Assess
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(users.map((s) => s.Principal)).toEqual([{ AWS: { 'Fn::GetAtt': [rotationRole, 'Arn'] } }]);
    expect(asArray(users[0]?.Action).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
    expect(admins).toHaveLength(1);
    expect(JSON.stringify(admins[0]?.Principal)).toContain(':iam::111111111111:root');
    expect(asArray(admins[0]?.Action)).toContain('kms:PutKeyPolicy');
    expect(
      asArray(admins[0]?.Action).filter((a) => String(a).includes('*') || a === 'kms:CreateGrant'),
    ).toEqual([]);
    // No role's own policy mentions the key: nothing outside the key policy grants its use.
    const identityStatements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(statementsOf);
    expect(JSON.stringify(identityStatements)).not.toContain(keyId);
    expect(JSON.stringify(identityStatements)).not.toMatch(/"kms:/);
    const functions = Object.values(central.findResources('AWS::Lambda::Function')) as CfnResource[];
    const told = functions.filter((f) =>
      String(JSON.stringify(f.Properties?.Environment)).includes('MESHWARDEN_PENDING_KEY_ARN'),
    );
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]?.Properties?.Role)).toContain(rotationRole);
  });

  it("lets meshwarden read a member account's certificates for the audit, and change none", () => {
    // Prepare
    const statements = (Object.values(member.findResources('AWS::IAM::Policy')) as CfnResource[]).flatMap(
      statementsOf,
    );

    // Act
    const acm = statements.filter((s) => asArray(s.Action).some((a) => String(a).startsWith('acm')));

    // Assess: the issuer reads the audit makes, on this account's certificates, nothing more.
    expect(acm.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'acm:DescribeCertificate',
      'acm:ListTagsForCertificate',
    ]);
    expect(JSON.stringify(acm.map((s) => s.Resource))).toContain(':acm:eu-west-1:222222222222:certificate/*');
    expect(JSON.stringify(statements)).not.toMatch(/"acm(-pca)?:(Request|Import|Issue|Delete|Renew|Export)/);
  });

  it("lets meshwarden read a member account's alarms, and tells the functions their account and the member meshes", () => {
    const policies = JSON.stringify(member.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('cloudwatch:DescribeAlarms');
    expect(policies).toContain(':cloudwatch:eu-west-1:222222222222:alarm:*');
    central.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'meshwarden-mesh-change',
      Environment: {
        Variables: Match.objectLike({
          MESHWARDEN_ACCOUNT_ID: '111111111111',
          MESHWARDEN_MEMBER_MESHES: '222222222222/prod',
          MESHWARDEN_MEMBER_ROLE_ARNS: Match.anyValue(),
        }),
      },
    });
  });

  it('fails synth on a cdk-nag finding nobody acknowledged', () => {
    // Prepare: the same configuration, plus a queue that breaks AwsSolutions-SQS3/SQS4.
    const app = testApp({}, { bundle: false });
    const { central: stack } = buildMeshwardenApp(app, { config: CONFIG, functions: CATALOG });
    new sqs.Queue(stack as Stack, 'Unacknowledged');
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
